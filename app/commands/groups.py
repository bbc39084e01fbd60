"""The command group every data command belongs to: a database that is not ready is a message, not a traceback."""
from __future__ import annotations

import click
from flask.cli import AppGroup
from sqlalchemy.exc import DBAPIError

# SQLite's message and PostgreSQL's SQLSTATE for a table that does not exist.
_MISSING_TABLE = ("no such table", "42P01")
# SQLite's message for a file it cannot open (its folder does not exist yet, or no permission).
_CANNOT_OPEN = "unable to open database file"


def explain(exc: DBAPIError) -> str:
    """What went wrong, and the fix when it is the usual one (migrations not applied yet)."""
    reason = str(exc.orig).strip().splitlines()[0] if exc.orig is not None else type(exc).__name__
    code = getattr(exc.orig, "sqlstate", None)
    if code in _MISSING_TABLE or any(m in reason for m in _MISSING_TABLE):
        return f"the database has no tables yet ({reason}); run 'flask --app wsgi db upgrade' first"
    if _CANNOT_OPEN in reason:
        return (f"the database cannot be opened ({reason}); "
                "check DATABASE_URL, or run 'flask --app wsgi db upgrade' first")
    return f"the database refused: {reason}"


class CommandGroup(AppGroup):
    """An AppGroup whose commands report database errors on one line and exit 1."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except DBAPIError as exc:
            raise click.ClickException(explain(exc)) from None
