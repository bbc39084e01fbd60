"""The dispatcher against the Twilio stand-in: what is sent, when, and what each answer does to a row."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.customers.models import CustomerPhone
from app.messaging.models import Message, SmsBlock, Suppression
from app.messaging.outbox import queue_text
from tests.factories import make_customer
from tests.messaging.conftest import PUBLIC, SENDER

PHONE = "+8613800138000"
TICKET = {"ticket_number": "10012342", "kind_label": "报修", "hotline": "400 675 7888"}


def queue(session, clock, phone=PHONE, **kw):
    message = queue_text(session, phone=phone, template="ticket_created", context=TICKET, now=clock.now(), **kw)
    session.commit()
    return message


def row(session, message) -> Message:
    session.expire_all()
    return session.get(Message, message.id)


def test_a_due_text_is_sent_once_with_the_signature_and_the_status_callback(session, clock, standin, make_dispatcher):
    message = queue(session, clock)
    counts = make_dispatcher().run_pass()
    (sent,) = standin.messages
    assert counts["sent"] == 1
    assert (sent["to"], sent["from"], sent["status_callback"]) == (PHONE, SENDER, f"{PUBLIC}/twilio/sms/status")
    assert sent["body"].startswith("【志高】") and sent["body"] == message.body


def test_the_sid_and_twilios_first_status_are_stored(session, clock, standin, make_dispatcher):
    message = queue(session, clock)
    make_dispatcher().run_pass()
    stored = row(session, message)
    assert (stored.status, stored.sid, stored.twilio_status) == ("sent", standin.messages[0]["sid"], "queued")
    assert stored.sent_at is not None and stored.lease_token is None and stored.attempts == 1


def test_a_second_pass_sends_nothing_again(session, clock, standin, make_dispatcher):
    queue(session, clock)
    dispatcher = make_dispatcher()
    dispatcher.run_pass()
    dispatcher.run_pass()
    assert len(standin.messages) == 1


def test_a_messaging_service_sends_without_a_from_number(session, clock, standin, make_dispatcher):
    queue(session, clock)
    make_dispatcher(sms_from=None, messaging_service_sid="MG" + "1" * 32).run_pass()
    (sent,) = standin.messages
    assert sent["messaging_service_sid"] == "MG" + "1" * 32 and sent["from"] is None


def test_a_text_due_later_waits(session, clock, standin, make_dispatcher):
    queue(session, clock, send_after=clock.now() + timedelta(minutes=5))
    make_dispatcher().run_pass()
    assert standin.messages == []


def test_too_many_requests_is_tried_again_later_with_backoff(session, clock, standin, make_dispatcher):
    message = queue(session, clock)
    standin.fail_next(http_status=429, code=20429)
    counts = make_dispatcher().run_pass()
    stored = row(session, message)
    assert counts["retry"] == 1 and stored.status == "queued" and stored.error_code == 20429
    assert clock.now() + timedelta(seconds=30) <= stored.send_after <= clock.now() + timedelta(seconds=60)


def test_the_backoff_grows_with_each_attempt(session, clock, standin, make_dispatcher):
    message = queue(session, clock)
    dispatcher, waits = make_dispatcher(), []
    for _ in range(3):
        standin.fail_next(http_status=429, code=20429)
        dispatcher.run_pass()
        waits.append(row(session, message).send_after - clock.now())
        clock.set(row(session, message).send_after)
    assert waits[0] < waits[1] < waits[2]


def test_retries_are_bounded(session, clock, standin, make_dispatcher):
    message = queue(session, clock)
    dispatcher = make_dispatcher(sms_max_attempts=2)
    for _ in range(2):
        standin.fail_next(http_status=429, code=20429)
        dispatcher.run_pass()
        clock.set(row(session, message).send_after)
    stored = row(session, message)
    assert stored.status == "failed" and "gave up after 2 attempts" in stored.error_message
    assert standin.messages == []


def test_an_unreachable_handset_at_create_is_tried_again(session, clock, standin, make_dispatcher):
    message = queue(session, clock)
    standin.fail_next(http_status=400, code=30003)
    make_dispatcher().run_pass()
    assert row(session, message).status == "queued"


def test_a_server_error_is_not_resent_blindly_but_left_for_reconciliation(session, clock, standin, make_dispatcher):
    message = queue(session, clock)
    standin.fail_next(http_status=500, code=20500)
    counts = make_dispatcher().run_pass()
    stored = row(session, message)
    assert counts["unknown"] == 1 and stored.status == "sending" and stored.claimed_until <= clock.now()
    assert "reconciled" in stored.error_message


def test_an_unsubscribed_recipient_fails_for_good_and_is_suppressed(session, clock, standin, make_dispatcher):
    message = queue(session, clock)
    standin.fail_next(http_status=400, code=21610)
    make_dispatcher().run_pass()
    assert row(session, message).status == "failed"
    assert session.get(Suppression, PHONE).source == "twilio"


def test_a_landline_fails_for_good_and_is_marked_for_calls_instead(session, clock, standin, make_dispatcher):
    make_customer(session, phone=PHONE)
    message = queue(session, clock)
    standin.fail_next(http_status=400, code=21614)
    make_dispatcher().run_pass()
    assert row(session, message).status == "failed"
    assert session.get(SmsBlock, PHONE).reason == "landline"
    assert session.scalar(select(CustomerPhone.kind).where(CustomerPhone.e164 == PHONE)) == "fixed_line"


@pytest.mark.parametrize("code, reason", [(21211, "invalid"), (30006, "landline")])
def test_other_permanent_codes_block_the_number(session, clock, standin, make_dispatcher, code, reason):
    queue(session, clock)
    standin.fail_next(http_status=400, code=code)
    make_dispatcher().run_pass()
    assert session.get(SmsBlock, PHONE).reason == reason


def test_a_blocked_number_gets_no_second_try_from_later_texts(session, clock, standin, make_dispatcher):
    standin.fail_for(PHONE, http_status=400, code=21614)
    queue(session, clock, dedupe_key="first")
    dispatcher = make_dispatcher()
    dispatcher.run_pass()
    later = queue(session, clock, dedupe_key="second")
    dispatcher.run_pass()
    assert row(session, later).status == "refused"
    assert len([r for r in standin.requests if r["method"] == "POST"]) == 1


def test_refused_credentials_stop_the_pass_and_leave_texts_queued(session, clock, standin, make_dispatcher):
    first, second = queue(session, clock), queue(session, clock, phone="+8613900139000")
    counts = make_dispatcher(twilio_auth_token="wrong").run_pass()
    assert counts["halt"] == 1
    assert [row(session, m).status for m in (first, second)] == ["queued", "queued"]
    assert [row(session, m).attempts for m in (first, second)] == [0, 0]


def test_paced_texts_are_sent_at_their_slots(session, clock, standin, make_dispatcher, sleeps):
    for n in range(4):
        queue(session, clock, phone=f"+86139001390{n:02d}")
    start = clock.now()
    make_dispatcher(sms_rate_per_second=2.0).run_pass()
    assert len(standin.messages) == 4
    assert clock.now() - start == timedelta(seconds=1.5)  # slots at 0, 0.5, 1.0 and 1.5 s


def test_a_text_whose_request_could_outlast_the_lease_is_released_not_sent(session, clock, standin, make_dispatcher):
    for n in range(3):
        queue(session, clock, phone=f"+86139001390{n:02d}")
    dispatcher = make_dispatcher(sms_lease_seconds=5, sms_twilio_timeout=2, sms_batch_size=3)
    send = dispatcher.backend.send

    def slow_answer(phone, body):  # Twilio takes 2 s to answer, on the test clock
        clock.advance(seconds=2)
        return send(phone, body)

    dispatcher.backend.send = slow_answer
    counts = dispatcher.run_pass(budget=timedelta(seconds=5.5))
    # At 4 s a third request could run until 6 s, past the lease's 5 s: it is not started (and
    # the pass ends there, since no request could finish within its 5.5 s).
    assert counts["sent"] == 2 and counts["released"] == 1 and len(standin.messages) == 2
    assert sorted((m.status, m.attempts) for m in session.scalars(select(Message))) == [
        ("queued", 0), ("sent", 1), ("sent", 1)]


def test_the_log_backend_records_texts_as_sent_without_network(session, clock, standin, make_dispatcher):
    message = queue(session, clock)
    counts = make_dispatcher(sms_backend="log").run_pass()
    assert counts["sent"] == 1 and row(session, message).status == "sent" and standin.requests == []


def test_the_outbox_dispatch_job_runs_one_pass_as_of_now(runner, session, clock):
    queue(session, clock)
    result = runner.invoke(args=["jobs", "run", "outbox_dispatch", "--now", clock.now().isoformat()])
    assert result.exit_code == 0, result.output
    assert "outbox_dispatch: sent 1, failed 0" in result.output
    assert session.scalar(select(Message.status)) == "sent"
