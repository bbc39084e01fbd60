"""The main menu of interfaces.md, on every hotline: welcome and menu in one <Gather>, keys, retries."""
from __future__ import annotations

import pytest

from app.ivr.models import IvrCall
from tests.ivr.conftest import HOTLINES, KNOWN, STRANGER, call_row, count, tickets


@pytest.mark.parametrize("line", sorted(HOTLINES))
def test_the_welcome_and_the_menu_are_said_in_mandarin_inside_one_gather(phone, line):
    reply = phone(to=HOTLINES[line], from_=STRANGER).dial()
    gather = reply.gather
    says = list(gather.iter("Say"))
    assert "欢迎致电志高" in says[0].text and "报修请按1" in says[1].text
    assert says[0].get("language") == "zh-CN" and says[0].get("voice") == "Polly.Zhiyu"
    assert gather.get("numDigits") == "1"
    assert reply.verb("Redirect") is not None  # silence must not end the call


def test_the_menu_names_every_key_of_the_printed_card(phone):
    menu = phone(from_=STRANGER).dial().text
    for words in ("报修请按1", "安装或移机请按2", "投诉请按3", "预约免费保养请按4", "保修与收费标准请按5",
                  "查询工单进度请按6", "人工服务请按0", "For English, press 9", "重听请按星号键"):
        assert words in menu


def test_each_hotline_names_its_own_product_line(phone):
    assert "家用空调" in phone(to=HOTLINES["home_ac"], from_=STRANGER).dial().text
    assert "商用空调" in phone(to=HOTLINES["commercial_ac"], from_=STRANGER).dial().text
    assert "空气能热水器" in phone(to=HOTLINES["water_heater"], from_=STRANGER).dial().text


def test_a_known_caller_is_welcomed_back_without_their_name_being_read(phone, known_customer):
    text = phone(from_=KNOWN).dial().text
    assert "欢迎再次致电" in text and known_customer.name not in text and "民族大道" not in text


def test_the_welcome_writes_nothing(phone, session):
    phone().dial()
    assert count(session, IvrCall) == 0


def test_a_key_pressed_during_the_welcome_is_taken_at_once(phone, known_customer):
    call = phone()
    call.dial()
    assert "请选择需要服务的设备" in call.press("1").text


def test_star_repeats_the_menu_without_the_welcome(phone):
    call = phone(from_=STRANGER)
    call.dial()
    again = call.press("*")
    assert "报修请按1" in again.text and "欢迎" not in again.text


def test_nine_switches_to_english_and_nine_again_back_to_mandarin(phone):
    call = phone(from_=STRANGER)
    call.dial()
    english = call.press("9")
    say = english.gather.find("Say")
    assert say.get("language") == "en-US" and say.get("voice") == "Polly.Joanna" and "For a repair, press 1" in say.text
    assert "中文服务请按9" in english.text
    assert "报修请按1" in call.press("9").text


def test_english_callers_hear_the_services_in_english(phone):
    call = phone(from_=STRANGER)
    call.dial()
    call.press("9")
    assert "If not, press 2" in call.press("1").text  # the serial question of the repair branch


def test_silence_is_answered_with_a_sorry_and_the_menu_again(phone):
    call = phone(from_=STRANGER)
    call.dial()
    again = call.silence()
    assert "没有听到您的选择" in again.text and "报修请按1" in again.text and again.gather is not None


def test_silence_three_times_hands_the_caller_to_a_person(phone):
    call = phone(from_=STRANGER)
    call.dial()
    call.silence()
    call.silence()
    third = call.silence()
    assert third.verb("Dial") is not None and "正在为您转接人工服务" in third.text


def test_a_wrong_key_is_answered_with_a_sorry_and_the_menu_again(phone):
    call = phone(from_=STRANGER)
    call.dial()
    again = call.press("7")
    assert "您的输入有误" in again.text and "报修请按1" in again.text


def test_wrong_keys_three_times_hand_the_caller_to_a_person(phone):
    call = phone(from_=STRANGER)
    call.dial()
    call.press("7")
    call.press("8")
    assert call.press("#").verb("Dial") is not None


def test_a_right_key_resets_the_count_of_wrong_ones(phone, known_customer):
    call = phone()
    call.dial()
    call.press("7")
    call.press("8")
    call.press("5")  # warranty: a menu of its own
    call.press("3")  # back to the main menu
    assert "您的输入有误" in call.press("7").text  # not the hand-off: the count started again


@pytest.mark.parametrize("garbage", ["abc", "1" * 500, "😀", "１", "<Say>hi</Say>", "1; DROP TABLE tickets"])
def test_garbage_digits_are_a_wrong_key_not_an_error(phone, garbage):
    call = phone(from_=STRANGER)
    call.dial()
    reply = call.press(garbage)
    assert "您的输入有误" in reply.text and reply.gather is not None


def test_a_spoken_service_counts_like_its_key(phone):
    call = phone(from_=STRANGER)
    reply = call.dial()
    assert reply.gather.get("input") == "dtmf speech" and reply.gather.get("language") == "zh-CN"
    assert "如果您知道产品序列号" in call.say_words("我要报修").text


def test_a_call_longer_than_the_limit_is_ended_politely(phone, clock, session):
    call = phone(from_=STRANGER)
    call.dial()
    clock.advance(minutes=16)
    reply = call.press("6")
    assert reply.hung_up and "通话时间已达上限" in reply.text
    assert tickets(session) == []


def test_a_call_over_the_limit_in_a_service_leaves_a_callback_ticket(phone, clock, session, known_customer):
    call = phone()
    call.dial()
    call.press("1")
    clock.advance(minutes=16)
    reply = call.press("1")
    assert reply.hung_up and "我们已为您登记回电" in reply.text
    [ticket] = tickets(session)
    assert ticket.kind == "callback" and call_row(session, call.sid).service_done
