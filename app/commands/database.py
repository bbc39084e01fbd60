"""`db upgrade`: apply the migrations to DATABASE_URL (SQLite file or PostgreSQL)."""
from __future__ import annotations

import click
from alembic.util import CommandError
from flask.cli import AppGroup
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from app.migrations import upgrade_database
from app.web import settings

db = AppGroup("db", help="Database schema.")


@db.command("upgrade")
@click.argument("revision", default="heads")
def upgrade(revision: str) -> None:
    """Apply migrations up to REVISION (default: every head)."""
    url = settings().database_url
    try:
        upgrade_database(url, revision)
    except CommandError as exc:  # an unknown revision, a broken migration chain: the operator's to fix
        raise click.ClickException(str(exc)) from None
    except OperationalError as exc:
        shown = make_url(url).render_as_string(hide_password=True)
        raise click.ClickException(f"cannot reach the database at {shown}: {exc.orig}") from None
    click.echo(f"database at {revision}")
