"""Fixtures for Alibaba Cloud SMS: the stand-in on loopback, settings that send through the real SDK to it."""
from __future__ import annotations

import pytest

from app.config import Settings
from scheduler.jobs import JobContext, outbox_dispatch
from tests.aliyun_standin import ACCESS_KEY_ID, ACCESS_KEY_SECRET, SIGN_NAME, AliyunStandIn
from tests.conftest import TWILIO_TEST_PUBLIC_BASE, TWILIO_TEST_SENDER, TWILIO_TEST_SID, TWILIO_TEST_TOKEN

PUSH_TOKEN = "push-token-0123456789"
PHONE = "+8613800138000"


@pytest.fixture
def aliyun(clock):
    """The Alibaba stand-in; its clock (SendDate, report times) is the test clock."""
    with AliyunStandIn(clock=clock.now) as server:
        yield server


def aliyun_settings_for(database_url: str, aliyun: AliyunStandIn, **overrides) -> Settings:
    """SMS_BACKEND=aliyun through the real SDK to the stand-in, unpaced."""
    values = dict(database_url=database_url, sms_backend="aliyun", aliyun_access_key_id=ACCESS_KEY_ID,
                  aliyun_access_key_secret=ACCESS_KEY_SECRET, aliyun_sms_sign_name=SIGN_NAME,
                  aliyun_sms_endpoint=aliyun.url, aliyun_push_token=PUSH_TOKEN, sms_rate_per_second=0,
                  sms_twilio_timeout=2.0, public_base_url=TWILIO_TEST_PUBLIC_BASE)
    return Settings(**{**values, **overrides})


@pytest.fixture
def settings(database_url, aliyun) -> Settings:
    """Every text through Alibaba (the app's settings in this package)."""
    return aliyun_settings_for(database_url, aliyun)


@pytest.fixture
def routed_settings(database_url, aliyun, standin) -> Settings:
    """SMS_ROUTES="+86=aliyun,*=twilio": Chinese numbers through Alibaba, others through Twilio."""
    return aliyun_settings_for(database_url, aliyun, sms_backend="twilio", twilio_account_sid=TWILIO_TEST_SID,
                               twilio_auth_token=TWILIO_TEST_TOKEN, twilio_api_url=standin.url,
                               sms_from=TWILIO_TEST_SENDER, sms_routes=(("+86", "aliyun"), ("*", "twilio")))


@pytest.fixture
def dispatch(app, clock):
    """Run the `outbox_dispatch` job once, as the scheduler would, at the test clock's time."""

    def run() -> str:
        return outbox_dispatch(JobContext(app.extensions["database"], app.extensions["settings"]), clock.now())

    return run


@pytest.fixture
def push(client):
    """`push("report", payload)`: Alibaba's push to /aliyun/sms/<kind> with the configured token."""

    def post(kind: str, payload, *, token: str | None = PUSH_TOKEN):
        query = f"?token={token}" if token is not None else ""
        return client.post(f"/aliyun/sms/{kind}{query}", json=payload)

    return post
