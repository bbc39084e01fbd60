"""Every branch of the main menu on all three hotlines, and how the dialled number picks the hotline."""
from __future__ import annotations

import pytest

from app.config import Settings
from tests.ivr.conftest import HOME_AC, HOTLINES, STRANGER, WATER_HEATER, call_row, tickets

# (branch, caller's actions, ticket kinds expected, words the caller hears last)
WALKS = [
    ("repair", [("press", "1"), ("press", "2"), ("record",), ("press", "1")], ["repair"], "您的工单号是"),
    ("install", [("press", "2"), ("press", "1"), ("press", "0715"), ("record",)], ["install"], "您的工单号是"),
    ("complaint", [("press", "3"), ("record",)], ["complaint"], "转交主管处理"),
    ("maintenance", [("press", "4"), ("press", "2"), ("record",), ("press", "0720")], ["maintenance"], "您的工单号是"),
    ("warranty", [("press", "5"), ("press", "2"), ("press", "1")], [], "收费标准如下"),
    ("progress", [("press", "6"), ("press", "2")], [], "您最近没有工单"),
    ("person", [("press", "0"), ("staff", "no-answer")], ["callback"], "人工坐席正忙"),
    ("english", [("press", "9")], [], "For a repair, press 1"),
]


@pytest.mark.parametrize("line", sorted(HOTLINES))
@pytest.mark.parametrize("branch,actions,kinds,heard", WALKS, ids=[w[0] for w in WALKS])
def test_every_branch_of_every_hotline(phone, session, line, branch, actions, kinds, heard):
    call = phone(to=HOTLINES[line], from_=STRANGER)
    call.dial()
    for action, *args in actions:
        if action == "press":
            call.press(*args)
        elif action == "record":
            call.record()
        else:
            call.staff_answer(*args)
    assert heard in call.last.text
    made = tickets(session)
    assert [t.kind for t in made] == kinds
    assert all(t.product_line == line for t in made)


def test_forwarded_from_picks_the_hotline_when_a_400_number_forwards(phone, session):
    call = phone(to="+17005550001", forwarded_from="4000757112", from_=STRANGER)
    assert "空气能热水器" in call.dial().text


def test_a_configured_twilio_number_picks_its_hotline(phone, settings):
    settings.hotlines = {**settings.hotlines, **Settings.from_environment(
        {"HOTLINE_NUMBERS": "+17005550002=commercial_ac"}).hotlines}
    assert "商用空调" in phone(to="+17005550002", from_=STRANGER).dial().text


def test_an_unconfigured_number_is_answered_as_the_default_hotline(phone):
    assert "家用空调" in phone(to="+17005559999", from_=STRANGER).dial().text


def test_the_hotline_is_kept_for_the_whole_call(phone, session):
    call = phone(to=WATER_HEATER, from_=STRANGER)
    call.dial()
    call.press("3")
    assert call_row(session, call.sid).product_line == "water_heater"


def test_hotline_numbers_are_read_from_the_environment():
    settings = Settings.from_environment({"HOTLINE_NUMBERS": "+17005550001=home_ac, +8613800000000=water_heater"})
    assert settings.hotlines["+17005550001"] == "home_ac"
    assert settings.hotlines["+8613800000000"] == "water_heater"
    assert settings.hotlines[HOME_AC] == "home_ac"


@pytest.mark.parametrize("raw", ["+17005550001", "+17005550001=fridges", "=home_ac"])
def test_a_bad_hotline_mapping_fails_at_start_up(raw):
    with pytest.raises(ValueError, match="HOTLINE_NUMBERS"):
        Settings.from_environment({"HOTLINE_NUMBERS": raw})


@pytest.mark.parametrize("name,raw", [("IVR_STAFFED_HOURS", "8-20"), ("IVR_STAFF_NUMBERS", "12"),
                                      ("IVR_DEFAULT_HOTLINE", "fridges")])
def test_bad_ivr_settings_fail_at_start_up(name, raw):
    with pytest.raises(ValueError):
        Settings.from_environment({name: raw})
