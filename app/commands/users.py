"""`users create NAME --role ... [--password-stdin]`, `users token NAME`, `users disable NAME`.

A token is printed once, as the last thing on stdout (so `TOKEN=$(flask ... users create ...)`
works); it is stored hashed and cannot be shown again: `users token` makes a new one instead.
"""
from __future__ import annotations

import sys

import click

from app.commands.groups import CommandGroup
from app.errors import DomainError
from app.staff.tokens import ROLES, create_user, disable_user, replace_token
from app.web import db_session, now

users = CommandGroup("users", help="Staff users and their API tokens.")


def _first_line_of_stdin() -> str:
    """The password piped in: its first line, without the line ending (never echoed, never an argument)."""
    line = sys.stdin.readline()
    return line.rstrip("\r\n")


@users.command("create")
@click.argument("name")
@click.option("--role", type=click.Choice(ROLES), required=True)
@click.option("--password-stdin", is_flag=True,
              help="read the console password from the first line of standard input")
def create(name: str, role: str, password_stdin: bool) -> None:
    """Create user NAME and print their token (it is stored hashed and cannot be shown again)."""
    password = _first_line_of_stdin() if password_stdin else None
    session = db_session()
    try:
        _user, token = create_user(session, name, role, now=now(), password=password)
    except DomainError as exc:
        raise click.ClickException(exc.message) from None
    session.commit()
    click.echo(token)


@users.command("token")
@click.argument("name")
def token(name: str) -> None:
    """Print a new token for user NAME; their old token stops working."""
    session = db_session()
    try:
        _user, new = replace_token(session, name)
    except DomainError as exc:
        raise click.ClickException(exc.message) from None
    session.commit()
    click.echo(new)


@users.command("disable")
@click.argument("name")
def disable(name: str) -> None:
    """Disable user NAME: their token is refused from now on."""
    session = db_session()
    try:
        changed = disable_user(session, name)
    except DomainError as exc:
        raise click.ClickException(exc.message) from None
    session.commit()
    click.echo(f"user {name.strip()!r} disabled" if changed else f"user {name.strip()!r} was disabled already")
