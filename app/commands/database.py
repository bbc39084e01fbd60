"""`db upgrade`: apply the migrations to DATABASE_URL (SQLite file or PostgreSQL)."""
from __future__ import annotations

import click
from flask.cli import AppGroup

from app.migrations import upgrade_database
from app.web import settings

db = AppGroup("db", help="Database schema.")


@db.command("upgrade")
@click.argument("revision", default="heads")
def upgrade(revision: str) -> None:
    """Apply migrations up to REVISION (default: every head)."""
    upgrade_database(settings().database_url, revision)
    click.echo(f"database at {revision}")
