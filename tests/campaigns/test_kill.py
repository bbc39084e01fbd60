"""`kill -9` of campaign_dispatch mid-batch (PostgreSQL, a real process): the rerun texts every
recipient once. The test holds, in a transaction of its own, an outbox row with the dedupe key of
one recipient, so the dispatcher's INSERT of that text waits on the unique index inside its
batch: it is killed there, with texts of the batch written but not committed."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

from sqlalchemy import func, select, text

from app.campaigns.models import CampaignRecipient
from app.campaigns.sending import run_campaign_dispatch
from app.messaging.models import Message
from tests.campaigns.conftest import approved, make_owner
from tests.conftest import postgresql_only

ROOT = Path(__file__).resolve().parents[2]


def waiting_on_a_lock(database) -> bool:
    with database.engine.connect() as conn:
        return conn.execute(text("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                                 "AND query ILIKE 'INSERT INTO messages%'")).scalar_one() > 0


@postgresql_only
def test_a_dispatcher_killed_mid_batch_texts_nobody_twice_and_nobody_is_skipped(session, database, clock, policy,
                                                                                database_url):
    phones = sorted(make_owner(session).phones[0].e164 for _ in range(30))
    campaign = approved(session, clock, rate=6000)
    blocker = database.engine.connect()
    blocker.execute(text("INSERT INTO messages (direction, phone, body, category, priority, status, dedupe_key, "
                         "attempts, created_at, send_after, segments) VALUES ('out', :p, 'held', 'reminder', 5, "
                         "'refused', :k, 0, :t, :t, 1)"),
                    {"p": phones[15], "k": f"campaign:{campaign.id}:{phones[15]}", "t": datetime.now(timezone.utc)})
    env = dict(os.environ, DATABASE_URL=database_url, SMS_BACKEND="log")
    proc = subprocess.Popen([sys.executable, "-m", "flask", "--app", "wsgi", "jobs", "run", "campaign_dispatch",
                             "--now", clock.now().isoformat()], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        while not waiting_on_a_lock(database) and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert proc.poll() is None, "the dispatcher ended instead of waiting inside its batch"
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
        blocker.rollback()
        blocker.close()
    run_campaign_dispatch(database, now=clock.now(), policy=policy)
    texts = dict(session.execute(select(Message.phone, func.count()).group_by(Message.phone)).all())
    assert texts == {phone: 1 for phone in phones}
    assert set(session.scalars(select(CampaignRecipient.status))) == {"queued"}
