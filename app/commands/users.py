"""`users create NAME --role ...`: make a staff user and print their API token once."""
from __future__ import annotations

import click

from app.commands.groups import CommandGroup
from app.errors import DomainError
from app.staff.tokens import ROLES, create_user
from app.web import db_session, now

users = CommandGroup("users", help="Staff users and their API tokens.")


@users.command("create")
@click.argument("name")
@click.option("--role", type=click.Choice(ROLES), required=True)
def create(name: str, role: str) -> None:
    """Create user NAME and print their token (it is stored hashed and cannot be shown again)."""
    session = db_session()
    try:
        _user, token = create_user(session, name, role, now=now())
    except DomainError as exc:
        raise click.ClickException(exc.message) from None
    session.commit()
    click.echo(token)
