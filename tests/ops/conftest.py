"""Fixtures of the operations tests: apps on changed settings (an unreachable database, a spool)."""
from __future__ import annotations

from dataclasses import replace

import pytest

from app import create_app

# Nothing listens on the discard port: every connection is refused at once.
UNREACHABLE = "postgresql+psycopg://postgres@127.0.0.1:9/test?connect_timeout=5"


@pytest.fixture
def make_app(settings, clock):
    """`make_app(database_url=..., fallback_spool=...)` -> an app on the test settings so changed."""
    made = []

    def make(**changes):
        app = create_app({"TESTING": True, "SETTINGS": replace(settings, **changes), "CLOCK": clock})
        made.append(app)
        return app

    yield make
    for app in made:
        app.extensions["database"].dispose()
