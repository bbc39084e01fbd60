"""Numbers, dates and hours as the caller hears them, and when a person is at the desk."""
from __future__ import annotations

from datetime import date, datetime

import pytest

from app.ivr.prompts import fill, spell_digits, spoken_date, spoken_time
from app.ivr.staffing import is_staffed, parse_hours
from tests.conftest import SHANGHAI


def test_a_ticket_number_is_spelled_digit_by_digit():
    assert spell_digits("10012342", "零 幺 二 三 四 五 六 七 八 九") == "幺 零 零 幺 二 三 四 二"


def test_dates_and_times_follow_the_flows_words():
    assert spoken_date(date(2030, 4, 30), "{year}年{month}月{day}日", "") == "2030年4月30日"
    months = "January February March April May June July August September October November December"
    when = spoken_time(datetime(2026, 7, 7, 3, 5, tzinfo=SHANGHAI), SHANGHAI, "{month_name} {day} at {hour}:{minute}", months)
    assert when == "July 7 at 3:05"


def test_a_missing_value_reads_as_nothing():
    assert fill("故障代码：{error_code}", {}.get) == "故障代码："


@pytest.mark.parametrize("hour,staffed", [(7, False), (8, True), (19, True), (20, False)])
def test_staffed_hours_include_the_start_and_exclude_the_end(hour, staffed):
    now = datetime(2026, 7, 7, hour, 0, tzinfo=SHANGHAI)
    assert is_staffed("08:00-20:00", ("+8613700000001",), now, SHANGHAI) is staffed


def test_hours_past_midnight_and_no_phones():
    night = datetime(2026, 7, 7, 23, 0, tzinfo=SHANGHAI)
    assert is_staffed("20:00-08:00", ("+8613700000001",), night, SHANGHAI)
    assert not is_staffed("00:00-24:00", (), night, SHANGHAI)
    assert parse_hours("") is None


@pytest.mark.parametrize("raw", ["8-20", "25:00-26:00", "08:00-24:30"])
def test_unreadable_hours_are_refused(raw):
    with pytest.raises(ValueError):
        parse_hours(raw)


def test_an_answer_is_the_same_text_the_sdk_writes_with_markup_in_prompts_escaped():
    from app.ivr.turn import Turn

    turn = Turn(step_no=3, voices={"zh": "Polly.Zhiyu", "en": ""}, query={"f": "home_ac", "t": 1780000000})
    turn.say("报修请按1 & <重听>请按星号键。", "zh")
    turn.say('Press "9" for English.', "en")
    turn.gather(timeout=6, num_digits=1, speech_lang="zh", hints='报修,"维修"\n坏了\t<&>\r')
    xml = turn.xml()
    assert xml == str(turn.response)
    assert "&amp; &lt;重听&gt;" in xml and "&quot;维修&quot;&#10;坏了&#09;&lt;&amp;&gt;&#13;" in xml


def test_recordings_dials_and_hang_ups_are_the_same_text_the_sdk_writes():
    from app.ivr.turn import Turn

    for build in (lambda t: t.record(max_seconds=60), lambda t: t.dial(("+8613700000001", "+8613700000002"), timeout=20),
                  lambda t: t.hangup()):
        turn = Turn(step_no=2, voices={"zh": "Polly.Zhiyu"})
        turn.say("请在提示音后留言。", "zh")
        build(turn)
        xml = turn.xml()
        assert xml == str(turn.response)


def test_text_nested_between_verbs_and_empty_verbs_are_written_as_the_sdk_writes_them():
    from twilio.twiml.voice_response import VoiceResponse

    from app.ivr.turn import XML_DECLARATION, twiml_text

    response = VoiceResponse()
    response.append("before")
    response.pause(length=2)
    response.append("after a pause")
    response.say("")
    response.hangup()
    assert XML_DECLARATION + twiml_text(response) == str(response)
