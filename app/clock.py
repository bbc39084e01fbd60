"""Clocks: the service reads time in one place, so tests move it instead of sleeping.

Two times meet in the outbox: the business time a job runs as of (`jobs run NAME --now`, the
scheduler's `now`), and the real time Twilio, leases and pacing live in. A `ShiftedClock` is the
first made from the second; see app/messaging/dispatch.py for which of the two each rule reads.
"""
from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone


class SystemClock:
    """The real time, always timezone-aware UTC."""

    def now(self) -> datetime:
        return datetime.now(timezone.utc)

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)


class FixedClock:
    """A clock that stands still until a test moves it."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("FixedClock needs an aware datetime")
        self._now = start

    def now(self) -> datetime:
        return self._now

    def set(self, when: datetime) -> None:
        self._now = when

    def advance(self, **delta: float) -> datetime:
        self._now += timedelta(**delta)
        return self._now

    def sleep(self, seconds: float) -> None:
        """Waiting on a stopped clock moves it on: code that waits runs at once in a test."""
        self.advance(seconds=seconds)


class ShiftedClock:
    """`base`'s time shifted so that it read `start` when made, running on at `base`'s pace."""

    def __init__(self, base, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("ShiftedClock needs an aware datetime")
        self._base = base
        self._offset = start - base.now()

    def now(self) -> datetime:
        return self._base.now() + self._offset
