"""`users token NAME` (a new token, the old one stops working), `users disable NAME`, and
`users create ... --password-stdin` (the console password, stored as a slow salted hash)."""
from __future__ import annotations

from sqlalchemy import select

from app.staff.models import User
from app.staff.passwords import password_matches


def users(runner, *args: str, input: str | None = None):
    return runner.invoke(args=["users", *args], input=input)


def tickets_status(client, token: str) -> int:
    return client.get("/api/v1/tickets", headers={"Authorization": f"Bearer {token}"}).status_code


def user(session, name: str) -> User:
    session.expire_all()
    return session.scalar(select(User).where(User.name == name))


def test_a_new_token_works_and_the_old_one_stops_working(runner, client):
    old = users(runner, "create", "lin", "--role", "agent").stdout.strip()
    result = users(runner, "token", "lin")
    assert result.exit_code == 0, result.output
    new = result.stdout.strip()
    assert new != old and (tickets_status(client, new), tickets_status(client, old)) == (200, 401)


def test_the_new_token_is_the_last_thing_on_stdout(runner):
    users(runner, "create", "lin", "--role", "agent")
    lines = users(runner, "token", "lin").stdout.splitlines()
    assert len(lines) == 1 and len(lines[0]) >= 40 and " " not in lines[0]


def test_a_token_for_no_such_user_fails_on_one_line(runner):
    result = users(runner, "token", "nobody")
    assert result.exit_code == 1 and result.output.strip() == "Error: no user named 'nobody'"


def test_a_disabled_users_token_is_refused(runner, client):
    token = users(runner, "create", "lin", "--role", "agent").stdout.strip()
    result = users(runner, "disable", "lin")
    assert result.exit_code == 0 and "disabled" in result.output
    assert tickets_status(client, token) == 401


def test_disabling_twice_says_so_and_changes_nothing(runner, session):
    users(runner, "create", "lin", "--role", "agent")
    users(runner, "disable", "lin")
    result = users(runner, "disable", "lin")
    assert result.exit_code == 0 and "disabled already" in result.output
    assert user(session, "lin").active is False


def test_a_disabled_user_gets_no_new_token(runner, client):
    users(runner, "create", "lin", "--role", "agent")
    users(runner, "disable", "lin")
    result = users(runner, "token", "lin")
    assert result.exit_code == 1 and "disabled" in result.output and result.stdout == ""


def test_disabling_no_such_user_fails_on_one_line(runner):
    result = users(runner, "disable", "nobody")
    assert result.exit_code == 1 and result.output.strip() == "Error: no user named 'nobody'"


def test_the_first_line_of_stdin_becomes_the_console_password(runner, session):
    result = users(runner, "create", "wang", "--role", "admin", "--password-stdin", input="correct horse\nignored\n")
    assert result.exit_code == 0, result.output
    stored = user(session, "wang")
    assert password_matches(stored, "correct horse") and not password_matches(stored, "correct horse\n")
    assert not password_matches(stored, "ignored")


def test_the_password_is_stored_salted_and_hashed_never_as_typed(runner, session):
    users(runner, "create", "wang", "--role", "admin", "--password-stdin", input="correct horse\n")
    users(runner, "create", "li", "--role", "admin", "--password-stdin", input="correct horse\n")
    wang, li = user(session, "wang"), user(session, "li")
    assert "correct horse" not in wang.password_hash and wang.password_hash != li.password_hash


def test_with_password_stdin_the_token_is_still_the_last_thing_on_stdout(runner, client):
    result = users(runner, "create", "wang", "--role", "supervisor", "--password-stdin", input="correct horse\n")
    assert tickets_status(client, result.stdout.splitlines()[-1]) == 200


def test_a_too_short_password_creates_no_user(runner, session):
    result = users(runner, "create", "wang", "--role", "admin", "--password-stdin", input="short\n")
    assert result.exit_code == 1 and "at least 8 characters" in result.output
    assert user(session, "wang") is None


def test_without_password_stdin_the_user_has_no_console_password(runner, session):
    users(runner, "create", "lin", "--role", "agent")
    assert user(session, "lin").password_hash is None
