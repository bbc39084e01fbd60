"""A new user never meets a traceback: a setting that cannot work, or a database that is not
there, stops every command with one line on stderr and a non-zero exit (interfaces.md, Commands).

The real commands run in a subprocess from the repository with nothing but the environment given.
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from app.config import PROJECT_ROOT
from tests.commands.conftest import closed_port

FLASK = str(Path(sys.executable).parent / "flask")
CREDENTIALS = {"TWILIO_ACCOUNT_SID": "AC" + "1" * 32, "TWILIO_AUTH_TOKEN": "a-secret-token"}

MISCONFIGURED = {
    "twilio without credentials": {"SMS_BACKEND": "twilio"},
    "twilio without a sender": {"SMS_BACKEND": "twilio", **CREDENTIALS},
    "credentials without a sender": CREDENTIALS,
    "an unknown sms backend": {"SMS_BACKEND": "carrier-pigeon"},
    "a database url that is garbage": {"DATABASE_URL": "garbage"},
    "a database of another kind": {"DATABASE_URL": "mysql://x"},
    "quiet hours that are no hours": {"SMS_QUIET_HOURS": "late"},
}
COMMANDS = {
    "jobs list": [FLASK, "--app", "wsgi", "jobs", "list"],
    "jobs run": [FLASK, "--app", "wsgi", "jobs", "run", "outbox_dispatch"],
    "users create": [FLASK, "--app", "wsgi", "users", "create", "lin", "--role", "agent"],
    "sms outbox": [FLASK, "--app", "wsgi", "sms", "outbox"],
    "scheduler": [sys.executable, "-m", "scheduler"],
    "dispatcher": [sys.executable, "-m", "app.dispatcher", "--until-idle"],
}
# Every flask command loads the same app, so two of them stand for all for the settings.
STARTING = {name: COMMANDS[name] for name in ("jobs list", "users create", "scheduler", "dispatcher")}
# Commands that need the database (`jobs list` does not).
DATA_COMMANDS = {name: args for name, args in COMMANDS.items() if name != "jobs list"}


def run(args: list[str], tmp_path: Path, **env: str) -> subprocess.CompletedProcess:
    """`args` in the repository with only PATH, HOME, a SQLite file under `tmp_path` and `env` set."""
    environment = {"PATH": os.environ["PATH"], "HOME": str(tmp_path),
                   "DATABASE_URL": f"sqlite:///{tmp_path / 'service.sqlite3'}", **env}
    return subprocess.run(args, cwd=PROJECT_ROOT, env=environment, capture_output=True, text=True, timeout=120,
                          stdin=subprocess.DEVNULL)


def assert_one_line_error(done: subprocess.CompletedProcess) -> str:
    assert done.returncode != 0, done.stdout
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in done.stderr, done.stderr
    return lines[0]


@pytest.mark.parametrize("command", STARTING.values(), ids=STARTING.keys())
@pytest.mark.parametrize("env", MISCONFIGURED.values(), ids=MISCONFIGURED.keys())
def test_a_setting_that_cannot_work_stops_every_command_on_one_line(tmp_path, env, command):
    line = assert_one_line_error(run(command, tmp_path, **env))
    assert any(name in line for name in env)  # it names what to fix


def test_the_line_says_what_is_missing(tmp_path):
    line = assert_one_line_error(run(COMMANDS["jobs list"], tmp_path, SMS_BACKEND="twilio", **CREDENTIALS))
    assert line == "Error: SMS_BACKEND=twilio needs TWILIO_SMS_FROM or TWILIO_MESSAGING_SERVICE_SID"


def test_a_missing_database_driver_is_one_line_not_a_missing_command(tmp_path):
    line = assert_one_line_error(run(COMMANDS["jobs list"], tmp_path, DATABASE_URL="postgresql+pg8000://cc@db/cc"))
    assert "No such command" not in line and "pg8000" in line


@pytest.mark.parametrize("command", DATA_COMMANDS.values(), ids=DATA_COMMANDS.keys())
def test_a_database_that_does_not_answer_stops_every_data_command_on_one_line(tmp_path, command):
    url = f"postgresql+psycopg://postgres@127.0.0.1:{closed_port()}/test?connect_timeout=3"
    assert "refused" in assert_one_line_error(run(command, tmp_path, DATABASE_URL=url))


@pytest.mark.parametrize("command", DATA_COMMANDS.values(), ids=DATA_COMMANDS.keys())
def test_a_database_not_upgraded_yet_says_to_run_db_upgrade_on_one_line(tmp_path, command):
    assert "run 'flask --app wsgi db upgrade' first" in assert_one_line_error(run(command, tmp_path))
