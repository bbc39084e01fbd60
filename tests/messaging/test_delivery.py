"""Delivery status callbacks: ranked, idempotent, safe out of order, and early ones kept."""
from __future__ import annotations

import random
from datetime import timedelta

import pytest

from app.messaging.delivery import apply_early_statuses, purge_early_statuses, status_callback
from app.messaging.models import EarlyStatus, Message, SmsBlock, Suppression
from app.messaging.policy import DispatchPolicy

PHONE = "+8613800138000"
SID = "SM" + "a" * 32
POLICY = DispatchPolicy()


def sent(session, clock, sid=SID, attempts=1):
    message = Message(direction="out", phone=PHONE, body="【志高】您好", category="transactional", priority=0,
                      status="sent", sid=sid, twilio_status="queued", attempts=attempts, created_at=clock.now(),
                      send_after=clock.now(), sent_at=clock.now(), segments=1)
    session.add(message)
    session.flush()
    return message


def callback(session, clock, status, error_code=None, sid=SID):
    return status_callback(session, sid=sid, twilio_status=status, error_code=error_code, now=clock.now(),
                           policy=POLICY, rng=random.Random(3), to=PHONE)


def test_delivered_moves_a_sent_text_to_delivered(session, clock):
    message = sent(session, clock)
    assert callback(session, clock, "delivered") == "applied"
    assert (message.status, message.twilio_status) == ("delivered", "delivered")


def test_delivered_never_goes_back_to_sent(session, clock):
    message = sent(session, clock)
    callback(session, clock, "delivered")
    assert callback(session, clock, "sent") == "ignored"
    assert message.status == "delivered"


def test_a_repeated_callback_changes_nothing(session, clock):
    message = sent(session, clock)
    callback(session, clock, "sent")
    before = message.status_updated_at
    clock.advance(minutes=1)
    assert callback(session, clock, "sent") == "ignored"
    assert message.status_updated_at == before


def test_of_two_final_statuses_the_first_stands(session, clock):
    message = sent(session, clock)
    callback(session, clock, "delivered")
    assert callback(session, clock, "undelivered", 30005) == "ignored"
    assert message.status == "delivered" and message.error_code is None


def test_an_unknown_status_word_is_ignored(session, clock):
    message = sent(session, clock)
    assert callback(session, clock, "exploded") == "ignored"
    assert message.twilio_status == "queued"


def test_a_callback_for_an_unknown_sid_is_kept_and_logged_masked(session, clock, caplog):
    caplog.set_level("INFO")
    assert callback(session, clock, "delivered", sid="SMunknown") == "early"
    assert session.get(EarlyStatus, "SMunknown").status == "delivered"
    assert "+86138****8000" in caplog.text and PHONE not in caplog.text


def test_an_early_callback_keeps_the_furthest_status(session, clock):
    callback(session, clock, "delivered", sid="SMearly")
    callback(session, clock, "sent", sid="SMearly")
    assert session.get(EarlyStatus, "SMearly").status == "delivered"


def test_an_early_callback_is_applied_when_its_sid_is_recorded(session, clock):
    callback(session, clock, "delivered")
    message = sent(session, clock)
    assert apply_early_statuses(session, [SID], now=clock.now(), policy=POLICY, rng=random.Random(1)) == 1
    assert message.status == "delivered" and session.get(EarlyStatus, SID) is None


def test_early_callbacks_are_forgotten_after_a_week(session, clock):
    callback(session, clock, "delivered", sid="SMold")
    clock.advance(days=8)
    assert purge_early_statuses(session, clock.now()) == 1


def test_an_unreachable_handset_is_tried_again_later(session, clock):
    message = sent(session, clock)
    callback(session, clock, "undelivered", 30003)
    assert (message.status, message.sid, message.twilio_status) == ("queued", None, None)
    assert SID in message.error_message
    assert message.send_after >= clock.now() + 2 * POLICY.clock_skew


def test_an_unreachable_handset_out_of_attempts_stays_undelivered(session, clock):
    message = sent(session, clock, attempts=POLICY.max_attempts)
    callback(session, clock, "undelivered", 30003)
    assert message.status == "undelivered"


@pytest.mark.parametrize("code, table, expected", [
    (30006, SmsBlock, "landline"), (21614, SmsBlock, "landline"), (21211, SmsBlock, "invalid"),
])
def test_a_permanent_delivery_failure_blocks_the_number(session, clock, code, table, expected):
    message = sent(session, clock)
    callback(session, clock, "failed", code)
    assert message.status == "failed" and session.get(table, PHONE).reason == expected


def test_unsubscribed_at_the_carrier_puts_the_number_on_the_suppression_list(session, clock):
    sent(session, clock)
    callback(session, clock, "failed", 21610)
    assert session.get(Suppression, PHONE).source == "twilio"


def test_a_row_waiting_for_staff_keeps_its_status(session, clock):
    message = sent(session, clock)
    message.status = "needs_reconciliation"
    callback(session, clock, "delivered")
    assert (message.status, message.twilio_status) == ("needs_reconciliation", "delivered")


def test_read_counts_as_delivered(session, clock):
    message = sent(session, clock)
    callback(session, clock, "delivered")
    clock.advance(seconds=5)
    callback(session, clock, "read")
    assert message.status == "delivered" and message.twilio_status == "read"
    assert message.status_updated_at == clock.now() and clock.now() - message.sent_at == timedelta(seconds=5)
