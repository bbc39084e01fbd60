"""`ivr call`: a caller in the terminal, through the real app with signed requests."""
from __future__ import annotations

from tests.ivr.conftest import tickets


def test_a_scripted_call_prints_what_the_caller_hears_and_the_ticket(runner, session, known_customer):
    result = runner.invoke(args=["ivr", "call", "--to", "4006757888", "--from", "13800138000", "--keys", "1,1,1,2,2"])
    assert result.exit_code == 0, result.output
    [ticket] = tickets(session)
    assert "[zh-CN] 您好，欢迎再次致电志高家用空调服务热线。" in result.output
    assert "> 1" in result.output and "(the line goes dead)" in result.output
    assert f"ticket {ticket.number}: repair on home_ac, received" in result.output


def test_keys_typed_at_the_prompt_walk_the_call(runner, session):
    result = runner.invoke(args=["ivr", "call", "--to", "4000757112", "--from", "13911112222"], input="6\n2\n2\n")
    assert result.exit_code == 0, result.output
    assert "空气能热水器" in result.output and "您最近没有工单" in result.output
    assert "ended by the ivr" in result.output


def test_running_out_of_keys_hangs_up_and_leaves_the_callback_ticket(runner, session, known_customer):
    result = runner.invoke(args=["ivr", "call", "--to", "4006757888", "--from", "13800138000", "--keys", "4"])
    assert "(you hang up)" in result.output and "ended by the caller" in result.output
    [ticket] = tickets(session)
    assert ticket.kind == "callback" and f"ticket {ticket.number}: callback" in result.output


def test_silence_recordings_and_staff_are_scripted_too(runner, session):
    result = runner.invoke(args=["ivr", "call", "--to", "4006757555", "--from", "13911112222",
                                 "--keys", "-,3,my unit is broken"])
    assert "> (silence)" in result.output and "> (says) my unit is broken" in result.output
    assert [t.kind for t in tickets(session)] == ["complaint"]
    result = runner.invoke(args=["ivr", "call", "--to", "4006757555", "--from", "13911112222", "--keys", "0,y"])
    assert "(ringing staff: +8613700000001)" in result.output and "> (staff answer)" in result.output


def test_without_an_auth_token_the_simulator_signs_with_a_throwaway_one(runner, settings, session):
    settings.twilio_auth_token = None
    result = runner.invoke(args=["ivr", "call", "--to", "4006757888", "--from", "anonymous", "--keys", "5,2,1"])
    assert result.exit_code == 0, result.output
    assert "收费标准如下" in result.output
