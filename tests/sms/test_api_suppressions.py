"""Staff suppress and un-suppress a number through the API."""
from __future__ import annotations

from app.messaging.models import Suppression
from app.messaging.outbox import queue_text

PHONE = "+8613800138000"


def test_staff_suppress_a_number_given_in_any_form(client, agent, session):
    answer = client.put("/api/v1/suppressions/138%200013%208000", headers=agent, json={"reason": "电话里要求"})
    assert answer.status_code == 201
    assert (answer.json["phone"], answer.json["suppressed"], answer.json["source"]) == (PHONE, True, "staff")
    assert "电话里要求" in session.get(Suppression, PHONE).reason


def test_suppressing_again_keeps_the_first_entry(client, agent):
    client.put(f"/api/v1/suppressions/{PHONE}", headers=agent, json={"reason": "first"})
    again = client.put(f"/api/v1/suppressions/{PHONE}", headers=agent, json={"reason": "second"})
    assert again.status_code == 200 and again.json["reason"].startswith("first")


def test_a_put_without_a_body_is_fine(client, agent):
    assert client.put(f"/api/v1/suppressions/{PHONE}", headers=agent).status_code == 201


def test_a_staff_suppression_stops_reminders(client, agent, session, clock):
    client.put(f"/api/v1/suppressions/{PHONE}", headers=agent)
    message = queue_text(session, phone=PHONE, template="maintenance_reminder", category="reminder", now=clock.now(),
                         context={"serial_tail": "8321", "hotline": "400 675 7888"})
    assert message.status == "suppressed"


def test_reading_shows_the_state(client, agent):
    assert client.get(f"/api/v1/suppressions/{PHONE}", headers=agent).json["suppressed"] is False
    client.put(f"/api/v1/suppressions/{PHONE}", headers=agent)
    assert client.get(f"/api/v1/suppressions/{PHONE}", headers=agent).json["suppressed"] is True


def test_deleting_lifts_the_suppression(client, agent, session):
    client.put(f"/api/v1/suppressions/{PHONE}", headers=agent)
    answer = client.delete(f"/api/v1/suppressions/{PHONE}", headers=agent)
    assert answer.status_code == 200 and answer.json["suppressed"] is False
    assert session.get(Suppression, PHONE) is None


def test_deleting_a_suppression_that_is_not_there_is_404(client, agent):
    assert client.delete(f"/api/v1/suppressions/{PHONE}", headers=agent).status_code == 404


def test_a_bad_number_is_a_400_naming_the_field(client, agent):
    answer = client.put("/api/v1/suppressions/12345", headers=agent)
    assert answer.status_code == 400 and "phone" in answer.json["fields"]


def test_a_reason_that_is_not_text_is_a_400(client, agent):
    assert client.put(f"/api/v1/suppressions/{PHONE}", headers=agent, json={"reason": 5}).status_code == 400


def test_no_token_is_a_401(client):
    assert client.put(f"/api/v1/suppressions/{PHONE}").status_code == 401


def test_marketing_staff_may_not_change_suppressions(client, staff):
    assert client.put(f"/api/v1/suppressions/{PHONE}", headers=staff("marketing")).status_code == 403


def test_the_openapi_document_describes_the_suppression_endpoints(client):
    path = client.get("/api/v1/openapi.json").json["paths"]["/suppressions/{phone}"]
    assert {"get", "put", "delete"} <= set(path)
