"""Two `python -m scheduler` processes: one leads, the other waits; kill -9 the leader and the
standby runs the next due job within 30 s, and no job slot ever runs twice.

Real processes and real time (bounded: about 15 s per database); a short interval job
(`--every sla_sweep=1`) makes the runs frequent enough to see.
"""
import os
import signal
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

import pytest

from app.database import Database
from scheduler.ledger import runs_of

ROOT = Path(__file__).resolve().parents[2]
TAKEOVER_LIMIT = 30.0


@pytest.fixture
def start_scheduler(database_url, tmp_path):
    """`start_scheduler("first")` -> a running `python -m scheduler` (its log in tmp_path); all stopped after."""
    started: list[tuple[subprocess.Popen, object]] = []

    def start(name: str) -> subprocess.Popen:
        env = {**os.environ, "DATABASE_URL": database_url, "SMS_BACKEND": "log", "PYTHONPATH": str(ROOT)}
        env.pop("TWILIO_ACCOUNT_SID", None)
        log = (tmp_path / f"{name}.log").open("w")
        process = subprocess.Popen([sys.executable, "-m", "scheduler", "--only", "sla_sweep", "--every", "sla_sweep=1"],
                                   cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=log)
        started.append((process, log))
        return process

    yield start
    for process, log in started:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=15)
        log.close()


def runner_of(process: subprocess.Popen) -> str:
    return f":{process.pid}"


def wait_for(condition, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.2)
    pytest.fail(f"timed out after {timeout:.0f} s waiting for {what}")


@pytest.fixture
def database(database_url):
    database = Database(database_url)
    yield database
    database.dispose()


def test_killing_the_leader_hands_over_within_30s_and_no_slot_runs_twice(database, start_scheduler, tmp_path):
    def log_of(name: str) -> str:
        return (tmp_path / f"{name}.log").read_text(encoding="utf-8")

    def ran_by(process):
        return [r for r in runs_of(database, "sla_sweep") if r.runner.endswith(runner_of(process))]

    first = start_scheduler("first")
    wait_for(lambda: len(ran_by(first)) >= 2, 20, "the first scheduler to lead and run")
    second = start_scheduler("second")
    wait_for(lambda: "standby" in log_of("second"), 30, "the second scheduler to start")
    # Both alive: while the first runs two more slots, the second must only wait.
    runs_before = len(ran_by(first))
    wait_for(lambda: len(ran_by(first)) >= runs_before + 2, 20, "the leader to keep running")
    assert ran_by(second) == []

    first.send_signal(signal.SIGKILL)
    first.wait(timeout=10)
    killed_at = datetime.now(timezone.utc)
    taken = wait_for(lambda: ran_by(second), TAKEOVER_LIMIT + 5, "the standby to take over")
    assert (taken[0].started_at - killed_at).total_seconds() < TAKEOVER_LIMIT
    wait_for(lambda: len(ran_by(second)) >= 3, 10, "the new leader to keep running")
    second.send_signal(signal.SIGTERM)
    second.wait(timeout=15)

    runs = runs_of(database, "sla_sweep")
    slots = [r.slot for r in runs]
    assert len(slots) == len(set(slots)), "a slot ran twice"
    by_first = [r for r in runs if r.runner.endswith(runner_of(first))]
    by_second = [r for r in runs if r.runner.endswith(runner_of(second))]
    assert len(by_first) + len(by_second) == len(runs)
    assert max(r.slot for r in by_first) < min(r.slot for r in by_second), "both processes ran jobs"
    assert all(r.outcome == "ok" for r in by_second)
