"""Key 0, a person: staff phones ring in staffed hours; no answer or closed -> a callback ticket."""
from __future__ import annotations

from datetime import datetime

from tests.conftest import SHANGHAI
from tests.ivr.conftest import STAFF, STRANGER, call_row, escalations, tickets


def test_in_staffed_hours_the_staff_phones_ring(phone):
    call = phone()
    call.dial()
    reply = call.press("0")
    dial = reply.verb("Dial")
    assert [n.text for n in dial.iter("Number")] == [STAFF] and dial.get("timeout") == "25"
    assert "正在为您转接人工服务" in reply.text


def test_a_conversation_with_staff_ends_the_call_with_nothing_owed(phone, session):
    call = phone()
    call.dial()
    call.press("0")
    assert call.staff_answer("completed").hung_up
    call.hang_up()
    row = call_row(session, call.sid)
    assert row.service_done and not row.abandoned and tickets(session) == []


def test_no_answer_from_staff_leaves_a_callback_ticket(phone, session, known_customer):
    call = phone()
    call.dial()
    call.press("0")
    reply = call.staff_answer("no-answer")
    assert "人工坐席正忙" in reply.text and "您的工单号是" in reply.text
    [ticket] = tickets(session)
    assert ticket.kind == "callback" and ticket.respond_by is not None


def test_outside_staffed_hours_the_caller_gets_a_callback_ticket(phone, session, clock):
    clock.set(datetime(2026, 7, 7, 22, 30, tzinfo=SHANGHAI))
    call = phone(from_=STRANGER)
    call.dial()
    reply = call.press("0")
    assert reply.verb("Dial") is None and "现在不是人工服务时间" in reply.text
    [ticket] = tickets(session)
    assert ticket.kind == "callback" and ticket.phone == STRANGER and ticket.needs_verification_call


def test_a_withheld_number_with_no_one_at_the_desk_gets_an_apology_not_a_ticket(phone, session, clock):
    clock.set(datetime(2026, 7, 8, 2, 0, tzinfo=SHANGHAI))
    call = phone(from_="+266696687")
    call.dial()
    call.press("0")
    call.silence()
    call.silence()
    reply = call.silence()
    assert reply.hung_up and "未能获得您的联系电话" in reply.text
    call.hang_up()
    assert tickets(session) == []
    [task] = escalations(session)
    assert (task.reason, task.queue) == ("ivr_no_callback_number", "staff_inbox")


def test_a_hang_up_while_the_staff_phones_ring_leaves_a_callback_ticket(phone, session, known_customer):
    call = phone()
    call.dial()
    call.press("0")
    call.hang_up()
    [ticket] = tickets(session)
    assert ticket.kind == "callback" and "等待人工服务" in ticket.summary
