"""The kill test on the `aliyun` backend: `kill -9` the dispatcher five times during a 10,000-text run.

As tests/sms/test_kill.py, with the Alibaba stand-in as its own process and SendBatchSms: no
number may be texted twice, and every row must be sent (under the OutId key the stand-in saw) or
explicitly marked for reconciliation.
"""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections import Counter
from datetime import datetime, timezone

import pytest
from sqlalchemy import insert, select

from app.messaging.aliyun_templates import registry
from app.messaging.models import Message
from tests.aliyun_standin import ACCESS_KEY_ID, ACCESS_KEY_SECRET, SIGN_NAME
from tests.sms.test_kill import KILLS, ROOT, TEXTS, logged, pg_database, wait_for_lines  # noqa: F401 - fixture


@pytest.fixture
def aliyun_process(tmp_path):
    """The Alibaba stand-in as its own process; yields its URL and its log of texts sent."""
    log = tmp_path / "sent.jsonl"
    proc = subprocess.Popen([sys.executable, "-m", "tests.aliyun_standin", "--port", "0", "--log", str(log)],
                            cwd=ROOT, stdout=subprocess.PIPE, text=True)
    url = proc.stdout.readline().strip()
    yield url, log
    proc.terminate()
    proc.wait(timeout=30)
    proc.stdout.close()


def queue_templated(db, count: int) -> None:
    """`count` queued confirmations, each to its own number, as queue_text writes them for Alibaba."""
    now, entry = datetime.now(timezone.utc), registry().get("zh", "ticket_created")
    rows = []
    for i in range(count):
        params = {"hotline": "400 675 7888", "kind_label": "报修", "ticket_number": f"{i:08d}"}
        rows.append({"direction": "out", "phone": f"+86139{i:08d}", "body": entry.compose(SIGN_NAME, params),
                     "template": "ticket_created", "template_lang": "zh", "template_params": json.dumps(params),
                     "category": "transactional", "priority": 0, "status": "queued", "attempts": 0, "segments": 1,
                     "created_at": now, "send_after": now})
    with db.engine.begin() as conn:
        conn.execute(insert(Message.__table__), rows)


def dispatcher(url: str, endpoint: str, *extra: str) -> subprocess.Popen:
    env = dict(os.environ, DATABASE_URL=url, SMS_BACKEND="aliyun", ALIYUN_ACCESS_KEY_ID=ACCESS_KEY_ID,
               ALIYUN_ACCESS_KEY_SECRET=ACCESS_KEY_SECRET, ALIYUN_SMS_SIGN_NAME=SIGN_NAME, ALIYUN_SMS_ENDPOINT=endpoint,
               ALIYUN_BATCH_SIZE="20", SMS_QUIET_HOURS="", SMS_LEASE_SECONDS="4", SMS_RECONCILE_GRACE_SECONDS="2",
               SMS_TWILIO_TIMEOUT="1")
    return subprocess.Popen([sys.executable, "-m", "app.dispatcher", "--workers", "2", "--poll", "0.2",
                             *extra], cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def test_kill_9_five_times_sends_no_number_twice_and_settles_every_row(pg_database, aliyun_process):
    endpoint, log = aliyun_process
    queue_templated(pg_database, TEXTS)
    for kill in range(1, KILLS + 1):
        proc = dispatcher(pg_database.url, endpoint)
        wait_for_lines(log, at_least=kill * TEXTS // (KILLS + 2), timeout=60)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
        assert proc.returncode == -signal.SIGKILL
    final = dispatcher(pg_database.url, endpoint, "--until-idle")
    assert final.wait(timeout=180) == 0

    sent = logged(log)
    assert max(Counter(entry["phone"] for entry in sent).values()) == 1, "a number was texted twice"
    with pg_database.session() as session:
        rows = session.execute(select(Message.status, Message.sid, Message.reconciliation)).all()
    assert len(rows) == TEXTS
    assert Counter(r.status for r in rows).keys() <= {"sent", "delivered", "needs_reconciliation"}
    assert {r.sid for r in rows if r.status != "needs_reconciliation"} == {
        f"{entry['out_id']}/{entry['phone']}" for entry in sent}
    assert any(r.reconciliation == "found" for r in rows)
