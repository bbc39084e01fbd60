"""create_app(): builds the app without side effects; /healthz says 503, in JSON, when the database is away."""
from __future__ import annotations

import pytest

from app import create_app
from app.config import Settings
from tests.commands.conftest import closed_port


@pytest.fixture
def plain_environment(monkeypatch):
    """The process environment without any of the service's variables but the ones a test sets."""
    for name in ("DATABASE_URL", "TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "TWILIO_API_URL", "SMS_BACKEND",
                 "PUBLIC_BASE_URL", "TZ_NAME"):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


@pytest.fixture
def app_on():
    """`app_on(url)`: an app on the database at `url`, disposed afterwards."""
    made = []

    def build(url: str):
        app = create_app({"TESTING": True, "SETTINGS": Settings(database_url=url)})
        made.append(app)
        return app

    yield build
    for app in made:
        app.extensions["database"].dispose()


def test_building_the_app_creates_no_database_file_and_no_folder(plain_environment, tmp_path):
    folder = tmp_path / "nowhere-yet"
    plain_environment.setenv("DATABASE_URL", f"sqlite:///{folder / 'service.sqlite3'}")
    app = create_app()
    app.extensions["database"].dispose()
    assert not folder.exists()
    assert list(tmp_path.iterdir()) == []


def test_the_app_reads_its_database_url_from_the_environment(plain_environment, tmp_path):
    url = f"sqlite:///{tmp_path / 'service.sqlite3'}"
    plain_environment.setenv("DATABASE_URL", url)
    app = create_app()
    app.extensions["database"].dispose()
    assert app.extensions["settings"].database_url == url


def test_a_bad_setting_stops_the_app_from_being_built(plain_environment):
    plain_environment.setenv("SMS_BACKEND", "twilio")
    with pytest.raises(ValueError, match="SMS_BACKEND=twilio"):
        create_app()


def test_the_app_offers_the_commands_of_the_interface(app_on, tmp_path):
    app = app_on(f"sqlite:///{tmp_path / 'service.sqlite3'}")
    assert {"db", "demo", "users", "customers", "jobs"} <= set(app.cli.list_commands(None))


def test_healthz_is_503_json_when_the_sqlite_folder_does_not_exist(app_on, tmp_path):
    client = app_on(f"sqlite:///{tmp_path / 'missing' / 'service.sqlite3'}").test_client()
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json == {"status": "unavailable", "database": "down"}


def test_healthz_on_a_missing_sqlite_folder_does_not_create_it(app_on, tmp_path):
    app_on(f"sqlite:///{tmp_path / 'missing' / 'service.sqlite3'}").test_client().get("/healthz")
    assert not (tmp_path / "missing").exists()


def test_healthz_is_503_json_when_postgresql_does_not_answer(app_on):
    client = app_on(f"postgresql+psycopg://postgres@127.0.0.1:{closed_port()}/test?connect_timeout=3").test_client()
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json == {"status": "unavailable", "database": "down"}


def test_healthz_says_200_again_once_the_database_answers(app_on, tmp_path):
    from app.migrations import upgrade_database

    url = f"sqlite:///{tmp_path / 'later' / 'service.sqlite3'}"
    client = app_on(url).test_client()
    assert client.get("/healthz").status_code == 503
    upgrade_database(url)
    assert client.get("/healthz").status_code == 200
