"""`flask --app wsgi db upgrade`: an empty SQLite file and an empty PostgreSQL schema end up with the
schema the models describe, the same on both, and upgrading again is harmless."""
from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, inspect, select

from app.config import PROJECT_ROOT
from app.database import Database
from app.migrations import alembic_config
from app.models import Base
from app.staff.models import User
from app.staff.tokens import hash_token
from tests.commands.conftest import app_on, closed_port, empty_sqlite_url
from tests.conftest import pg_url

FLASK = Path(sys.executable).parent / "flask"


@contextmanager
def connected(url: str) -> Iterator[Connection]:
    database = Database(url)
    try:
        with database.engine.connect() as conn:
            yield conn
    finally:
        database.dispose()


def differences_from_models(url: str) -> list:
    """What alembic's autogenerate would still have to do to make the database match the models."""
    with connected(url) as conn:
        return compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata)


def current_revisions(url: str) -> set[str]:
    with connected(url) as conn:
        return set(MigrationContext.configure(conn).get_current_heads())


def table_columns(url: str) -> dict[str, list[str]]:
    with connected(url) as conn:
        inspector = inspect(conn)
        return {t: [c["name"] for c in inspector.get_columns(t)] for t in sorted(inspector.get_table_names())}


def every_head() -> set[str]:
    return set(ScriptDirectory.from_config(alembic_config("sqlite://")).get_heads())


def test_upgrade_builds_an_empty_database_to_exactly_the_models(empty_runner, empty_database_url):
    result = empty_runner.invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output
    assert differences_from_models(empty_database_url) == []


def test_upgrade_brings_the_database_to_every_head(empty_runner, empty_database_url):
    empty_runner.invoke(args=["db", "upgrade"])
    assert current_revisions(empty_database_url) == every_head()


def test_upgrading_twice_is_harmless(empty_runner, empty_database_url):
    first = empty_runner.invoke(args=["db", "upgrade"])
    second = empty_runner.invoke(args=["db", "upgrade"])
    assert (first.exit_code, second.exit_code) == (0, 0), second.output
    assert differences_from_models(empty_database_url) == []
    assert current_revisions(empty_database_url) == every_head()


def test_upgrading_again_keeps_the_data(empty_runner, empty_database_url):
    empty_runner.invoke(args=["db", "upgrade"])
    token = empty_runner.invoke(args=["users", "create", "lin", "--role", "agent"]).output.strip()
    empty_runner.invoke(args=["db", "upgrade"])
    with connected(empty_database_url) as conn:
        assert conn.scalar(select(User.token_hash).where(User.name == "lin")) == hash_token(token)


def test_sqlite_and_postgresql_get_the_same_tables_and_columns(tmp_path, empty_pg_schema, clock):
    urls = [empty_sqlite_url(tmp_path), pg_url(empty_pg_schema)]
    for url in urls:
        with app_on(url, clock) as app:
            assert app.test_cli_runner().invoke(args=["db", "upgrade"]).exit_code == 0
    on_sqlite, on_postgresql = (table_columns(url) for url in urls)
    assert on_sqlite == on_postgresql
    assert set(on_sqlite) == {t.name for t in Base.metadata.sorted_tables} | {"alembic_version"}


def test_upgrade_creates_the_folder_of_the_sqlite_file(tmp_path, clock):
    with app_on(empty_sqlite_url(tmp_path), clock) as app:
        result = app.test_cli_runner().invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "not-yet" / "service.sqlite3").is_file()


def test_upgrade_to_an_unknown_revision_fails_clearly_without_a_traceback(empty_runner):
    result = empty_runner.invoke(args=["db", "upgrade", "no-such-revision"])
    assert result.exit_code == 1
    assert "no-such-revision" in result.output
    assert isinstance(result.exception, SystemExit)  # a message, not a traceback


def test_the_command_line_upgrades_a_sqlite_file_whose_folder_does_not_exist(tmp_path):
    database_file = tmp_path / "fresh" / "deeper" / "service.sqlite3"
    url = f"sqlite:///{database_file}"
    env = {**os.environ, "DATABASE_URL": url, "SMS_BACKEND": "log"}
    env.pop("TWILIO_ACCOUNT_SID", None)
    env.pop("TWILIO_AUTH_TOKEN", None)
    done = subprocess.run([str(FLASK), "--app", "wsgi", "db", "upgrade"], cwd=PROJECT_ROOT, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert database_file.is_file()
    assert current_revisions(url) == every_head()
    assert differences_from_models(url) == []


def test_upgrade_creates_the_folder_for_any_spelling_of_a_sqlite_url(tmp_path, clock):
    with app_on(f"sqlite+pysqlite:///{tmp_path / 'spelt' / 'service.sqlite3'}", clock) as app:
        result = app.test_cli_runner().invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "spelt" / "service.sqlite3").is_file()


def test_upgrade_of_an_unreachable_database_fails_clearly_and_hides_the_password(clock):
    url = f"postgresql+psycopg://postgres:s3cret-pw@127.0.0.1:{closed_port()}/test?connect_timeout=3"
    with app_on(url, clock) as app:
        result = app.test_cli_runner().invoke(args=["db", "upgrade"])
    assert result.exit_code == 1
    assert "cannot reach the database" in result.output
    assert "s3cret-pw" not in result.output
    assert isinstance(result.exception, SystemExit)
