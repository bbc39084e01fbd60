"""Key 1, repair: the unit, the fault, the error code, the warranty read out, one ticket, one text."""
from __future__ import annotations

from datetime import timedelta

from tests.factories import make_customer, make_unit
from tests.ivr.conftest import HOTLINES, KNOWN, STRANGER, call_row, count, texts, tickets


def _repair_first_unit(phone, fault: str = "1"):
    call = phone()
    call.dial()
    call.press("1")        # repair
    call.press("1")        # the first unit (in warranty)
    return call, call.press(fault)


def test_a_known_customers_repair_creates_one_repair_ticket_with_its_sla_clocks(phone, session, known_customer, clock):
    _call, reply = _repair_first_unit(phone)
    [ticket] = tickets(session)
    assert (ticket.kind, ticket.product_line, ticket.source, ticket.status) == ("repair", "home_ac", "ivr", "received")
    assert ticket.unit.serial == "HA00001111" and ticket.customer_id == known_customer.id
    received = clock.now()
    assert ticket.respond_by == received + timedelta(hours=1)
    assert ticket.arrive_by == received + timedelta(hours=2)
    assert ticket.resolve_by == received + timedelta(hours=24)
    assert not ticket.needs_verification_call
    assert "不制冷/不制热" in ticket.summary


def test_a_known_customers_repair_queues_one_confirmation_text(phone, session, known_customer):
    _repair_first_unit(phone)
    [text] = texts(session)
    [ticket] = tickets(session)
    assert (text.template, text.phone, text.ticket_id) == ("ticket_created", KNOWN, ticket.id)
    assert ticket.number in text.body


def test_the_ticket_number_is_read_back_digit_by_digit(phone, session, known_customer):
    _call, reply = _repair_first_unit(phone)
    [ticket] = tickets(session)
    digits = "零 幺 二 三 四 五 六 七 八 九".split()
    assert " ".join(digits[int(d)] for d in ticket.number) in reply.text
    assert "工单号也已通过短信发送到您的手机" in reply.text


def test_star_reads_the_ticket_number_again(phone, session, known_customer):
    call, _ = _repair_first_unit(phone)
    [ticket] = tickets(session)
    again = call.press("*")
    assert "您的工单号是" in again.text and count(session, type(ticket)) == 1


def test_in_warranty_the_caller_hears_the_visit_is_free(phone, known_customer):
    _call, reply = _repair_first_unit(phone)
    assert "在保修期内，上门维修免费" in reply.text and "收费标准如下" not in reply.text


def test_out_of_warranty_the_fee_card_is_read_and_texted(phone, session, known_customer):
    call = phone()
    call.dial()
    call.press("1")
    call.press("2")        # the unit installed in 2018
    reply = call.press("2")
    assert "保修已于2024年2月29日到期" in reply.text
    assert "收费标准如下" in reply.text and "补充制冷剂" in reply.text and "150元" in reply.text
    assert [t.template for t in texts(session)] == ["fee_card", "ticket_created"]


def test_the_error_code_on_the_display_goes_into_the_ticket(phone, session, known_customer):
    call, reply = _repair_first_unit(phone, fault="4")
    assert "故障代码中的数字" in reply.text
    call.press("5#")
    [ticket] = tickets(session)
    assert "显示故障代码" in ticket.summary and "故障代码：5" in ticket.summary


def test_an_error_code_too_long_is_asked_again(phone, session, known_customer):
    call, _ = _repair_first_unit(phone, fault="4")
    assert "1到4位数字" in call.press("123456#").text
    assert tickets(session) == []


def test_a_known_customer_can_name_another_unit_by_serial(phone, session, known_customer):
    other = make_unit(session, make_customer(session, phone="+8613800001234"), serial="HA77770001")
    session.commit()
    call = phone()
    call.dial()
    call.press("1")
    assert "如果您知道产品序列号" in call.press("9").text
    call.press("1")
    call.press("77770001#")
    call.press("3")
    [ticket] = tickets(session)
    assert ticket.unit_id == other.id


def test_an_unknown_caller_gives_the_serial_and_says_the_address(phone, session):
    unit = make_unit(session, serial="HA12345678", product_line="home_ac")
    session.commit()
    call = phone(from_=STRANGER)
    call.dial()
    call.press("1")
    call.press("1")                        # knows the serial
    reply = call.press("12345678#")
    assert "说出您的详细地址" in reply.text and reply.verb("Record") is not None
    call.record("https://api.twilio.com/2010-04-01/Accounts/AC0/Recordings/REaddress")
    call.press("2")
    [ticket] = tickets(session)
    assert ticket.unit_id == unit.id and ticket.phone == STRANGER
    assert ticket.needs_verification_call and "REaddress" in ticket.summary


def test_an_unknown_caller_may_skip_the_serial(phone, session):
    call = phone(from_=STRANGER)
    call.dial()
    call.press("1")
    call.press("2")                        # does not know it
    call.record()
    reply = call.press("3")
    assert "暂时无法确认您的保修期" in reply.text
    [ticket] = tickets(session)
    assert ticket.unit_id is None and ticket.needs_verification_call


def test_a_serial_of_another_product_line_is_not_found(phone, session):
    make_unit(session, serial="WH55556666", product_line="water_heater")
    session.commit()
    call = phone(from_=STRANGER)
    call.dial()
    call.press("1")
    call.press("1")
    assert "没有找到这个序列号的设备" in call.press("55556666#").text


def test_a_repair_on_the_water_heater_line_is_a_water_heater_ticket(phone, session, known_customer):
    call = phone(to=HOTLINES["water_heater"])
    call.dial()
    call.press("1")
    assert "型号KFR-35GW" in call.last.text  # the caller's one water heater is offered
    assert "不出热水" in call.press("1").text
    call.press("1")
    [ticket] = tickets(session)
    assert ticket.product_line == "water_heater" and ticket.unit.serial == "WH00003333"


def test_a_withheld_number_is_asked_for_a_number_to_call_back(phone, session):
    call = phone(from_="anonymous")
    call.dial()
    reply = call.press("1")
    assert "无法识别您的来电号码" in reply.text
    assert "这个号码无效" in call.press("12345#").text
    call.press("13955556666#")
    call.press("2")
    call.record()
    call.press("5")
    [ticket] = tickets(session)
    assert ticket.phone == "+8613955556666" and ticket.needs_verification_call
    assert call_row(session, call.sid).caller is None
