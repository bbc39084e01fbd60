"""The kill test: `kill -9` the dispatcher process five times during a 10,000-text run on PostgreSQL.

Real processes throughout: the stand-in (`python -m tests.twilio_standin --log FILE`) and the
dispatcher (`python -m app.dispatcher`), the real SDK between them. Afterwards the
stand-in's log must show no row texted twice, and every row must be sent (with the sid the
stand-in gave it) or explicitly marked for reconciliation.
"""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path

import pytest
from sqlalchemy import insert, select, text

from app.database import Database
from app.messaging.models import Message
from app.models import Base
from tests.conftest import TWILIO_TEST_SID, TWILIO_TEST_TOKEN

ROOT = Path(__file__).resolve().parents[2]
TEXTS = 10_000
KILLS = 5


@pytest.fixture
def pg_database(pg_migrated):
    """The migrated PostgreSQL test schema, emptied before and after."""
    db = Database(pg_migrated)
    tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    with db.engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    yield db
    with db.engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    db.dispose()


@pytest.fixture
def standin_process(tmp_path):
    """The stand-in as its own process; yields its URL and the path of its log of created messages."""
    log = tmp_path / "sent.jsonl"
    proc = subprocess.Popen([sys.executable, "-m", "tests.twilio_standin", "--port", "0", "--log", str(log),
                             "--account-sid", TWILIO_TEST_SID, "--auth-token", TWILIO_TEST_TOKEN],
                            cwd=ROOT, stdout=subprocess.PIPE, text=True)
    url = proc.stdout.readline().strip()
    yield url, log
    proc.terminate()
    proc.wait(timeout=30)
    proc.stdout.close()


def queue_texts(db: Database, count: int) -> None:
    """`count` queued texts, each to its own number, so the log shows any row sent twice."""
    now = datetime.now(timezone.utc)
    rows = [{"direction": "out", "phone": f"+86139{i:08d}", "body": f"【志高】您的工单{i:08d}已受理。",
             "category": "transactional", "priority": 0, "status": "queued", "attempts": 0, "segments": 1,
             "created_at": now, "send_after": now} for i in range(count)]
    with db.engine.begin() as conn:
        conn.execute(insert(Message.__table__), rows)


def logged(log: Path) -> list[dict]:
    """The stand-in's log as far as it is written: a last line still being written is not read yet."""
    if not log.exists():
        return []
    complete, _, _partial = log.read_text(encoding="utf-8").rpartition("\n")
    return [json.loads(line) for line in complete.splitlines() if line.strip()]


def dispatcher(url: str, api_url: str, *extra: str) -> subprocess.Popen:
    env = dict(os.environ, DATABASE_URL=url, SMS_BACKEND="twilio", TWILIO_ACCOUNT_SID=TWILIO_TEST_SID,
               TWILIO_AUTH_TOKEN=TWILIO_TEST_TOKEN, TWILIO_API_URL=api_url, TWILIO_SMS_FROM="+15005550006",
               PUBLIC_BASE_URL="https://cc.example.com", SMS_RATE_PER_SECOND="0", SMS_QUIET_HOURS="",
               # Short leases keep the test short; the grace still outlasts the request timeout.
               SMS_LEASE_SECONDS="4", SMS_RECONCILE_GRACE_SECONDS="2", SMS_TWILIO_TIMEOUT="1")
    return subprocess.Popen([sys.executable, "-m", "app.dispatcher", "--workers", "2", "--poll", "0.2",
                             *extra], cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def wait_for_lines(log: Path, at_least: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and len(logged(log)) < at_least:
        time.sleep(0.1)


@pytest.fixture
def start_dispatcher():
    """`start_dispatcher(url, api_url, *args)`; any still running at the end is killed, so a failing
    test leaves no dispatcher behind to take rows from the next one."""
    started: list[subprocess.Popen] = []

    def start(*args: str) -> subprocess.Popen:
        started.append(dispatcher(*args))
        return started[-1]

    yield start
    for proc in started:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=30)


def test_kill_9_five_times_sends_no_row_twice_and_settles_every_row(pg_database, standin_process, start_dispatcher):
    api_url, log = standin_process
    queue_texts(pg_database, TEXTS)
    for kill in range(1, KILLS + 1):
        proc = start_dispatcher(pg_database.url, api_url)
        # Kill mid-run: once this process has sent a good share more than the last one left.
        wait_for_lines(log, at_least=kill * TEXTS // (KILLS + 2), timeout=60)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
        assert proc.returncode == -signal.SIGKILL
    final = start_dispatcher(pg_database.url, api_url, "--until-idle")
    assert final.wait(timeout=300) == 0

    created = logged(log)
    assert max(Counter(entry["to"] for entry in created).values()) == 1, "a row was texted twice"
    with pg_database.session() as session:
        rows = session.execute(select(Message.status, Message.sid, Message.reconciliation)).all()
    assert len(rows) == TEXTS
    assert Counter(r.status for r in rows).keys() <= {"sent", "needs_reconciliation"}
    assert {r.sid for r in rows if r.status == "sent"} == {entry["sid"] for entry in created}
    # The kills did land between Twilio's answer and the commit, and reconciliation found those texts.
    assert any(r.reconciliation == "found" for r in rows)
