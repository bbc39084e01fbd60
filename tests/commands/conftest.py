"""Fixtures for the command tests: an app on an EMPTY database (no migrations run yet) of each kind,
and install lists written as a dealer would send them."""
from __future__ import annotations

import socket
import uuid
from contextlib import contextmanager
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import text

from app import create_app
from app.config import Settings
from app.database import Database
from tests.conftest import PG_BASE_URL, pg_url, reset_pg_schema

INSTALL_LIST_HEADER = "name,phone,province,city,address,product_line,model,serial,installed_on"


def closed_port() -> int:
    """A local TCP port nothing listens on (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def drop_pg_schema(schema: str) -> None:
    engine = Database(PG_BASE_URL).engine
    with engine.begin() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    engine.dispose()


def empty_sqlite_url(tmp_path: Path) -> str:
    """A SQLite file in a folder that does not exist yet."""
    return f"sqlite:///{tmp_path / 'not-yet' / 'service.sqlite3'}"


@pytest.fixture
def empty_pg_schema() -> Iterator[str]:
    """A fresh, empty PostgreSQL schema of this test's own (pytest_cmd_*), dropped afterwards."""
    schema = f"pytest_cmd_{uuid.uuid4().hex[:10]}"
    reset_pg_schema(schema)
    yield schema
    drop_pg_schema(schema)


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_database_url(request, tmp_path) -> str:
    """An empty database of each kind: no tables, not even alembic's."""
    if request.param == "sqlite":
        return empty_sqlite_url(tmp_path)
    return pg_url(request.getfixturevalue("empty_pg_schema"))


@contextmanager
def app_on(url: str, clock) -> Iterator[Flask]:
    """An app on the database at `url`, its engine disposed afterwards."""
    app = create_app({"TESTING": True, "SETTINGS": Settings(database_url=url), "CLOCK": clock})
    try:
        yield app
    finally:
        app.extensions["database"].dispose()


@pytest.fixture
def empty_app(empty_database_url, clock) -> Iterator[Flask]:
    with app_on(empty_database_url, clock) as app:
        yield app


@pytest.fixture
def empty_runner(empty_app):
    return empty_app.test_cli_runner()


@pytest.fixture
def install_list(tmp_path):
    """`install_list(rows, header=..., encoding=..., name=...)` writes a CSV file and returns its path."""

    def write(rows: list[str], *, header: str = INSTALL_LIST_HEADER, encoding: str = "utf-8",
              name: str = "install-list.csv") -> Path:
        path = tmp_path / name
        path.write_bytes("\r\n".join([header, *rows, ""]).encode(encoding))
        return path

    return write
