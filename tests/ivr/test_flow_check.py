"""`ivr check`: the real flows pass; each kind of mistake fails with `file:node: reason`."""
from __future__ import annotations

from pathlib import Path

import pytest

from app import create_app
from app.config import PROJECT_ROOT, Settings
from app.ivr.check import check_flows

SOUND = """
[flow]
kind = "hotline"
product_line = "home_ac"
languages = ["zh", "en"]
start = "menu"

[nodes.menu]
kind = "menu"
prompt = { zh = "报修请按1。", en = "Press 1." }
options = { "1" = "thanks" }
on_timeout = { goto = "menu", say = { zh = "没有听到。", en = "Sorry?" } }
on_invalid = { goto = "menu" }
fallback = "bye"

[nodes.thanks]
kind = "say"
prompt = { zh = "谢谢。", en = "Thanks." }
next = "bye"

[nodes.bye]
kind = "hangup"
"""


@pytest.fixture
def cli():
    """A CLI runner on an app that needs no database (`ivr check` reads only files)."""
    app = create_app({"SETTINGS": Settings(database_url="sqlite://", twilio_auth_token="t")})
    return app.test_cli_runner()


def write(tmp_path: Path, text: str, name: str = "home_ac.toml") -> Path:
    (tmp_path / name).write_text(text, encoding="utf-8")
    return tmp_path


def problems(tmp_path: Path, text: str) -> list[str]:
    return [str(p) for p in check_flows(write(tmp_path, text))]


def test_the_shipped_flows_pass_the_check(cli):
    result = cli.invoke(args=["ivr", "check"])
    assert result.exit_code == 0, result.output
    assert "every flow is sound" in result.output


def test_the_shipped_flows_have_the_three_hotlines_and_the_survey():
    from app.ivr.flows import load_flows

    flows = load_flows(PROJECT_ROOT / "ivr_flows")
    assert {f.product_line for f in flows.flows.values() if f.kind == "hotline"} == {"home_ac", "commercial_ac", "water_heater"}
    assert flows.get("survey").kind == "survey"


def test_a_sound_fixture_passes(tmp_path):
    assert problems(tmp_path, SOUND) == []


def test_the_command_fails_with_file_node_reason(cli, tmp_path):
    write(tmp_path, SOUND.replace('next = "bye"', 'next = "nowhere"'))
    result = cli.invoke(args=["ivr", "check", "--dir", str(tmp_path)])
    assert result.exit_code == 1
    assert f"{tmp_path.name}/home_ac.toml:thanks: next leads to 'nowhere', which is not a node" in result.output


def test_an_unknown_kind_is_a_schema_error(tmp_path):
    found = problems(tmp_path, SOUND.replace('kind = "say"', 'kind = "sing"'))
    assert any(p.endswith(":thanks: unknown kind 'sing' (one of " + p.split("(one of ")[1]) for p in found)


def test_a_missing_field_and_a_wrong_type_are_schema_errors(tmp_path):
    found = problems(tmp_path, SOUND.replace('next = "bye"\n', 'delay = 3\n').replace('kind = "hangup"', 'kind = "hangup"\nprompt = 5'))
    assert any(p.endswith(":thanks: a say needs next") for p in found)
    assert any(p.endswith(":thanks: unknown field 'delay' for a say") for p in found)
    assert any(p.endswith(":bye: prompt must be a table of language = text") for p in found)


def test_a_dangling_target_is_refused(tmp_path):
    found = problems(tmp_path, SOUND.replace('options = { "1" = "thanks" }', 'options = { "1" = "thanks", "2" = "ghost" }'))
    assert any(p.endswith(":menu: options.2 leads to 'ghost', which is not a node") for p in found)


def test_an_unreachable_node_is_refused(tmp_path):
    found = problems(tmp_path, SOUND + '\n[nodes.orphan]\nkind = "hangup"\n')
    assert any(p.endswith(":orphan: unreachable: no path leads here from 'menu' in " + f"{tmp_path.name}/home_ac.toml")
               for p in found)


