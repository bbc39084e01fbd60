"""Repeat callers (催办): a fault reported on a unit with an open repair is heard as that ticket and its
next promise; key 1 urges it (past its promised time, a supervisor at once), key 2 reports another fault.
No second ticket for the same unit however often the caller comes back through the main menu."""
from __future__ import annotations

from sqlalchemy import select

from app.tickets.models import TicketEvent
from tests.ivr.conftest import STRANGER, count, escalations, tickets

DIGITS = "零 幺 二 三 四 五 六 七 八 九".split()


def _spoken(number: str) -> str:
    return " ".join(DIGITS[int(d)] for d in number)


def _report_on_first_unit(call):
    call.press("1")         # repair
    return call.press("1")  # the first unit


def _logged(phone, session):
    """A known caller's repair on their first unit, logged in a call of its own; the ticket."""
    call = phone()
    call.dial()
    _report_on_first_unit(call)
    call.press("1")
    call.hang_up()
    [ticket] = tickets(session)
    return ticket


def _urges(session) -> list[TicketEvent]:
    session.expire_all()
    return list(session.scalars(select(TicketEvent).where(TicketEvent.type == "urge")))


def test_a_caller_with_an_open_repair_hears_its_number_and_next_promise(phone, session, known_customer):
    ticket = _logged(phone, session)
    call = phone()
    call.dial()
    reply = _report_on_first_unit(call)
    assert "您的设备已有维修工单" in reply.text and _spoken(ticket.number) in reply.text
    assert "我们将在7月7日11点00分前与您联系" in reply.text
    assert "催促处理请按1" in reply.text and "报告其他故障请按2" in reply.text


def test_a_dispatched_repair_promises_the_technicians_visit(phone, session, known_customer, clock):
    ticket = _logged(phone, session)
    ticket.status, ticket.responded_at = "dispatched", clock.now()
    session.commit()
    call = phone()
    call.dial()
    assert "技师预计在7月7日12点00分前上门" in _report_on_first_unit(call).text


def test_key_1_urges_the_ticket_and_logs_no_other(phone, session, known_customer):
    ticket = _logged(phone, session)
    call = phone()
    call.dial()
    _report_on_first_unit(call)
    reply = call.press("1")
    assert "已为您催促处理" in reply.text
    [urge] = _urges(session)
    assert (urge.ticket_id, urge.actor, urge.status_before, urge.status_after) == (ticket.id, "ivr", "received", "received")
    assert len(tickets(session)) == 1 and escalations(session) == []


def test_an_urge_past_the_promised_time_goes_to_a_supervisor_at_once(phone, session, known_customer, clock):
    ticket = _logged(phone, session)
    clock.advance(hours=1, minutes=5)  # not acknowledged within the hour
    call = phone()
    call.dial()
    _report_on_first_unit(call)
    reply = call.press("1")
    assert "已超过承诺时间" in reply.text and "主管" in reply.text
    [escalation] = escalations(session)
    assert (escalation.reason, escalation.queue, escalation.ticket_id) == ("urged_overdue", "supervisor", ticket.id)


def test_key_2_reports_a_different_fault_as_a_new_ticket(phone, session, known_customer):
    first = _logged(phone, session)
    call = phone()
    call.dial()
    _report_on_first_unit(call)
    assert "请选择故障类型" in call.press("2").text
    call.press("2")  # leaking
    assert [t.number for t in tickets(session)][0] == first.number and len(tickets(session)) == 2
    assert _urges(session) == []


def test_pressing_1_again_after_logging_a_repair_logs_no_duplicate(phone, session, known_customer):
    call = phone()
    call.dial()
    _report_on_first_unit(call)
    call.press("1")                    # the fault: the ticket is logged
    for _ in range(5):                 # 返回主菜单请按1, then repair, the same unit, and 1 again
        call.press("1")
        call.press("1")
        call.press("1")
        call.press("1")
    assert len(tickets(session)) == 1


def test_urging_again_in_the_same_call_is_one_urge(phone, session, known_customer):
    _logged(phone, session)
    call = phone()
    call.dial()
    _report_on_first_unit(call)
    call.press("1")                    # urge
    call.press("1")                    # main menu
    _report_on_first_unit(call)
    call.press("1")                    # urge again
    assert len(_urges(session)) == 1


def test_a_caller_who_urged_and_hung_up_leaves_no_callback_ticket(phone, session, known_customer):
    _logged(phone, session)
    call = phone()
    call.dial()
    _report_on_first_unit(call)
    call.press("1")
    call.hang_up()
    assert [t.kind for t in tickets(session)] == ["repair"]


def test_another_unit_of_the_caller_is_not_held_up_by_the_first_ones_repair(phone, session, known_customer):
    _logged(phone, session)
    call = phone()
    call.dial()
    call.press("1")
    assert "请选择故障类型" in call.press("2").text  # the second unit has no open repair


def test_a_closed_repair_does_not_count_as_open(phone, session, known_customer):
    ticket = _logged(phone, session)
    ticket.status = "closed"
    session.commit()
    call = phone()
    call.dial()
    assert "请选择故障类型" in _report_on_first_unit(call).text


def test_a_caller_without_a_unit_is_matched_by_number(phone, session):
    call = phone(from_=STRANGER)
    call.dial()
    call.press("1")
    call.press("2")                    # does not know the serial
    call.record()
    call.press("3")                    # noise: logged without a unit
    [ticket] = tickets(session)
    call.press("1")                    # main menu
    call.press("1")
    call.press("2")
    reply = call.record()
    assert _spoken(ticket.number) in reply.text and count(session, type(ticket)) == 1
