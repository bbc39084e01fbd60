"""`flask --app wsgi users create NAME --role ...`: prints a token that works on the API, stores only its hash."""
from __future__ import annotations

import hashlib

import pytest
from sqlalchemy import func, select

from app.staff.models import User


def create(runner, *args: str):
    return runner.invoke(args=["users", "create", *args])


def user_count(session) -> int:
    return session.scalar(select(func.count()).select_from(User))


def test_the_printed_token_works_as_a_bearer_token_on_the_tickets_list(runner, client):
    result = create(runner, "lin", "--role", "agent")
    assert result.exit_code == 0, result.output
    response = client.get("/api/v1/tickets", headers={"Authorization": f"Bearer {result.stdout.strip()}"})
    assert response.status_code == 200


def test_the_token_is_the_only_thing_printed_on_stdout(runner):
    result = create(runner, "lin", "--role", "agent")
    lines = result.stdout.splitlines()
    assert len(lines) == 1 and " " not in lines[0] and len(lines[0]) >= 40


def test_the_database_holds_the_sha256_of_the_token_and_never_the_token(runner, session):
    token = create(runner, "lin", "--role", "agent").stdout.strip()
    user = session.scalar(select(User).where(User.name == "lin"))
    assert user.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in [str(value) for value in session.execute(select(User.__table__)).one()]


@pytest.mark.parametrize("role", ["agent", "supervisor", "marketing", "admin"])
def test_the_user_gets_the_role_asked_for(runner, session, role):
    assert create(runner, f"{role}-person", "--role", role).exit_code == 0
    assert session.scalar(select(User.role).where(User.name == f"{role}-person")) == role


def test_every_user_gets_a_different_token(runner):
    first = create(runner, "lin", "--role", "agent").stdout.strip()
    second = create(runner, "wang", "--role", "agent").stdout.strip()
    assert first != second


def test_a_marketing_token_is_refused_on_tickets_with_403(runner, client):
    token = create(runner, "mei", "--role", "marketing").stdout.strip()
    assert client.get("/api/v1/tickets", headers={"Authorization": f"Bearer {token}"}).status_code == 403


def test_an_unknown_role_fails_naming_the_roles_and_creates_nothing(runner, session):
    result = create(runner, "lin", "--role", "boss")
    assert result.exit_code != 0
    assert "boss" in result.output
    assert all(role in result.output for role in ("agent", "supervisor", "marketing", "admin"))
    assert user_count(session) == 0


def test_a_missing_role_fails_and_creates_nothing(runner, session):
    result = create(runner, "lin")
    assert result.exit_code != 0
    assert "--role" in result.output
    assert user_count(session) == 0


def test_a_duplicate_name_fails_clearly_and_creates_nothing(runner, session):
    create(runner, "lin", "--role", "agent")
    result = create(runner, "lin", "--role", "admin")
    assert result.exit_code == 1
    assert "lin" in result.output and "exists already" in result.output
    assert result.stdout == ""  # no token printed for a user that was not made
    assert session.execute(select(User.name, User.role)).all() == [("lin", "agent")]


def test_a_duplicate_name_leaves_the_first_token_working(runner, client):
    token = create(runner, "lin", "--role", "agent").stdout.strip()
    create(runner, "lin", "--role", "admin")
    assert client.get("/api/v1/tickets", headers={"Authorization": f"Bearer {token}"}).status_code == 200


def test_a_blank_name_fails_clearly_and_creates_nothing(runner, session):
    result = create(runner, "   ", "--role", "agent")
    assert result.exit_code == 1
    assert "name" in result.output
    assert user_count(session) == 0
