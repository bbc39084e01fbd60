"""Alibaba's pushes: duplicates harmless, order not assumed, malformed bodies refused, nothing lost."""
from __future__ import annotations

from sqlalchemy import func, select

from app.messaging.models import EarlyStatus, Message
from app.escalations.models import Escalation
from app.messaging.dispatch import OutboxDispatcher
from tests.aliyun.conftest import PHONE
from tests.aliyun.test_sending import queue


def sent_row(session) -> Message:
    session.expire_all()
    return session.scalar(select(Message).where(Message.direction == "out"))


def test_a_report_pushed_twice_and_a_late_failure_leave_the_text_delivered(session, settings, clock, aliyun,
                                                                           dispatch, push):
    queue(session, settings, clock)
    dispatch()
    (sent,) = aliyun.sent
    push("report", aliyun.report_payload(sent))
    push("report", aliyun.report_payload(sent))
    push("report", aliyun.report_payload(sent, success=False, err_code="MK:0001"))
    assert sent_row(session).status == "delivered"


def test_a_failed_report_marks_the_text_undelivered_with_alibabas_code(session, settings, clock, aliyun,
                                                                       dispatch, push):
    queue(session, settings, clock)
    dispatch()
    push("report", aliyun.report_payload(aliyun.sent[0], success=False, err_code="MK:0001"))
    row = sent_row(session)
    assert row.status == "undelivered" and "MK:0001" in row.error_message


def test_a_report_that_comes_before_the_send_is_recorded_waits_and_is_applied_then(session, settings, clock, aliyun,
                                                                                   push, app):
    queue(session, settings, clock)
    dispatcher = OutboxDispatcher(app.extensions["database"], settings, wall=clock)
    claim, _settled = dispatcher.claim()
    outcomes = dispatcher.backend.send_group(claim.texts)  # Alibaba sent it and reports at once
    assert push("report", aliyun.report_payload(aliyun.sent[0])).status_code == 200
    assert session.scalar(select(EarlyStatus.status)) == "delivered"
    dispatcher._flush(claim.token, list(zip(claim.texts, outcomes)))  # the dispatcher writes the outcome now
    assert sent_row(session).status == "delivered" and session.scalar(select(EarlyStatus.status)) is None


def test_a_reply_pushed_twice_is_stored_once_and_confirmed_once(session, aliyun, push):
    payload = aliyun.reply_payload(PHONE, "退订", sequence_id=42)
    push("reply", payload)
    push("reply", payload)
    assert session.scalar(select(func.count()).select_from(Message).where(Message.direction == "in")) == 1
    confirmations = session.scalars(select(Message).where(Message.template == "opt_out_confirmed")).all()
    assert len(confirmations) == 1 and confirmations[0].body.endswith("退订提醒及推广短信，工单相关通知仍会照常发送。"
                                                                      "如需恢复订阅，请回复“订阅”或START，或致电400 675 7888。")


def test_free_text_goes_to_the_staff_inbox_with_its_words(session, aliyun, push):
    push("reply", aliyun.reply_payload(PHONE, "师傅什么时候到？"))
    (item,) = session.scalars(select(Escalation).where(Escalation.queue == "staff_inbox")).all()
    assert "师傅什么时候到？" in item.detail


def test_a_push_that_is_not_a_json_array_is_400(push):
    assert push("report", {"not": "an array"}).status_code == 400
    assert push("reply", "text").status_code == 400
