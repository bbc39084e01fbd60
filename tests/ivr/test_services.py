"""Keys 2 to 6: install or move, complaint, maintenance booking, warranty and fees, ticket progress."""
from __future__ import annotations

from datetime import datetime

from app.tickets.numbers import ticket_number
from app.tickets.services import NewTicket, apply_event, create_ticket
from tests.conftest import SHANGHAI
from tests.ivr.conftest import KNOWN, STRANGER, escalations, texts, tickets


# --- 2: installation and moving ----------------------------------------------------------

def test_an_install_is_booked_for_the_preferred_day(phone, session, known_customer):
    call = phone()
    call.dial()
    call.press("2")
    call.press("1")                      # a new unit
    reply = call.press("0715")
    assert "7月15日" in reply.text and "送货安装免费" in reply.text
    [ticket] = tickets(session)
    assert ticket.kind == "install" and ticket.appointment_at == datetime(2026, 7, 15, 9, 0, tzinfo=SHANGHAI)
    assert "新机安装" in ticket.summary and ticket.arrive_by is not None


def test_a_move_from_an_unknown_caller_records_the_address(phone, session):
    call = phone(from_=STRANGER)
    call.dial()
    call.press("2")
    call.press("2")                      # moving a unit
    assert call.press("0710").verb("Record") is not None
    call.record("https://api.twilio.com/2010-04-01/Accounts/AC0/Recordings/REmove")
    [ticket] = tickets(session)
    assert "移机" in ticket.summary and "REmove" in ticket.summary and ticket.needs_verification_call


def test_a_wrong_day_is_asked_again_and_the_third_goes_to_a_person(phone, session, known_customer):
    call = phone()
    call.dial()
    call.press("2")
    call.press("1")
    assert "30天内" in call.press("0707").text    # today
    assert "日期有误" in call.press("1345").text   # not a date
    assert call.press("0901").verb("Dial") is not None  # more than 30 days ahead, the third miss
    assert tickets(session) == []


# --- 3: complaint ------------------------------------------------------------------------

def test_a_complaint_is_recorded_high_priority_and_escalated_at_once(phone, session, known_customer):
    call = phone()
    call.dial()
    assert call.press("3").verb("Record") is not None
    reply = call.record("https://api.twilio.com/2010-04-01/Accounts/AC0/Recordings/REcomplaint")
    assert "转交主管处理" in reply.text
    [ticket] = tickets(session)
    assert (ticket.kind, ticket.priority) == ("complaint", "high") and "REcomplaint" in ticket.summary
    [escalation] = escalations(session)
    assert (escalation.reason, escalation.queue, escalation.ticket_id) == ("complaint", "supervisor", ticket.id)


def test_a_silent_complainer_is_asked_again_and_the_complaint_still_logged(phone, session, known_customer):
    call = phone()
    call.dial()
    call.press("3")
    assert "没有听到您的声音" in call.silence().text
    call.record(seconds=0)               # Twilio reports an empty recording
    call.silence()
    [ticket] = tickets(session)
    assert ticket.kind == "complaint" and len(escalations(session)) == 1


# --- 4: maintenance booking ----------------------------------------------------------------

def test_maintenance_in_warranty_is_free_and_booked(phone, session, known_customer):
    call = phone()
    call.dial()
    call.press("4")
    reply = call.press("1")              # the unit in warranty
    assert "每3个月可享受一次免费保养" in reply.text
    call.press("0720")
    [ticket] = tickets(session)
    assert ticket.kind == "maintenance" and ticket.unit.serial == "HA00001111"
    assert ticket.appointment_at == datetime(2026, 7, 20, 9, 0, tzinfo=SHANGHAI)


def test_maintenance_out_of_warranty_is_charged(phone, known_customer):
    call = phone()
    call.dial()
    call.press("4")
    assert "按收费标准收费" in call.press("2").text


# --- 5: warranty and the fee card -----------------------------------------------------------

def test_a_known_caller_hears_their_units_cover(phone, known_customer):
    call = phone()
    call.dial()
    call.press("5")
    assert "整机保修至2030年4月30日" in call.press("1").text


def test_the_fee_card_is_read_out(phone, known_customer):
    call = phone()
    call.dial()
    call.press("5")
    call.press("1")
    reply = call.press("1")
    assert "上门检测费" in reply.text and "加长铜管" in reply.text and "60元每米" in reply.text


def test_the_fee_card_is_texted_once_to_a_mobile(phone, session, known_customer):
    call = phone()
    call.dial()
    call.press("5")
    call.press("1")
    assert "已通过短信发送" in call.press("2").text
    [text] = texts(session)
    assert text.template == "fee_card" and text.phone == KNOWN and "家用空调" in text.body


