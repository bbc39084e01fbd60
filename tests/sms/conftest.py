"""Fixtures for the SMS webhooks, API and commands: the app sends through the SDK to the stand-in."""
from __future__ import annotations

import pytest

from app.config import Settings
from scheduler.jobs import JobContext, outbox_dispatch
from tests.conftest import TWILIO_TEST_SID, TWILIO_TEST_TOKEN

PUBLIC = "https://cc.example.com"
TWILIO_NUMBER = "+15005550006"


@pytest.fixture
def settings(database_url, standin) -> Settings:
    """SMS_BACKEND=twilio against the stand-in, with PUBLIC_BASE_URL set as in production."""
    return Settings(database_url=database_url, twilio_account_sid=TWILIO_TEST_SID, twilio_auth_token=TWILIO_TEST_TOKEN,
                    twilio_api_url=standin.url, sms_backend="twilio", sms_from=TWILIO_NUMBER, public_base_url=PUBLIC,
                    sms_rate_per_second=0, sms_twilio_timeout=2.0)


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
        return outbox_dispatch(JobContext(app.extensions["database"], app.extensions["settings"]), clock.now())

    return run


@pytest.fixture
def text_in(signed_post):
    """`text_in(body, sid=..., phone=...)`: a customer's text arriving on the home AC hotline."""

    def send(body: str, *, sid: str = "SM" + "1" * 32, phone: str = "+8613800138000", **extra):
        params = {"MessageSid": sid, "SmsSid": sid, "AccountSid": TWILIO_TEST_SID, "From": phone,
                  "To": "+864006757888", "Body": body, "NumMedia": "0", **extra}
        return signed_post("/twilio/sms", params)

    return send
