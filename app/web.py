"""What Flask views take from the app: the request's database session, the clock, the settings."""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import current_app, g
from sqlalchemy.orm import Session

from app.config import Settings
from app.database import Database


def database() -> Database:
    return current_app.extensions["database"]


def db_session() -> Session:
    """The session of this request, opened on first use and closed at teardown."""
    if "db_session" not in g:
        g.db_session = database().session()
    return g.db_session


def close_db_session(_exc: BaseException | None = None) -> None:
    """Teardown: anything not committed by the view is rolled back, so a failed request writes nothing."""
    session = g.pop("db_session", None)
    if session is not None:
        session.rollback()
        session.close()


def clock():
    """The app's real clock (a test's FixedClock in tests)."""
    return current_app.extensions["clock"]


def now() -> datetime:
    return clock().now()


def settings() -> Settings:
    return current_app.extensions["settings"]


def business_tz() -> ZoneInfo:
    return ZoneInfo(settings().tz_name)
