"""Fixtures: every database test runs on SQLite and again on PostgreSQL.

SQLite: the migrations build a template file once per session; each test gets a fresh copy.
PostgreSQL: the migrations build the schema `pytest_suite` in database `test` once per session;
each test starts from empty tables (TRUNCATE), with real commits, as in production.
"""
from __future__ import annotations

import logging
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import text

from app import create_app
from app.clock import FixedClock
from app.config import Settings
from app.database import Database
from app.migrations import upgrade_database
from app.models import Base

SHANGHAI = ZoneInfo("Asia/Shanghai")
PG_SCHEMA = os.environ.get("TEST_PG_SCHEMA", "pytest_suite")
PG_BASE_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def pg_url(schema: str = PG_SCHEMA) -> str:
    """The test database URL with its own schema first on the search path."""
    return f"{PG_BASE_URL}?options=-csearch_path%3D{schema}"


def reset_pg_schema(schema: str) -> None:
    engine = Database(PG_BASE_URL).engine
    with engine.begin() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("sqlite") / "template.sqlite3"
    upgrade_database(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def pg_migrated() -> str:
    reset_pg_schema(PG_SCHEMA)
    url = pg_url()
    upgrade_database(url)
    return url


# For a behaviour only a server has (backend processes, dropped connections): the test runs on
# PostgreSQL alone instead of being skipped on SQLite.
postgresql_only = pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path) -> Iterator[str]:
    """A migrated, empty database of each kind."""
    if request.param == "sqlite":
        path = tmp_path / "test.sqlite3"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        yield f"sqlite:///{path}"
        return
    url = request.getfixturevalue("pg_migrated")
    yield url
    engine = Database(url).engine
    tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    engine.dispose()


@pytest.fixture
def clock() -> FixedClock:
    """Business time starts at 10:00 Shanghai time on a Tuesday."""
    return FixedClock(datetime(2026, 7, 7, 10, 0, tzinfo=SHANGHAI))


TWILIO_TEST_TOKEN = "test-auth-token-0123456789abcdef"
TWILIO_TEST_SID = "AC" + "0" * 32


@pytest.fixture
def settings(database_url) -> Settings:
    return Settings(database_url=database_url, twilio_account_sid=TWILIO_TEST_SID,
                    twilio_auth_token=TWILIO_TEST_TOKEN, sms_backend="log")


@pytest.fixture
def app(settings, clock):
    app = create_app({"TESTING": True, "SETTINGS": settings, "CLOCK": clock})
    yield app
    app.extensions["database"].dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def session(app):
    """A session on the app's database for arranging data and checking what was written."""
    with app.extensions["database"].session() as s:
        yield s


@pytest.fixture
def staff(app, session, clock):
    """`staff("agent")` -> headers with a bearer token for a new user of that role."""
    from app.staff.tokens import create_user

    made = {}

    def headers_for(role: str = "agent") -> dict:
        if role not in made:
            _user, token = create_user(session, f"{role}-user", role, now=clock.now())
            session.commit()
            made[role] = {"Authorization": f"Bearer {token}"}
        return made[role]

    return headers_for


@pytest.fixture
def agent(staff) -> dict:
    return staff("agent")


@pytest.fixture
def twilio_post(client):
    """`twilio_post(path, params)` posts form fields signed as Twilio signs them (real RequestValidator)."""
    from twilio.request_validator import RequestValidator

    validator = RequestValidator(TWILIO_TEST_TOKEN)

    def post(path: str, params: dict, *, token_ok: bool = True, base: str = "http://localhost"):
        signature = validator.compute_signature(base + path, params) if token_ok else "bm90IGEgc2lnbmF0dXJl"
        return client.post(path, data=params, headers={"X-Twilio-Signature": signature})

    return post


@pytest.fixture
def standin():
    """A fresh Twilio REST stand-in on a free loopback port, with the test account's credentials."""
    from tests.twilio_standin import TwilioStandIn

    with TwilioStandIn(account_sid=TWILIO_TEST_SID, auth_token=TWILIO_TEST_TOKEN) as server:
        yield server


TWILIO_TEST_SENDER = "+15005550006"
TWILIO_TEST_PUBLIC_BASE = "https://cc.example.com"


@pytest.fixture
def twilio_settings(database_url, standin) -> Settings:
    """SMS_BACKEND=twilio through the real SDK to the stand-in, unpaced, with PUBLIC_BASE_URL as in production.

    The request timeout is long enough that no answer of the stand-in loses a race against it on a
    busy machine; a test of a missing answer sets its own and holds the stand-in's (`set_delay`)."""
    return Settings(database_url=database_url, twilio_account_sid=TWILIO_TEST_SID, twilio_auth_token=TWILIO_TEST_TOKEN,
                    twilio_api_url=standin.url, sms_backend="twilio", sms_from=TWILIO_TEST_SENDER,
                    public_base_url=TWILIO_TEST_PUBLIC_BASE, sms_rate_per_second=0, sms_twilio_timeout=30.0)


class AllLogLines(logging.Handler):
    """Every record of every logger, formatted as a production handler would (tracebacks included)."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.extend(self.format(record).splitlines())


@pytest.fixture
def log_lines():
    """The lines every logger writes during the test, at DEBUG and above."""
    root = logging.getLogger()
    handler, level = AllLogLines(), root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    yield handler.lines
    root.removeHandler(handler)
    root.setLevel(level)


ROOT = Path(__file__).resolve().parent.parent
GUNICORN = Path(sys.executable).parent / "gunicorn"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Served:
    """A running `gunicorn -c gunicorn.conf.py wsgi:app`: where it listens and what it logged."""

    port: int
    log: list[str]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@contextmanager
def serve(database_url: str, tmp_path: Path, *, workers: int = 2, env: dict | None = None) -> Iterator[Served]:
    """The real server on a free port, its workers each with the app imported, stopped (SIGTERM) after."""
    port = free_port()
    environment = {**os.environ, "DATABASE_URL": database_url, "TWILIO_ACCOUNT_SID": TWILIO_TEST_SID,
                   "TWILIO_AUTH_TOKEN": TWILIO_TEST_TOKEN, "SMS_BACKEND": "log", "WEB_CONCURRENCY": str(workers),
                   "GUNICORN_LOG_LEVEL": "info", "GUNICORN_BIND": f"127.0.0.1:{port}",
                   "FALLBACK_SPOOL": str(tmp_path / "spool"), **(env or {})}
    process = subprocess.Popen([str(GUNICORN), "-c", "gunicorn.conf.py", "wsgi:app"], cwd=ROOT, env=environment,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    ready, lines = threading.Semaphore(0), []

    def read_log() -> None:  # drained to the end, so gunicorn never blocks on a full pipe
        for line in process.stderr:
            lines.append(line)
            if "ready" in line and "worker" in line:
                ready.release()
        for _ in range(workers):
            ready.release()  # gunicorn ended: let the test fail on its exit, not wait

    reader = threading.Thread(target=read_log, daemon=True)
    reader.start()
    try:
        # Every worker has imported the app (gunicorn.conf.py's post_worker_init says so).
        assert all(ready.acquire(timeout=120) for _ in range(workers)) and process.poll() is None, "".join(lines)
        yield Served(port, lines)
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=60)
        reader.join(timeout=60)
        process.stderr.close()


@pytest.fixture
def served(database_url, tmp_path) -> Iterator[Served]:
    """The service under gunicorn (two workers) on the test database, with the test Twilio token."""
    with serve(database_url, tmp_path, env={"SECRET_KEY": "served-test-secret"}) as server:
        yield server
