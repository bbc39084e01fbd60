"""Fixtures for the outbox and dispatcher: the Twilio stand-in, settings that send to it, dispatchers."""
from __future__ import annotations

import random
from dataclasses import replace

import pytest

from app.messaging.dispatch import OutboxDispatcher
from tests.conftest import TWILIO_TEST_PUBLIC_BASE, TWILIO_TEST_SENDER

SENDER = TWILIO_TEST_SENDER
PUBLIC = TWILIO_TEST_PUBLIC_BASE


@pytest.fixture
def database(app):
    return app.extensions["database"]


@pytest.fixture
def sleeps(clock):
    """A sleep that moves the test clock instead of waiting; remembers each wait."""
    waited: list[float] = []

    def sleep(seconds: float) -> None:
        waited.append(seconds)
        clock.advance(seconds=seconds)

    sleep.waited = waited
    return sleep


@pytest.fixture
def make_dispatcher(database, twilio_settings, clock, sleeps):
    """`make_dispatcher(**settings_changes)`: a dispatcher sending to the stand-in, the test clock as the real
    one (business time is the same unless a test shifts it)."""

    def make(**changes) -> OutboxDispatcher:
        settings = replace(twilio_settings, **changes)
        return OutboxDispatcher(database, settings, wall=clock, sleep=sleeps, rng=random.Random(7))

    return make
