"""Whatever a signed text holds, it is stored and handled (P-REC-1); status callbacks never fail."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.escalations.models import Escalation
from app.messaging.models import EarlyStatus, Message

NUL_TEXT = "空调不制冷\x00请回电"


def inbound(session) -> list[Message]:
    session.expire_all()
    return list(session.scalars(select(Message).where(Message.direction == "in").order_by(Message.id)))


def test_a_text_holding_a_nul_is_stored_with_a_replacement_character(session, text_in):
    assert text_in(NUL_TEXT).status_code == 200
    [message] = inbound(session)
    assert message.body == "空调不制冷\ufffd请回电"


def test_a_text_holding_a_nul_is_handled_like_the_same_text_without_it(session, text_in):
    text_in("空调不制冷请回电", sid="SM" + "a" * 32, phone="+8613800138001")
    text_in(NUL_TEXT, sid="SM" + "b" * 32, phone="+8613800138002")
    session.expire_all()
    reasons = list(session.scalars(select(Escalation.reason).order_by(Escalation.id)))
    assert len(reasons) == 2 and reasons[0] == reasons[1]


def test_a_sender_holding_a_nul_is_stored(session, text_in):
    assert text_in("请回电", phone="+86138\x0000138000").status_code == 200
    [message] = inbound(session)
    assert "\x00" not in message.phone and len(message.phone) <= 20


def test_an_over_long_message_sid_is_stored_once_and_its_retry_is_a_duplicate(session, text_in):
    sid = "SM" + "7" * 60
    assert text_in("请回电", sid=sid).status_code == 200
    assert text_in("请回电", sid=sid).status_code == 200
    [message] = inbound(session)
    assert len(message.sid) <= 40


def test_two_over_long_sids_with_the_same_head_stay_two_texts(session, text_in):
    text_in("第一条", sid="SM" + "7" * 60 + "a")
    text_in("第二条", sid="SM" + "7" * 60 + "b")
    assert [m.body for m in inbound(session)] == ["第一条", "第二条"]


@pytest.mark.parametrize("error_code", ["²", "99999999999", "-1", "30003\x00"])
def test_a_status_callback_with_an_unusable_error_code_is_recorded_without_it(session, twilio_post, error_code):
    sid = "SM" + "c" * 32
    response = twilio_post("/twilio/sms/status", {"MessageSid": sid, "MessageStatus": "failed", "ErrorCode": error_code})
    assert response.status_code == 200
    early = session.get(EarlyStatus, sid)
    assert early.status == "failed" and early.error_code is None


def test_a_status_callback_with_an_over_long_status_is_recorded(session, twilio_post):
    response = twilio_post("/twilio/sms/status", {"MessageSid": "SM" + "d" * 32, "MessageStatus": "delivered" * 20})
    assert response.status_code == 200
    assert session.scalar(select(func.count()).select_from(EarlyStatus)) == 1


def test_a_status_callback_with_an_over_long_sid_is_recorded(session, twilio_post):
    response = twilio_post("/twilio/sms/status", {"MessageSid": "SM" + "e" * 200, "MessageStatus": "sent"})
    assert response.status_code == 200
    assert len(session.scalar(select(EarlyStatus.sid))) <= 40
