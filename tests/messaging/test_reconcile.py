"""Reconciliation: a row left `sending` is looked up at Twilio before anything is sent again."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sqlalchemy import select

from app.database import begin_write
from app.messaging.claims import claim_due
from app.messaging.models import Message
from app.messaging.outbox import queue_text

PHONE = "+8613800138000"
TICKET = {"ticket_number": "10012342", "kind_label": "报修", "hotline": "400 675 7888"}
PAST_GRACE = timedelta(seconds=60 + 120 + 1)  # default lease and grace


def queue(session, clock, dedupe_key=None):
    message = queue_text(session, phone=PHONE, template="ticket_created", context=TICKET, now=clock.now(),
                         dedupe_key=dedupe_key)
    session.commit()
    return message


def claim_and_die(session, clock, token="dead"):
    """A dispatcher claims (committed) and dies before writing any outcome."""
    begin_write(session)
    texts = claim_due(session, now=clock.now(), token=token, limit=10, lease=timedelta(seconds=60), quiet_hours=None)
    session.commit()
    return texts


def row(session, message) -> Message:
    session.expire_all()
    return session.get(Message, message.id)


def test_a_text_twilio_created_before_the_dispatcher_died_is_found_and_marked_sent(
        session, clock, standin, make_dispatcher):
    message = queue(session, clock)
    dispatcher = make_dispatcher()
    claim_and_die(session, clock)
    dispatcher.backend.send(PHONE, message.body)  # Twilio answered; the answer was never written
    clock.advance(seconds=PAST_GRACE.total_seconds())
    assert dispatcher.reconcile() == {"found": 1}
    stored = row(session, message)
    assert (stored.status, stored.sid, stored.reconciliation) == ("sent", standin.messages[0]["sid"], "found")


def test_a_found_text_is_never_sent_again(session, clock, standin, make_dispatcher):
    message = queue(session, clock)
    dispatcher = make_dispatcher()
    claim_and_die(session, clock)
    dispatcher.backend.send(PHONE, message.body)
    clock.advance(seconds=PAST_GRACE.total_seconds())
    dispatcher.run_pass()
    dispatcher.run_pass()
    assert len(standin.messages) == 1


def test_a_claimed_text_twilio_never_created_is_sent_once(session, clock, standin, make_dispatcher):
    message = queue(session, clock)
    dispatcher = make_dispatcher()
    claim_and_die(session, clock)
    clock.advance(seconds=PAST_GRACE.total_seconds())
    counts = dispatcher.run_pass()
    assert counts["resent"] == 1 and counts["sent"] == 1 and len(standin.messages) == 1
    assert row(session, message).reconciliation == "resent"


def test_a_stale_claim_is_left_alone_until_its_grace_period_ends(session, clock, standin, make_dispatcher):
    message = queue(session, clock)
    claim_and_die(session, clock)
    clock.advance(seconds=PAST_GRACE.total_seconds() - 2)
    assert make_dispatcher().run_pass() == {}
    assert row(session, message).status == "sending" and standin.requests == []


def test_an_identical_text_created_before_the_claim_is_not_taken_for_it(session, clock, standin, make_dispatcher):
    clock.set(datetime.now(timezone.utc) + timedelta(hours=1))  # the stand-in stamps real time
    message = queue(session, clock)
    dispatcher = make_dispatcher()
    dispatcher.backend.send(PHONE, message.body)  # an hour "before" the claim
    claim_and_die(session, clock)
    clock.advance(seconds=PAST_GRACE.total_seconds())
    assert dispatcher.reconcile() == {"resent": 1}


def test_a_message_another_row_already_holds_is_not_taken(session, clock, standin, make_dispatcher):
    dispatcher = make_dispatcher()
    first = queue(session, clock, dedupe_key="first")
    dispatcher.run_pass()
    second = queue(session, clock, dedupe_key="second")  # same body, same number
    claim_and_die(session, clock)
    clock.advance(seconds=PAST_GRACE.total_seconds())
    assert dispatcher.reconcile() == {"resent": 1}
    assert row(session, first).sid == standin.messages[0]["sid"] and row(session, second).status == "queued"


def test_a_timeout_after_twilio_created_the_text_is_settled_as_found(session, clock, standin, make_dispatcher):
    message = queue(session, clock)
    dispatcher = make_dispatcher(sms_twilio_timeout=0.3)
    standin.set_delay(60)  # created, never answered in time (cut short when the stand-in stops)
    assert dispatcher.run_pass()["unknown"] == 1
    assert standin.wait_for(lambda s: len(s.messages) == 1)  # the client may give up before it is made
    standin.set_delay(0)
    clock.advance(seconds=PAST_GRACE.total_seconds())
    assert dispatcher.run_pass()["found"] == 1
    assert row(session, message).sid == standin.messages[0]["sid"] and len(standin.messages) == 1


def test_a_server_error_that_created_nothing_is_resent_with_backoff_after_the_grace(
        session, clock, standin, make_dispatcher):
    message = queue(session, clock)
    dispatcher = make_dispatcher()
    standin.fail_next(http_status=503, code=20503)
    dispatcher.run_pass()
    assert row(session, message).reconciliation == "pending"
    clock.advance(seconds=PAST_GRACE.total_seconds())
    assert dispatcher.run_pass() == {"resent": 1}
    assert row(session, message).send_after >= clock.now() + timedelta(seconds=30)
    clock.set(row(session, message).send_after)
    assert dispatcher.run_pass()["sent"] == 1 and len(standin.messages) == 1


def test_when_twilio_cannot_be_asked_the_row_waits_then_goes_to_staff(session, clock, make_dispatcher):
    message = queue(session, clock)
    unreachable = make_dispatcher(twilio_api_url="http://127.0.0.1:9")  # nothing listens on the discard port
    claim_and_die(session, clock)
    clock.advance(seconds=PAST_GRACE.total_seconds())
    assert unreachable.reconcile() == {"lookup_failed": 1}
    assert row(session, message).status == "sending"
    clock.advance(hours=25)
    assert unreachable.reconcile() == {"staff": 1}
    stored = row(session, message)
    assert (stored.status, stored.reconciliation) == ("needs_reconciliation", "staff")


def test_with_the_log_backend_a_stale_claim_is_simply_queued_again(session, clock, make_dispatcher):
    message = queue(session, clock)
    claim_and_die(session, clock)
    clock.advance(seconds=PAST_GRACE.total_seconds())
    counts = make_dispatcher(sms_backend="log").run_pass()
    assert counts["resent"] == 1 and row(session, message).status == "sent"


def test_a_resend_out_of_attempts_fails_instead(session, clock, standin, make_dispatcher):
    message = queue(session, clock)
    claim_and_die(session, clock)
    clock.advance(seconds=PAST_GRACE.total_seconds())
    assert make_dispatcher(sms_max_attempts=1).reconcile() == {"failed": 1}
    assert row(session, message).status == "failed" and standin.messages == []
    assert session.scalar(select(Message.reconciliation)) == "resent"
