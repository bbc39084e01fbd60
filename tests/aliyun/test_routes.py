"""SMS_ROUTES: Chinese mobiles through Alibaba, other numbers through Twilio, each with its own refusal wording."""
from __future__ import annotations

from dataclasses import replace

import pytest

from app.messaging.dispatch import OutboxDispatcher
from app.messaging.outbox import queue_text
from app.messaging.policy import SendingPolicy
from app.messaging.routes import SmsRoutes
from app.surveys.ladder import send_due_surveys
from app.surveys.policy import SurveyPolicy
from tests.aliyun.conftest import PHONE
from tests.surveys.support import resolved_job, survey_of

US_PHONE = "+12025550123"
CONTEXT = {"serial_tail": "8321", "hotline": "400 675 7888"}


@pytest.fixture
def settings(routed_settings):
    return routed_settings


def test_the_longest_matching_prefix_wins_and_star_takes_the_rest():
    routes = SmsRoutes(routes=(("*", "twilio"), ("+86", "aliyun"), ("+8613", "log")))
    assert [routes.backend_for(p) for p in ("+8613800138000", "+8618600000000", US_PHONE)] == ["log", "aliyun",
                                                                                                   "twilio"]


def test_a_chinese_mobile_goes_through_alibaba_and_another_number_through_twilio(
        app, session, settings, clock, aliyun, standin):
    policy = SendingPolicy.from_settings(settings)
    for phone in (PHONE, US_PHONE):
        queue_text(session, phone=phone, template="maintenance_reminder", context=CONTEXT, now=clock.now(),
                   category="reminder", policy=policy)
    session.commit()
    assert OutboxDispatcher(app.extensions["database"], settings, wall=clock).run_pass()["sent"] == 2
    assert [s["phone"] for s in aliyun.sent] == ["13800138000"]
    assert [m["to"] for m in standin.messages] == [US_PHONE]
    assert aliyun.sent[0]["content"].endswith("拒收请回复R")  # Alibaba's wording (P-PRIV-2)
    assert standin.messages[0]["body"].endswith("回T退订")  # Twilio's


def test_a_route_switched_to_voice_sends_the_survey_straight_to_the_call(session, settings, clock):
    ticket = resolved_job(session, clock.now(), phone=PHONE)
    session.flush()
    policy = replace(SurveyPolicy.from_settings(settings),
                     sending=SendingPolicy.from_settings(replace(settings, sms_survey_by_voice=("+86",))))
    result = send_due_surveys(session, now=clock.now(), policy=policy)
    assert (result.texted, result.to_voice) == (0, 1)
    assert survey_of(session, ticket).status == "call_due"


def test_without_the_switch_the_same_survey_is_texted(session, settings, clock):
    resolved_job(session, clock.now(), phone=PHONE)
    session.flush()
    result = send_due_surveys(session, now=clock.now(), policy=SurveyPolicy.from_settings(settings))
    assert (result.texted, result.to_voice) == (1, 0)
