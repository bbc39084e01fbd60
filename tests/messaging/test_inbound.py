"""Inbound texts: keywords, suppression and its undoing, reply handlers, the staff inbox."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.escalations.models import Escalation
from app.messaging.inbound import InboundText, classify, receive_text
from app.messaging.models import Message, Suppression, SuppressionLift

PHONE = "+8613800138000"


def receive(session, clock, body, sid="SM1", handlers=(), from_=PHONE):
    result = receive_text(session, sid=sid, from_=from_, body=body, now=clock.now(), hotline="400 675 7888",
                          handlers=handlers)
    session.flush()
    return result


def outbound(session) -> list[Message]:
    return list(session.scalars(select(Message).where(Message.direction == "out").order_by(Message.id)))


@pytest.mark.parametrize("body", ["STOP", "stop", " Stop ", "Stop!", "ＳＴＯＰ", "unsubscribe", "T", "t。", "TD",
                                  "ｔｄ", "R", "r", "N", "ｎ", "退订", "退订。", "【退订】", " 取消！", "“退订”",
                                  "拒收", "拒收。", "【拒收】"])
def test_opt_out_words_in_any_case_width_and_punctuation(body):
    assert classify(body) == "opt_out"


@pytest.mark.parametrize("body", ["START", "start", "Ｓｔａｒｔ", "订阅", "订阅！"])
def test_opt_in_words(body):
    assert classify(body) == "opt_in"


@pytest.mark.parametrize("body", ["HELP", "help?", "帮助"])
def test_help_words(body):
    assert classify(body) == "help"


@pytest.mark.parametrize("body", ["stop it", "退订了吗", "不要退订", "5", "满意", "", "TT"])
def test_other_texts_are_not_keywords(body):
    assert classify(body) == "other"


def test_every_text_is_stored_as_an_inbound_message(session, clock):
    receive(session, clock, "空调不制冷")
    stored = session.scalar(select(Message).where(Message.direction == "in"))
    assert (stored.phone, stored.body, stored.sid, stored.status) == (PHONE, "空调不制冷", "SM1", "received")


def test_the_same_sid_twice_creates_nothing_twice(session, clock):
    receive(session, clock, "空调不制冷")
    assert receive(session, clock, "空调不制冷").outcome == "duplicate"
    assert session.scalar(select(func.count()).select_from(Message)) == 1
    assert session.scalar(select(func.count()).select_from(Escalation)) == 1


def test_an_opt_out_suppresses_the_number_and_confirms_once(session, clock):
    assert receive(session, clock, "退订").outcome == "opted_out"
    assert session.get(Suppression, PHONE).source == "sms"
    (confirmation,) = outbound(session)
    assert confirmation.template == "opt_out_confirmed" and confirmation.status == "queued"


def test_a_second_opt_out_sends_no_second_confirmation(session, clock):
    receive(session, clock, "T", sid="SM1")
    assert receive(session, clock, "TD", sid="SM2").outcome == "already_opted_out"
    assert len(outbound(session)) == 1


def test_start_lifts_the_suppression_and_confirms(session, clock):
    receive(session, clock, "退订", sid="SM1")
    assert receive(session, clock, "START", sid="SM2").outcome == "opted_in"
    assert session.get(Suppression, PHONE) is None
    assert [m.template for m in outbound(session)] == ["opt_out_confirmed", "opt_in_confirmed"]


def test_the_customers_opt_in_is_kept_with_the_refusal_it_lifted(session, clock):
    receive(session, clock, "退订", sid="SM1")
    clock.advance(days=3)
    receive(session, clock, "订阅", sid="SM2")
    lift = session.scalar(select(SuppressionLift))
    assert (lift.phone, lift.source, lift.lifted_by, lift.how, lift.lifted_at, lift.note) == (
        PHONE, "sms", "customer", "opt_in_text", clock.now(), "replied '订阅'")


def test_start_from_a_number_that_never_opted_out_sends_nothing(session, clock):
    assert receive(session, clock, "订阅").outcome == "not_opted_out"
    assert outbound(session) == []


def test_help_is_answered_with_the_hotlines_even_after_an_opt_out(session, clock):
    receive(session, clock, "T", sid="SM1")
    receive(session, clock, "帮助", sid="SM2")
    help_reply = outbound(session)[-1]
    assert help_reply.template == "help_reply" and help_reply.status == "queued"
    assert "400 675 7888" in help_reply.body


def test_a_reply_handler_that_consumes_the_text_keeps_it_from_staff(session, clock):
    seen: list[InboundText] = []

    def survey(session_, inbound: InboundText) -> bool:
        seen.append(inbound)
        return inbound.body == "5"

    assert receive(session, clock, "5", handlers=[survey]).outcome == "consumed"
    assert (seen[0].phone, seen[0].body, seen[0].sid, seen[0].now) == (PHONE, "5", "SM1", clock.now())
    assert seen[0].message_id == session.scalar(select(Message.id))
    assert session.scalar(select(func.count()).select_from(Escalation)) == 0


def test_a_text_no_handler_consumes_goes_to_the_staff_inbox_once(session, clock):
    result = receive(session, clock, "师傅什么时候到？", handlers=[lambda s, i: False])
    escalation = session.scalar(select(Escalation))
    assert result.outcome == "escalated"
    assert (escalation.queue, escalation.dedupe_key) == ("staff_inbox", "sms:SM1")
    assert "师傅什么时候到" in escalation.detail and PHONE in escalation.detail


def test_a_failing_handler_loses_nothing_the_next_one_or_staff_gets_the_text(session, clock):
    def broken(session_, inbound):
        session_.add(Suppression(phone="+8613900139000", source="sms", reason="half-done", created_at=inbound.now))
        session_.flush()
        raise RuntimeError("survey service bug")

    assert receive(session, clock, "还行吧", handlers=[broken]).outcome == "escalated"
    assert session.get(Suppression, "+8613900139000") is None  # its half-done work was rolled back


def test_a_sender_that_is_not_a_phone_number_is_kept_as_given(session, clock):
    receive(session, clock, "hello", from_="CHIGO")
    assert session.scalar(select(Message.phone)) == "CHIGO"
