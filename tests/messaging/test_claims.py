"""Claims: several dispatchers share the outbox; no row is ever claimed twice."""
from __future__ import annotations

import threading
from datetime import timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from app.database import begin_write
from app.messaging.claims import claim_due, claim_stale, outbox_idle, release, settle_unsendable
from app.messaging.models import Message, SmsBlock, Suppression
from app.messaging.quiet_hours import QuietHours

SHANGHAI = ZoneInfo("Asia/Shanghai")
LEASE = timedelta(seconds=60)


def add(session, clock, *, phone="+8613800138000", category="transactional", priority=0, delay=timedelta(0),
        status="queued"):
    message = Message(direction="out", phone=phone, body=f"【志高】{category}", category=category, priority=priority,
                      status=status, attempts=0, created_at=clock.now(), send_after=clock.now() + delay, segments=1)
    session.add(message)
    session.flush()
    return message


def claim(session, clock, token="t1", limit=10, quiet=None):
    begin_write(session)
    texts = claim_due(session, now=clock.now(), token=token, limit=limit, lease=LEASE, quiet_hours=quiet)
    session.commit()
    return texts


def test_transactional_goes_before_survey_before_reminder_before_marketing(session, clock):
    for category, priority in (("marketing", 9), ("reminder", 5), ("survey", 1), ("transactional", 0)):
        add(session, clock, category=category, priority=priority)
    session.commit()
    assert [t.category for t in claim(session, clock)] == ["transactional", "survey", "reminder", "marketing"]


def test_a_small_claim_takes_the_transactional_text_ahead_of_older_bulk(session, clock):
    for _ in range(5):
        add(session, clock, category="marketing", priority=9)
    urgent = add(session, clock, category="transactional", priority=0)
    session.commit()
    assert [t.id for t in claim(session, clock, limit=1)] == [urgent.id]


def test_a_claim_is_committed_as_sending_with_its_lease_before_anything_is_sent(app, session, clock):
    message = add(session, clock)
    session.commit()
    claim(session, clock, token="abc")
    with app.extensions["database"].session() as other:
        row = other.get(Message, message.id)
        assert (row.status, row.lease_token, row.attempts) == ("sending", "abc", 1)
        assert row.claimed_at == clock.now() and row.claimed_until == clock.now() + LEASE


def test_a_claimed_row_is_not_claimed_again(session, clock):
    add(session, clock)
    session.commit()
    assert len(claim(session, clock, token="a")) == 1
    assert claim(session, clock, token="b") == []


def test_concurrent_claimants_split_the_rows_between_them(app, session, clock):
    for n in range(60):
        add(session, clock, phone=f"+86139001390{n:02d}")
    session.commit()
    database, taken, errors = app.extensions["database"], [], []

    def claimant(name: str) -> None:
        try:
            while True:
                with database.session() as s:
                    texts = claim(s, clock, token=name, limit=7)
                if not texts:
                    return
                taken.extend(t.id for t in texts)
        except Exception as exc:  # surfaced below: a thread's failure must fail the test
            errors.append(exc)

    threads = [threading.Thread(target=claimant, args=(f"w{n}",)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert sorted(taken) == sorted(set(taken)) and len(taken) == 60


def test_texts_due_later_are_not_claimed(session, clock):
    add(session, clock, delay=timedelta(minutes=5))
    session.commit()
    assert claim(session, clock) == []


def test_reminders_and_marketing_are_not_claimed_in_quiet_hours(session, clock):
    clock.set(clock.now().astimezone(SHANGHAI).replace(hour=21))
    add(session, clock, category="reminder", priority=5)
    add(session, clock, category="marketing", priority=9)
    add(session, clock, category="transactional")
    session.commit()
    assert [t.category for t in claim(session, clock, quiet=QuietHours())] == ["transactional"]


def test_a_reminder_to_a_number_that_opted_out_after_it_was_queued_is_settled_not_sent(session, clock):
    add(session, clock, category="reminder", priority=5)
    add(session, clock, category="transactional")
    session.add(Suppression(phone="+8613800138000", source="sms", reason="T", created_at=clock.now()))
    session.commit()
    begin_write(session)
    texts = claim_due(session, now=clock.now(), token="t", limit=10, lease=LEASE, quiet_hours=None)
    sendable, settled = settle_unsendable(session, texts, clock.now())
    session.commit()
    assert [t.category for t in sendable] == ["transactional"] and settled == {"suppressed": 1}
    reminder = session.scalar(select(Message).where(Message.category == "reminder"))
    assert (reminder.status, reminder.lease_token) == ("suppressed", None)


def test_a_text_to_a_number_blocked_after_it_was_queued_is_refused(session, clock):
    add(session, clock)
    session.add(SmsBlock(phone="+8613800138000", reason="landline", error_code=21614, created_at=clock.now()))
    session.commit()
    texts = claim(session, clock)
    sendable, settled = settle_unsendable(session, texts, clock.now())
    assert sendable == [] and settled == {"refused": 1}


def test_release_gives_unsent_texts_back_without_counting_the_attempt(session, clock):
    message = add(session, clock)
    session.commit()
    claim(session, clock, token="t")
    release(session, "t", [message.id])
    session.commit()
    session.refresh(message)
    assert (message.status, message.attempts, message.lease_token) == ("queued", 0, None)


def test_release_with_another_token_changes_nothing(session, clock):
    message = add(session, clock)
    session.commit()
    claim(session, clock, token="t")
    release(session, "someone-else", [message.id])
    session.commit()
    session.refresh(message)
    assert message.status == "sending"


def test_stale_claims_are_taken_over_only_after_lease_and_grace(session, clock):
    message = add(session, clock)
    session.commit()
    claimed_at = clock.now()
    claim(session, clock, token="dead")
    grace = timedelta(seconds=120)
    clock.advance(seconds=60 + 119)
    assert claim_stale(session, now=clock.now(), grace=grace, token="r", lease=LEASE, limit=10) == []
    clock.advance(seconds=2)
    (stale,) = claim_stale(session, now=clock.now(), grace=grace, token="r", lease=LEASE, limit=10)
    session.commit()
    session.refresh(message)
    assert (stale.id, stale.claimed_at, message.lease_token) == (message.id, claimed_at, "r")


def test_the_outbox_is_idle_when_nothing_is_due_or_claimed(session, clock):
    assert outbox_idle(session, clock.now())
    add(session, clock, delay=timedelta(hours=1))
    session.commit()
    assert outbox_idle(session, clock.now())
    add(session, clock, status="sending")
    session.commit()
    assert not outbox_idle(session, clock.now())