def test_a_landline_caller_cannot_be_texted_the_fee_card(phone, session):
    call = phone(from_="+862088881234")
    call.dial()
    call.press("5")
    call.press("2")                      # no serial
    reply = call.press("2")
    assert "无法接收短信" in reply.text and texts(session) == []


def test_an_unknown_caller_hears_the_lines_warranty_terms(phone):
    call = phone(from_=STRANGER)
    call.dial()
    call.press("5")
    assert "整机和压缩机保修6年" in call.press("2").text


# --- 6: progress of a ticket ---------------------------------------------------------------

def _ticket(session, clock, phone=KNOWN, kind="repair"):
    result = create_ticket(session, NewTicket(kind=kind, product_line="home_ac", phone=phone), actor="test",
                           now=clock.now())
    session.commit()
    return result.ticket


def test_progress_by_number_tells_the_state_and_the_next_milestone(phone, session, clock):
    ticket = _ticket(session, clock, phone=STRANGER)
    call = phone(from_=KNOWN)
    call.dial()
    call.press("6")
    call.press("1")
    reply = call.press(ticket.number + "#")
    assert "报修，已受理，我们将在7月7日11点00分前与您联系" in reply.text


def test_a_mistyped_ticket_number_is_told_apart_from_an_unknown_one(phone, session, clock):
    ticket = _ticket(session, clock)
    wrong_check_digit = ticket.number[:-1] + str((int(ticket.number[-1]) + 1) % 10)
    call = phone(from_=STRANGER)
    call.dial()
    call.press("6")
    call.press("1")
    assert "工单号有误" in call.press(wrong_check_digit + "#").text
    assert "没有找到这个工单" in call.press(ticket_number(999) + "#").text   # well formed, no such ticket


def test_the_callers_recent_tickets_are_read_with_their_milestones(phone, session, clock, known_customer):
    first = _ticket(session, clock)
    apply_event(session, first, "dispatch", {"technician_id": _technician(session).id}, actor="agent",
                now=clock.now(), tz=SHANGHAI)
    session.commit()
    call = phone()
    call.dial()
    call.press("6")
    reply = call.press("2")
    assert "已派工，技师预计在7月7日12点00分前上门" in reply.text


def test_a_caller_without_tickets_hears_so(phone, known_customer):
    call = phone()
    call.dial()
    call.press("6")
    assert "您最近没有工单" in call.press("2").text


def test_an_overdue_milestone_is_said_to_be_followed_up(phone, session, clock, known_customer):
    _ticket(session, clock)
    clock.advance(hours=2)
    call = phone()
    call.dial()
    call.press("6")
    assert "已超过承诺时间" in call.press("2").text


def _technician(session):
    from tests.factories import make_technician

    technician = make_technician(session)
    session.commit()
    return technician


def test_progress_tickets_are_only_the_callers_own(phone, session, clock, known_customer):
    _ticket(session, clock, phone=STRANGER)
    call = phone()
    call.dial()
    call.press("6")
    assert "您最近没有工单" in call.press("2").text
    assert [t.phone for t in tickets(session)] == [STRANGER]


def test_a_welcome_that_reads_through_the_orm_opens_a_session_for_it(phone, session, clock, known_customer,
                                                                     settings, tmp_path):
    # The welcome opens the request's session only when a node needs one: here the flow reads the
    # caller's tickets (through the ORM) before the menu.
    import shutil
    from pathlib import Path

    flows = tmp_path / "flows"
    shutil.copytree(Path(__file__).resolve().parents[2] / "ivr_flows", flows)
    main = flows / "shared" / "main.toml"
    text = main.read_text(encoding="utf-8").replace(
        '[nodes.start]\nkind = "lookup_caller"\nnext = "main_menu"',
        '[nodes.start]\nkind = "lookup_caller"\nnext = "welcome_tickets"\n\n'
        '[nodes.welcome_tickets]\nkind = "read_tickets"\nsource = "recent"\n'
        'item = { zh = "您的工单{ticket_digits}：{status_label}。", en = "Ticket {ticket_digits}: {status_label}." }\n'
        'none = { zh = "", en = "" }\nnext = "main_menu"')
    assert text != main.read_text(encoding="utf-8")
    main.write_text(text, encoding="utf-8")
    settings.ivr_flows_dir = flows
    _ticket(session, clock)
    session.commit()
    reply = phone().dial()
    assert "您的工单" in reply.text and "报修请按1" in reply.text
