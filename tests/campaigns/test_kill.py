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
from datetime import datetime, timedelta, timezone
from pathlib import Path

from sqlalchemy import func, select, text

from app.campaigns.models import CampaignRecipient
from app.campaigns.sending import run_campaign_dispatch
from app.config import Settings
from app.messaging.models import Message
from scheduler.jobs import JOBS, JobContext
from tests.campaigns.conftest import approved, make_owner
from tests.conftest import TWILIO_TEST_SID, TWILIO_TEST_TOKEN, postgresql_only

ROOT = Path(__file__).resolve().parents[2]


def waiting_on_a_lock(database) -> bool:
    with database.engine.connect() as conn:
        return conn.execute(text("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                                 "AND query ILIKE 'INSERT INTO messages%'")).scalar_one() > 0


def kill_dispatcher_when(env: dict, now: datetime, held, what: str) -> None:
    """Run the job campaign_dispatch as its own process and `kill -9` it once `held()` says it is
    stuck where the test holds it (asserting it is still running there)."""
    proc = subprocess.Popen([sys.executable, "-m", "flask", "--app", "wsgi", "jobs", "run", "campaign_dispatch",
                             "--now", now.isoformat()], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        while not held() and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert proc.poll() is None, f"the dispatcher ended instead of {what}"
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()


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
    try:
        kill_dispatcher_when(dict(os.environ, DATABASE_URL=database_url, SMS_BACKEND="log"), clock.now(),
                             lambda: waiting_on_a_lock(database), "waiting inside its batch")
    finally:
        blocker.rollback()
        blocker.close()
    run_campaign_dispatch(database, now=clock.now(), policy=policy)
    texts = dict(session.execute(select(Message.phone, func.count()).group_by(Message.phone)).all())
    assert texts == {phone: 1 for phone in phones}
    assert set(session.scalars(select(CampaignRecipient.status))) == {"queued"}


@postgresql_only
def test_a_dispatcher_killed_inside_a_recall_call_never_calls_that_owner_again(session, database, clock, policy,
                                                                              database_url, standin):
    """Killed while Twilio's answer to a call's create is held (the call exists at Twilio, the row
    has no CallSid): the rerun calls everyone else once, that owner never again, and marks the
    row `unknown` once its claim's lease is over."""
    phones = [make_owner(session, phone=f"+8677123456{n:02d}", kind="fixed_line").phones[0].e164 for n in range(4)]
    recall = approved(session, clock, kind="recall", template="志高安全召回通知：请停用并致电。", rate=10)
    standin.set_delay(600)
    env = dict(os.environ, DATABASE_URL=database_url, SMS_BACKEND="log", VOICE_BACKEND="twilio",
               TWILIO_ACCOUNT_SID=TWILIO_TEST_SID, TWILIO_AUTH_TOKEN=TWILIO_TEST_TOKEN, TWILIO_API_URL=standin.url,
               TWILIO_SMS_FROM="+15005550006", PUBLIC_BASE_URL="https://cc.example.com")
    kill_dispatcher_when(env, clock.now(), lambda: len(standin.calls) == 1,
                         "waiting for Twilio's answer to its call")
    standin.set_delay(0)
    settings = Settings(database_url=database_url, twilio_account_sid=TWILIO_TEST_SID,
                        twilio_auth_token=TWILIO_TEST_TOKEN, sms_backend="log", twilio_api_url=standin.url,
                        voice_backend="twilio", sms_from="+15005550006", public_base_url="https://cc.example.com")
    context = JobContext(database, settings)
    for minutes in (1, 2, 15):
        JOBS["campaign_dispatch"](context, clock.now() + timedelta(minutes=minutes))
    calls = {}
    for call in standin.calls:
        calls[call["to"]] = calls.get(call["to"], 0) + 1
    assert calls == {phone: 1 for phone in phones}
    session.expire_all()
    statuses = sorted(session.scalars(select(CampaignRecipient.call_status)
                                      .where(CampaignRecipient.campaign_id == recall.id)))
    assert statuses == ["placed", "placed", "placed", "unknown"]
