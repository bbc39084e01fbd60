"""The command group every data command belongs to: a database that is not ready is a message, not a traceback."""
from __future__ import annotations

import click
from flask.cli import AppGroup
from sqlalchemy.exc import DBAPIError

from app.database import explain_database_error


class CommandGroup(AppGroup):
    """An AppGroup whose commands report database errors on one line and exit 1."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except DBAPIError as exc:
            raise click.ClickException(explain_database_error(exc)) from None
