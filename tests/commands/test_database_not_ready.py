"""Every data command on a database that has not been upgraded yet says so, and how to fix it, on one line."""
from __future__ import annotations

import pytest

COMMANDS = {
    "users create": ["users", "create", "lin", "--role", "agent"],
    "demo seed": ["demo", "seed"],
    "jobs run": ["jobs", "run", "outbox_dispatch", "--now", "2026-07-07T10:00:00+08:00"],
}


@pytest.mark.parametrize("args", COMMANDS.values(), ids=COMMANDS.keys())
def test_a_command_on_a_database_without_tables_says_to_run_db_upgrade(empty_runner, args):
    result = empty_runner.invoke(args=args)
    assert result.exit_code == 1
    assert "run 'flask --app wsgi db upgrade' first" in result.output
    assert isinstance(result.exception, SystemExit)  # a message, not a traceback


def test_an_import_into_a_database_without_tables_says_to_run_db_upgrade(empty_runner, install_list):
    result = empty_runner.invoke(args=["customers", "import", str(install_list(
        ["王伟,13800138000,广西壮族自治区,南宁市,民族大道1号,home_ac,KFR-35GW,HA0001,2024-05-01"]))])
    assert result.exit_code == 1
    assert "run 'flask --app wsgi db upgrade' first" in result.output


def test_once_upgraded_the_same_command_works(empty_runner):
    empty_runner.invoke(args=["db", "upgrade"])
    assert empty_runner.invoke(args=COMMANDS["users create"]).exit_code == 0
