"""The settings every entry point starts from (the app, `python -m scheduler`, the dispatcher),
read and tried once: a setting that cannot work stops the process with one line before anything runs.

`Settings.from_environment` checks each variable on its own; here each is also tried by the code
that reads it later (quiet hours, leases, the sender), so nothing fails first mid-dispatch.
"""
from __future__ import annotations

from pathlib import Path

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from app.config import ConfigurationError, Settings
from app.database import Database, explain_database_error
from app.messaging.pacing import sender_from_settings
from app.messaging.policy import DispatchPolicy, SendingPolicy


def load_settings(environ: dict | None = None, instance_path: Path | None = None) -> Settings:
    """The settings from the environment; ConfigurationError naming the first one that cannot work."""
    settings = Settings.from_environment(environ, instance_path=instance_path)
    try:
        SendingPolicy.from_settings(settings)
        DispatchPolicy.from_settings(settings)
        sender_from_settings(settings)
    except ValueError as exc:
        raise ConfigurationError(str(exc)) from None
    return settings


def settings_or_exit(environ: dict | None = None) -> Settings:
    """`load_settings()`, or the process ends with the reason on one line of stderr (exit status 1)."""
    try:
        return load_settings(environ)
    except ConfigurationError as exc:
        raise SystemExit(f"Error: {exc}") from None


def database_or_exit(settings: Settings) -> None:
    """End the process with one line unless the database answers and has been upgraded: a
    process that runs jobs could do nothing else but log the same traceback on every run."""
    database = Database(settings.database_url)
    try:
        with database.engine.connect() as connection:
            connection.execute(text("SELECT version_num FROM alembic_version"))
    except DBAPIError as exc:
        raise SystemExit(f"Error: {explain_database_error(exc)}") from None
    finally:
        database.dispose()
