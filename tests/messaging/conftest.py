"""Fixtures for the outbox and dispatcher: the Twilio stand-in, settings that send to it, dispatchers."""
from __future__ import annotations

import random
from dataclasses import replace

import pytest

from app.config import Settings
from app.messaging.dispatch import OutboxDispatcher
from tests.conftest import TWILIO_TEST_SID, TWILIO_TEST_TOKEN

SENDER = "+15005550006"
PUBLIC = "https://cc.example.com"


@pytest.fixture
def twilio_settings(database_url, standin) -> Settings:
    """Settings that send through the real SDK to the stand-in, unpaced, with short leases."""
    return Settings(database_url=database_url, twilio_account_sid=TWILIO_TEST_SID, twilio_auth_token=TWILIO_TEST_TOKEN,
                    twilio_api_url=standin.url, sms_backend="twilio", sms_from=SENDER, public_base_url=PUBLIC,
                    sms_rate_per_second=0, sms_twilio_timeout=2.0)


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
    """`make_dispatcher(**settings_changes)`: a dispatcher on the test clock sending to the stand-in."""

    def make(**changes) -> OutboxDispatcher:
        settings = replace(twilio_settings, **changes)
        return OutboxDispatcher(database, settings, clock=clock, sleep=sleeps, rng=random.Random(7))

    return make
