"""Fixtures for the SMS webhooks, API and commands: the app sends through the SDK to the stand-in."""
from __future__ import annotations

import pytest

from app.config import Settings
from scheduler.jobs import JobContext, outbox_dispatch
from tests.conftest import TWILIO_TEST_PUBLIC_BASE, TWILIO_TEST_SENDER, TWILIO_TEST_SID

PUBLIC = TWILIO_TEST_PUBLIC_BASE
TWILIO_NUMBER = TWILIO_TEST_SENDER


@pytest.fixture
def settings(twilio_settings) -> Settings:
    """The app sends through the SDK to the stand-in, with PUBLIC_BASE_URL set as in production."""
    return twilio_settings


@pytest.fixture
def signed_post(twilio_post):
    """Post form fields signed for the public URL Twilio calls."""

    def post(path: str, params: dict, **kw):
        return twilio_post(path, params, base=PUBLIC, **kw)

    return post


@pytest.fixture
def dispatch(app, clock):
    """Run the `outbox_dispatch` job once, as the scheduler would, at the test clock's time."""

    def run() -> str:
        return outbox_dispatch(JobContext(app.extensions["database"], app.extensions["settings"], clock=clock),
                               clock.now())

    return run


@pytest.fixture
def text_in(signed_post):
    """`text_in(body, sid=..., phone=...)`: a customer's text arriving on the home AC hotline."""

    def send(body: str, *, sid: str = "SM" + "1" * 32, phone: str = "+8613800138000", **extra):
        params = {"MessageSid": sid, "SmsSid": sid, "AccountSid": TWILIO_TEST_SID, "From": phone,
                  "To": "+864006757888", "Body": body, "NumMedia": "0", **extra}
        return signed_post("/twilio/sms", params)

    return send
