"""Fixtures for hostile input: Twilio's signed posts with any field."""
from __future__ import annotations

import pytest

from tests.conftest import TWILIO_TEST_SID

HOTLINE = "+864006757888"


@pytest.fixture
def text_in(twilio_post):
    """`text_in(body, sid=..., phone=..., **fields)`: a signed inbound text on the home AC hotline."""

    def send(body: str, *, sid: str = "SM" + "1" * 32, phone: str = "+8613800138000", **extra):
        params = {"MessageSid": sid, "AccountSid": TWILIO_TEST_SID, "From": phone, "To": HOTLINE,
                  "Body": body, "NumMedia": "0", **extra}
        return twilio_post("/twilio/sms", params)

    return send