def test_a_menu_without_its_timeout_or_invalid_path_is_refused(tmp_path):
    text = SOUND.replace('on_timeout = { goto = "menu", say = { zh = "没有听到。", en = "Sorry?" } }\n', "")
    text = text.replace('on_invalid = { goto = "menu" }\n', "")
    found = problems(tmp_path, text)
    assert any(p.endswith(":menu: a menu needs on_timeout") for p in found)
    assert any(p.endswith(":menu: a menu needs on_invalid") for p in found)


def test_a_prompt_missing_in_a_language_is_refused(tmp_path):
    found = problems(tmp_path, SOUND.replace('prompt = { zh = "谢谢。", en = "Thanks." }', 'prompt = { zh = "谢谢。" }'))
    assert any(p.endswith(":thanks: prompt has no 'en' text") for p in found)


def test_a_path_prompt_missing_in_a_language_is_refused(tmp_path):
    found = problems(tmp_path, SOUND.replace('en = "Sorry?"', 'fr = "Pardon ?"'))
    assert any(p.endswith(":menu: on_timeout.say has no 'en' text") for p in found)
    assert any("on_timeout.say has text in 'fr'" in p for p in found)


def test_a_loop_with_no_counter_is_refused(tmp_path):
    text = SOUND + """
[nodes.ping]
kind = "say"
prompt = { zh = "一", en = "one" }
next = "pong"

[nodes.pong]
kind = "say"
prompt = { zh = "二", en = "two" }
next = "ping"
"""
    text = text.replace('[nodes.thanks]\nkind = "say"\nprompt = { zh = "谢谢。", en = "Thanks." }\nnext = "bye"',
                        '[nodes.thanks]\nkind = "say"\nprompt = { zh = "谢谢。", en = "Thanks." }\nnext = "ping"')
    found = problems(tmp_path, text)
    assert any(p.endswith(":ping: loop with no counter: ping -> pong (add a menu or collect to it)") for p in found)


def test_a_loop_through_a_menu_is_allowed(tmp_path):
    assert problems(tmp_path, SOUND.replace('next = "bye"', 'next = "menu"')) == []


def test_an_unknown_placeholder_is_refused(tmp_path):
    found = problems(tmp_path, SOUND.replace('zh = "谢谢。"', 'zh = "谢谢{customer_name}。"'))
    assert any(p.endswith(":thanks: prompt (zh) uses unknown placeholder(s) customer_name") for p in found)


def test_a_write_before_the_first_answer_is_refused(tmp_path):
    text = SOUND.replace('start = "menu"', 'start = "early"') + """
[nodes.early]
kind = "create_ticket"
ticket_kind = "repair"
summary = "x"
next = "menu"
on_error = "menu"
"""
    found = problems(tmp_path, text)
    assert any(p.endswith(":early: writes before the caller's first answer (the welcome is not stored)") for p in found)


def test_a_file_that_is_not_toml_is_refused(tmp_path):
    found = problems(tmp_path, "[flow\nkind=")
    assert len(found) == 1 and found[0].startswith(f"{tmp_path.name}/home_ac.toml:file: is not valid TOML")


def test_a_shared_file_no_flow_includes_is_refused(tmp_path):
    (tmp_path / "shared").mkdir()
    (tmp_path / "shared" / "spare.toml").write_text('[nodes.x]\nkind = "hangup"\n', encoding="utf-8")
    found = problems(tmp_path, SOUND)
    assert found == [f"{tmp_path.name}/shared/spare.toml:file: is included by no flow"]


def test_a_node_defined_in_two_files_is_refused(tmp_path):
    (tmp_path / "shared").mkdir()
    (tmp_path / "shared" / "more.toml").write_text('[nodes.bye]\nkind = "hangup"\n', encoding="utf-8")
    found = problems(tmp_path, SOUND.replace('start = "menu"', 'start = "menu"\ninclude = ["shared/more.toml"]'))
    assert found == [f"{tmp_path.name}/shared/more.toml:bye: defined twice (also in {tmp_path.name}/home_ac.toml)"]


def test_an_unknown_branch_test_is_refused(tmp_path):
    text = SOUND.replace('options = { "1" = "thanks" }', 'options = { "1" = "fork" }') + """
[nodes.fork]
kind = "branch"
test = "is_vip"
then = "thanks"
else = "bye"
"""
    found = problems(tmp_path, text)
    assert any(p.startswith(f"{tmp_path.name}/home_ac.toml:fork: test 'is_vip' is not one of") for p in found)
