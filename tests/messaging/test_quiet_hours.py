"""Quiet hours: reminders and marketing wait for the morning, spread over its first hour."""
from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from app.messaging.quiet_hours import QuietHours

SHANGHAI = ZoneInfo("Asia/Shanghai")
QUIET = QuietHours()


def at(hour: int, minute: int = 0, day: int = 7) -> datetime:
    return datetime(2026, 7, day, hour, minute, tzinfo=SHANGHAI)


@pytest.mark.parametrize("when", [at(20), at(23, 59), at(0), at(7, 59)])
def test_night_is_quiet(when):
    assert QUIET.is_quiet(when)


@pytest.mark.parametrize("when", [at(8), at(12), at(19, 59)])
def test_day_is_not_quiet(when):
    assert not QUIET.is_quiet(when)


def test_quiet_hours_are_read_in_business_time_not_utc():
    # 13:00 UTC is 21:00 in Shanghai.
    assert QUIET.is_quiet(datetime(2026, 7, 7, 13, 0, tzinfo=ZoneInfo("UTC")))


def test_a_text_due_in_the_day_keeps_its_time():
    assert QUIET.release_time(at(10), message_id=5) == at(10)


def test_an_evening_text_waits_for_the_next_morning_within_the_spread():
    released = QUIET.release_time(at(22), message_id=5)
    assert at(8, day=8) <= released < at(9, day=8)


def test_a_text_after_midnight_waits_for_the_same_morning():
    released = QUIET.release_time(at(3), message_id=5)
    assert at(8) <= released < at(9)


def test_the_spread_is_the_same_for_the_same_message():
    assert QUIET.release_time(at(22), message_id=42) == QUIET.release_time(at(23), message_id=42)


def test_consecutive_messages_are_spread_over_the_hour_not_bunched_at_eight():
    released = [QUIET.release_time(at(22), message_id=n) for n in range(1, 121)]
    minutes = {r.astimezone(SHANGHAI).minute for r in released}
    assert len(minutes) > 40
    assert sum(r == at(8, day=8) for r in released) <= 1


def test_parse_reads_start_end_zone_and_spread():
    assert QuietHours.parse("21:30-07:00", "Asia/Urumqi", 30) == QuietHours(
        start=time(21, 30), end=time(7, 0), tz="Asia/Urumqi", spread=timedelta(minutes=30))


@pytest.mark.parametrize("text", ["", "off", "OFF", "none"])
def test_parse_off_means_no_quiet_hours(text):
    assert QuietHours.parse(text) is None


@pytest.mark.parametrize("text", ["20-8", "20:00", "25:00-08:00", "08:00-08:00"])
def test_parse_refuses_a_bad_window(text):
    with pytest.raises(ValueError):
        QuietHours.parse(text)


def test_a_window_within_one_day_works_too():
    early = QuietHours(start=time(1, 0), end=time(5, 0))
    assert early.is_quiet(at(3)) and not early.is_quiet(at(23))
    assert at(5) <= early.release_time(at(3), message_id=9) < at(6)
