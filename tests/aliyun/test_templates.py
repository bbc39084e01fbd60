"""Registered templates: Alibaba's composition equals our text, and `sms check` wants a code where a route needs one."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from app.messaging.aliyun_templates import ALIYUN_OPT_OUT, ALIYUN_OPT_OUT_KEY, NotRegistered, Registry
from app.messaging.templates import SAMPLE_CONTEXT, SmsTemplates
from tests.aliyun_standin import SIGN_NAME

SHIPPED = Path(__file__).resolve().parents[2] / "sms_templates"
TEMPLATES = SmsTemplates(SHIPPED, signature=f"【{SIGN_NAME}】")


REGISTRY = Registry.load(SHIPPED / "aliyun.toml")
SENDABLE = [(lang, name) for lang, name in TEMPLATES.files()
            if not getattr(REGISTRY.templates.get((lang, name)), "not_sendable", "")]


@pytest.mark.parametrize("lang,name", SENDABLE)
def test_the_registered_template_yields_exactly_our_rendered_text(lang, name):
    ours = TEMPLATES.render(name, lang, opt_out=ALIYUN_OPT_OUT, opt_out_key=ALIYUN_OPT_OUT_KEY, **SAMPLE_CONTEXT)
    registered = Registry.load(SHIPPED / "aliyun.toml").get(lang, name)
    assert registered is not None, f"{lang}/{name} has no code"
    assert registered.compose(SIGN_NAME, registered.params(SAMPLE_CONTEXT)) == ours.body


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_staff_reply_is_never_sent_by_alibaba_and_says_why(lang):
    with pytest.raises(NotRegistered, match="free text"):
        REGISTRY.registration(lang, "staff_reply", {"reply": "好的"}, SIGN_NAME, "【志高】好的")


def test_marketing_texts_on_alibabas_route_end_with_its_refusal_wording():
    body = TEMPLATES.render("seasonal_alert", "zh", marketing=True, opt_out=ALIYUN_OPT_OUT, **SAMPLE_CONTEXT).body
    assert body.endswith("拒收请回复R") and "回T退订" not in body


@pytest.fixture
def without_a_code(tmp_path) -> Path:
    """A copy of the shipped templates where zh/fee_card has lost its registered code."""
    root = tmp_path / "sms_templates"
    shutil.copytree(SHIPPED, root)
    toml = root / "aliyun.toml"
    text = toml.read_text(encoding="utf-8")
    start = text.index("[zh.fee_card]")
    toml.write_text(text[:start] + text[start:].replace("code = ", "# code = ", 1), encoding="utf-8")
    return root


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_sms_check_fails_a_template_without_a_code_when_a_route_sends_through_alibaba(runner, without_a_code):
    result = runner.invoke(args=["sms", "check", "--templates", str(without_a_code)])
    assert result.exit_code == 1
    assert "zh/fee_card: no Alibaba template code" in result.output


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_sms_check_passes_the_shipped_templates_on_alibabas_route(runner):
    result = runner.invoke(args=["sms", "check"])
    assert result.exit_code == 0, result.output
