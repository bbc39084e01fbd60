"""Thin job functions: open a session, call a service with `now`, commit once.

This module never builds the Flask app; it takes a `Database` and settings from its caller
(`flask --app wsgi jobs run` or `python -m scheduler`).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from app.config import Settings
from app.database import Database


@dataclass(frozen=True)
class JobContext:
    database: Database
    settings: Settings


def outbox_dispatch(ctx: JobContext, now: datetime) -> str:
    """Send the due texts of the outbox through the configured backend."""
    from app.messaging.dispatch import LogBackend, dispatch_due

    backend = LogBackend()
    with ctx.database.session() as session:
        result = dispatch_due(session, backend, now=now)
        session.commit()
    return f"sent {result.sent}, failed {result.failed}"


JOBS: dict[str, Callable[[JobContext, datetime], str]] = {
    "outbox_dispatch": outbox_dispatch,
}
