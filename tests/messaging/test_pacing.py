"""Pacing: one rate per sender, shared by every dispatcher through the database."""
from __future__ import annotations

from datetime import timedelta

import pytest

from app.config import Settings
from app.messaging.pacing import DEFAULT_RATES, Sender, claim_size, reserve_slots, sender_from_settings

LONG_CODE = Sender(key="+15005550006", kind="long_code", rate=2.0, from_="+15005550006")


def test_an_unpaced_sender_sends_everything_now(session, clock):
    unpaced = Sender(key="log", kind="long_code", rate=0)
    assert reserve_slots(session, unpaced, [1, 1, 3], clock.now()) == [clock.now()] * 3


def test_slots_are_spaced_by_segments_over_the_rate(session, clock):
    t = clock.now()
    slots = reserve_slots(session, LONG_CODE, [1, 3, 1], t)
    assert slots == [t, t + timedelta(seconds=0.5), t + timedelta(seconds=2)]


def test_a_second_reservation_continues_after_the_first_as_another_process_would(app, clock):
    database = app.extensions["database"]
    t = clock.now()
    with database.session() as first:
        reserve_slots(first, LONG_CODE, [1, 1], t)
        first.commit()
    with database.session() as second:
        assert reserve_slots(second, LONG_CODE, [1], t) == [t + timedelta(seconds=1)]
        second.commit()


def test_an_idle_sender_starts_now_and_builds_up_no_burst(session, clock):
    reserve_slots(session, LONG_CODE, [1], clock.now())
    later = clock.advance(minutes=10)
    assert reserve_slots(session, LONG_CODE, [1, 1], later) == [later, later + timedelta(seconds=0.5)]


def test_senders_are_paced_separately(session, clock):
    t = clock.now()
    reserve_slots(session, LONG_CODE, [1, 1, 1], t)
    short = Sender(key="95588", kind="short_code", rate=100.0, from_="95588")
    assert reserve_slots(session, short, [1], t) == [t]


@pytest.mark.parametrize("changes, kind, rate", [
    ({"sms_from": "+15005550006"}, "long_code", DEFAULT_RATES["long_code"]),
    ({"sms_from": "95588"}, "short_code", DEFAULT_RATES["short_code"]),
    ({"messaging_service_sid": "MG" + "1" * 32}, "messaging_service", DEFAULT_RATES["messaging_service"]),
    ({"sms_from": "+15005550006", "sms_rate_per_second": 3.0}, "long_code", 3.0),
    ({"sms_from": "+15005550006", "sms_sender_kind": "short_code"}, "short_code", DEFAULT_RATES["short_code"]),
])
def test_the_sender_and_its_rate_come_from_settings(changes, kind, rate):
    settings = Settings(database_url="sqlite://", sms_backend="twilio", twilio_account_sid="AC1",
                        twilio_auth_token="t", **changes)
    sender = sender_from_settings(settings)
    assert (sender.kind, sender.rate) == (kind, rate)


def test_the_log_backend_is_unpaced_unless_asked():
    assert not sender_from_settings(Settings(database_url="sqlite://")).paced
    assert sender_from_settings(Settings(database_url="sqlite://", sms_rate_per_second=5)).rate == 5


def test_twilio_without_a_sender_fails_at_start():
    settings = Settings(database_url="sqlite://", sms_backend="twilio", twilio_account_sid="AC1", twilio_auth_token="t")
    with pytest.raises(ValueError, match="TWILIO_SMS_FROM"):
        sender_from_settings(settings)


def test_a_paced_claim_is_about_one_second_of_the_rate():
    assert claim_size(Sender("s", "short_code", 50.0), batch_size=100) == 50
    assert claim_size(Sender("s", "long_code", 1.0), batch_size=100) == 1
    assert claim_size(Sender("s", "long_code", 0.0), batch_size=100) == 100
