"""`GET /healthz`."""


def test_healthz_answers_200_when_the_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "database": "up"}


def test_healthz_needs_no_token(client):
    assert "Authorization" not in client.get("/healthz").request.headers
