"""`jobs run outbox_dispatch --now`: a pass ahead of time harms no real-time pass after it.

--now moves business time only (what is due, quiet hours); claims, leases, pacing slots and the
reconciliation window keep to the real clock. The real clock here is the app's clock, started at
the real time because the stand-in stamps its messages with the real time; it moves only when
the dispatcher waits on it (a pacing slot) or the test moves it.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from app.clock import FixedClock
from app.messaging.models import Message, SenderPace
from app.messaging.outbox import queue_text
from tests.messaging.conftest import SENDER

TICKET = {"ticket_number": "10012342", "kind_label": "报修", "hotline": "400 675 7888"}
PAST_LEASE_AND_GRACE = timedelta(seconds=60 + 120 + 1)  # default lease and reconciliation grace


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(datetime.now(timezone.utc))


@pytest.fixture
def twilio_timeout() -> float:
    return 30.0


@pytest.fixture
def settings(twilio_settings, twilio_timeout):
    """Sending through the SDK to the stand-in, paced as a long code is (1 segment/s)."""
    return replace(twilio_settings, sms_rate_per_second=1.0, sms_twilio_timeout=twilio_timeout)


def queue(session, clock, *phones: str) -> None:
    for phone in phones:
        queue_text(session, phone=phone, template="ticket_created", context=TICKET, now=clock.now())
    session.commit()


def dispatch(runner, now: datetime | None = None) -> str:
    args = ["jobs", "run", "outbox_dispatch"] + (["--now", now.isoformat()] if now else [])
    result = runner.invoke(args=args)
    assert result.exit_code == 0, result.output
    return result.output


def next_slot(session) -> datetime:
    session.expire_all()
    return session.get(SenderPace, SENDER).next_slot_at


def sent_once_each(session, standin) -> bool:
    """Every row sent, and the stand-in holding exactly one message per row."""
    session.expire_all()
    rows = session.scalars(select(Message).where(Message.direction == "out")).all()
    per_phone = Counter(m["to"] for m in standin.messages)
    return all(r.status == "sent" for r in rows) and per_phone == Counter(r.phone for r in rows)


def test_a_pass_hours_ahead_leaves_the_pacing_at_the_real_time(runner, session, clock, standin):
    queue(session, clock, "+8613900139001", "+8613900139002", "+8613900139003")
    assert "sent 3" in dispatch(runner, now=clock.now() + timedelta(hours=8))
    assert next_slot(session) <= clock.now() + timedelta(seconds=1)


def test_real_time_passes_after_a_pass_hours_ahead_send_everything_once_without_waiting(
        runner, session, clock, standin):
    queue(session, clock, "+8613900139001", "+8613900139002")
    dispatch(runner, now=clock.now() + timedelta(hours=8))
    queue(session, clock, "+8613900139003", "+8613900139004")
    before = clock.now()
    assert "sent 2" in dispatch(runner)
    assert clock.now() - before <= timedelta(seconds=2)  # its own two slots, not hours
    assert sent_once_each(session, standin)


def twilio_fails(standin, how: str) -> None:
    if how == "500 after creating":
        standin.fail_next(2, http_status=500, code=20500, created=True)
    else:
        standin.set_delay(60)  # never answered within the request timeout


# The answer is "unknown" whether the short timeout or the 500 comes first: both are tried.
@pytest.mark.parametrize("twilio_timeout", [0.5])
@pytest.mark.parametrize("how", ["500 after creating", "no answer"])
@pytest.mark.parametrize("ahead", [timedelta(minutes=5), timedelta(minutes=30)], ids=["5min", "30min"])
def test_a_text_twilio_made_during_a_failed_pass_ahead_is_found_not_sent_again(
        runner, session, clock, standin, ahead, how):
    queue(session, clock, "+8613900139001", "+8613900139002")
    twilio_fails(standin, how)
    assert "unknown 2" in dispatch(runner, now=clock.now() + ahead)
    assert standin.wait_for(lambda s: len(s.messages) == 2)  # a client may give up before Twilio has made it
    standin.set_delay(0)
    clock.advance(seconds=(ahead + PAST_LEASE_AND_GRACE).total_seconds())
    assert "found 2" in dispatch(runner)
    dispatch(runner)
    assert sent_once_each(session, standin)


def test_a_pass_does_not_wait_past_its_budget_for_a_pacing_slot(session, clock, standin, make_dispatcher):
    queue(session, clock, "+8613900139001")
    session.add(SenderPace(sender=SENDER, next_slot_at=clock.now() + timedelta(seconds=30)))  # another dispatcher's
    session.commit()
    start = clock.now()
    counts = make_dispatcher(sms_rate_per_second=1.0, sms_twilio_timeout=2).run_pass(budget=timedelta(seconds=20))
    assert counts["released"] == 1 and standin.requests == []
    assert clock.now() == start  # nothing waited for
    assert session.scalar(select(Message.status)) == "queued"


def test_pacing_left_hours_ahead_by_an_older_pass_starts_again_from_now(session, clock, standin, make_dispatcher):
    queue(session, clock, "+8613900139001")
    session.add(SenderPace(sender=SENDER, next_slot_at=clock.now() + timedelta(hours=8)))
    session.commit()
    start = clock.now()
    assert make_dispatcher(sms_rate_per_second=1.0).run_pass()["sent"] == 1
    assert clock.now() == start and next_slot(session) == start + timedelta(seconds=1)


def test_stale_texts_a_pass_has_no_time_to_look_up_are_handed_back_for_the_next(
        session, clock, standin, make_dispatcher):
    queue(session, clock, "+8613900139001", "+8613900139002", "+8613900139003")
    standin.fail_next(3, http_status=500, code=20500)
    dispatcher = make_dispatcher(sms_twilio_timeout=10)
    dispatcher.run_pass()
    clock.advance(seconds=PAST_LEASE_AND_GRACE.total_seconds())
    look_up = dispatcher.backend.created_since

    def slow_lookup(phone, since):  # each lookup takes Twilio 10 s, on the test clock
        clock.advance(seconds=10)
        return look_up(phone, since)

    dispatcher.backend.created_since = slow_lookup
    # At 0 and 10 s a lookup can end within the 25 s; at 20 s one could not.
    assert dispatcher.reconcile(deadline=clock.now() + timedelta(seconds=25)) == {"resent": 2}
    assert dispatcher.reconcile() == {"resent": 1}  # the third is stale again at once
