"""SMS templates: rendering rules, failures, and the shipped texts in sms_templates/."""
import pathlib

import pytest

from app.messaging.segments import SegmentCount
from app.messaging.templates import SAMPLE_CONTEXT, RenderedText, SmsTemplates, TemplateError

SHIPPED = pathlib.Path(__file__).resolve().parents[2] / "sms_templates"

# The variables each shipped template is called with (fixed: other modules pass exactly these).
SHIPPED_VARIABLES = {
    "ticket_created": {"ticket_number", "kind_label", "hotline"},
    "ticket_resolved": {"ticket_number"},
    "fee_card": {"product_label", "hotline"},
    "warranty_restarted": {"serial_tail", "new_end_date"},
    "loaner_notice": {"ticket_number", "hotline"},
    "survey_request": {"ticket_number"},
    "survey_thanks": {"ticket_number"},
    "survey_reask": {"ticket_number"},
    "maintenance_reminder": {"serial_tail", "hotline"},
    "opt_out_confirmed": {"hotline"},
    "opt_in_confirmed": set(),
    "help_reply": set(),
    "seasonal_alert": {"season_label"},
    "idle_poweroff_reminder": set(),
}


@pytest.fixture
def root(tmp_path):
    return tmp_path


def write(root, lang, name, text):
    path = root / lang / f"{name}.txt.j2"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


@pytest.fixture
def templates(root):
    write(root, "zh", "hello", "您好，工单{{ ticket_number }}已受理。\n")
    return SmsTemplates(root)


# --- rendering -------------------------------------------------------------------------------


def test_render_returns_the_text_with_signature_and_segments(templates):
    assert templates.render("hello", ticket_number="10012342") == RenderedText(
        name="hello",
        lang="zh",
        body="【志高】您好，工单10012342已受理。",
        segments=SegmentCount("UCS-2", 21, 1),
    )


def test_lang_defaults_to_zh(templates):
    assert templates.render("hello", ticket_number="1").lang == "zh"


def test_body_is_stripped(root):
    write(root, "zh", "padded", "\n\n   您好   \n\n")
    assert SmsTemplates(root).render("padded").body == "【志高】您好"


def test_trim_blocks_leaves_no_blank_line_after_a_block_tag(root):
    write(root, "zh", "cond", "{% if vip %}\n贵宾\n{% endif %}\n您好")
    assert SmsTemplates(root).render("cond", vip=True).body == "【志高】贵宾\n您好"


def test_autoescape_is_off(root):
    write(root, "zh", "amp", "A & B <{{ x }}>")
    assert SmsTemplates(root).render("amp", x="'").body == "【志高】A & B <'>"


# --- signature ---------------------------------------------------------------------------------


def test_signature_is_added_once_when_the_file_has_it_already(root):
    write(root, "zh", "signed", "【志高】您好")
    assert SmsTemplates(root).render("signed").body == "【志高】您好"


def test_custom_signature(templates, root):
    assert SmsTemplates(root, signature="【测试】").render("hello", ticket_number="1").body.startswith("【测试】您好")


def test_empty_signature_adds_nothing(root):
    write(root, "zh", "plain", "您好")
    assert SmsTemplates(root, signature="").render("plain").body == "您好"


# --- marketing -------------------------------------------------------------------------------


def test_marketing_appends_opt_out(root):
    write(root, "zh", "promo", "夏季清洗优惠。")
    assert SmsTemplates(root).render("promo", marketing=True).body == "【志高】夏季清洗优惠。回T退订"


def test_marketing_does_not_repeat_opt_out_already_in_the_text(root):
    write(root, "zh", "promo", "夏季清洗优惠。回T退订")
    assert SmsTemplates(root).render("promo", marketing=True).body == "【志高】夏季清洗优惠。回T退订"


def test_marketing_opt_out_is_spaced_after_latin_text(root):
    write(root, "en", "promo", "Summer cleaning offer.")
    assert SmsTemplates(root).render("promo", "en", marketing=True).body == "【志高】Summer cleaning offer. 回T退订"


def test_non_marketing_text_gets_no_opt_out(root):
    write(root, "zh", "promo", "夏季清洗优惠。")
    assert "回T退订" not in SmsTemplates(root).render("promo").body


def test_opt_out_suffix_counts_towards_the_length_limit(root):
    write(root, "zh", "promo", "中" * 16)  # 4 + 16 = 20 characters; the suffix makes 24
    engine = SmsTemplates(root, max_chars=20)
    assert engine.render("promo").body.endswith("中")
    with pytest.raises(TemplateError, match="24 characters"):
        engine.render("promo", marketing=True)


# --- missing variables and bad templates ----------------------------------------------------


def test_missing_variable_is_an_error_naming_template_and_variable(templates):
    with pytest.raises(TemplateError, match=r"^zh/hello: missing variable: .*ticket_number"):
        templates.render("hello")


def test_template_error_is_a_value_error_with_its_parts(templates):
    with pytest.raises(ValueError) as info:
        templates.render("hello")
    assert (info.value.lang, info.value.name) == ("zh", "hello")


def test_a_variable_called_name_or_lang_can_be_passed(root):
    write(root, "zh", "greet", "{{ name }}您好，语言{{ lang }}")
    assert SmsTemplates(root).render("greet", name="张三", lang="zh").body == "【志高】张三您好，语言zh"


def test_syntax_error_is_a_template_error(root):
    write(root, "zh", "broken", "您好{{ name ")
    with pytest.raises(TemplateError, match="^zh/broken: syntax error"):
        SmsTemplates(root).render("broken", name="x")


def test_empty_render_is_an_error(root):
    write(root, "zh", "blank", "{{ x }}  \n")
    with pytest.raises(TemplateError, match="empty"):
        SmsTemplates(root).render("blank", x="")


# --- URLs ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "详情见 http://example.org/a",
        "详情见 https://example.org",
        "HTTPS://EXAMPLE.ORG",
        "登录www.chigo.com.cn查询",
        "访问 www.example 查询",
        "访问chigo.com查询",
        "访问chigo.cn",
        "邮箱163.com",  # all-digit labels are domains too
        "短链t.cn/A6abc",
        "访问 sub.example.net/x",
        "访问ｗｗｗ．ｃｈｉｇｏ．ｃｏｍ",  # full-width
        "访问chigo。com",  # Chinese full stop as the dot
        "邮件 service@chigo.com",
    ],
)
def test_url_in_the_file_is_rejected(root, text):
    write(root, "zh", "link", text)
    with pytest.raises(TemplateError, match="^zh/link: contains a URL"):
        SmsTemplates(root).render("link")


def test_url_from_a_variable_is_rejected(templates):
    with pytest.raises(TemplateError, match="URL"):
        templates.render("hello", ticket_number="1 see evil.com")


def test_urls_are_allowed_when_allow_urls(root):
    write(root, "zh", "link", "详情见 https://example.org 或 chigo.com")
    assert SmsTemplates(root, allow_urls=True).render("link").body.endswith("chigo.com")


@pytest.mark.parametrize(
    "text",
    [
        "请致电400 675 7888。",
        "新保修期至2031-06-30。",
        "温度设为26.5度，No.5, e.g. 1.5 hours, U.S. A.M.",
        "Reply T to stop. Call us.",
    ],
)
def test_ordinary_text_is_not_taken_for_a_url(root, text):
    write(root, "zh", "plain", text)
    assert SmsTemplates(root).render("plain").body.endswith(text)


# --- length limits ---------------------------------------------------------------------------


def test_text_at_max_chars_is_accepted(root):
    write(root, "zh", "long", "a" * 496)
    assert len(SmsTemplates(root, max_segments=99).render("long").body) == 500


def test_text_over_max_chars_is_rejected(root):
    write(root, "zh", "long", "a" * 497)
    with pytest.raises(TemplateError, match="^zh/long: 501 characters, over the limit of 500"):
        SmsTemplates(root, max_segments=99).render("long")


def test_text_at_max_segments_is_accepted(root):
    write(root, "zh", "long", "中" * (67 * 8 - 4))
    assert SmsTemplates(root, max_chars=10_000).render("long").segments.segments == 8


def test_text_over_max_segments_is_rejected(root):
    write(root, "zh", "long", "中" * (67 * 8 - 3))
    with pytest.raises(TemplateError, match=r"^zh/long: 9 segments \(UCS-2\), over the limit of 8"):
        SmsTemplates(root, max_chars=10_000).render("long")


def test_custom_segment_limit(root):
    write(root, "zh", "two", "中" * 67)  # 71 with the signature: two segments
    with pytest.raises(TemplateError, match="2 segments"):
        SmsTemplates(root, max_segments=1).render("two")


# --- languages and names ---------------------------------------------------------------------


def test_language_with_the_template_uses_it(root):
    write(root, "zh", "hi", "您好")
    write(root, "en", "hi", "Hello")
    rendered = SmsTemplates(root).render("hi", "en")
    assert (rendered.lang, rendered.body) == ("en", "【志高】Hello")


def test_template_missing_in_a_language_falls_back_to_zh(root):
    write(root, "zh", "hi", "您好")
    write(root, "en", "other", "Other")
    rendered = SmsTemplates(root).render("hi", "en")
    assert (rendered.lang, rendered.body) == ("zh", "【志高】您好")


def test_unknown_template_is_an_error(templates):
    with pytest.raises(TemplateError, match="^zh/nope: unknown template"):
        templates.render("nope")


def test_unknown_template_in_another_language_is_an_error(root):
    write(root, "zh", "hi", "您好")
    write(root, "en", "hi", "Hello")
    with pytest.raises(TemplateError, match="^en/nope: unknown template"):
        SmsTemplates(root).render("nope", "en")


def test_unknown_language_is_an_error(templates):
    with pytest.raises(TemplateError, match="^fr/hello: unknown language"):
        templates.render("hello", "fr", ticket_number="1")


@pytest.mark.parametrize("name", ["../zh/hello", "zh/hello", "hello.txt.j2", "Hello", ""])
def test_names_that_are_not_identifiers_are_unknown(templates, name):
    with pytest.raises(TemplateError, match="unknown template"):
        templates.render(name, ticket_number="1")


@pytest.mark.parametrize("lang", ["..", "../zh", "zh/", ""])
def test_languages_that_are_not_codes_are_unknown(templates, lang):
    with pytest.raises(TemplateError, match="unknown language"):
        templates.render("hello", lang, ticket_number="1")


def test_names_lists_the_templates_of_a_language(root):
    write(root, "zh", "b", "乙")
    write(root, "zh", "a", "甲")
    (root / "zh" / "notes.md").write_text("not a template")
    assert SmsTemplates(root).names() == ["a", "b"]


def test_names_in_another_language_include_the_zh_fallbacks(root):
    write(root, "zh", "a", "甲")
    write(root, "en", "c", "C")
    assert SmsTemplates(root).names("en") == ["a", "c"]


def test_names_of_an_unknown_language_is_an_error(templates):
    with pytest.raises(TemplateError, match="unknown language"):
        templates.names("fr")


# --- check_all -------------------------------------------------------------------------------


def test_check_all_passes_on_good_templates(root):
    write(root, "zh", "ok", "工单{{ ticket_number }}已受理。")
    write(root, "en", "ok", "Ticket {{ ticket_number }} logged.")
    assert SmsTemplates(root).check_all() == []


def test_check_all_reports_each_problem_as_lang_slash_name(root):
    write(root, "zh", "ok", "您好")
    write(root, "zh", "link", "访问chigo.com")
    write(root, "en", "unknown_var", "Hello {{ no_such_variable }}")
    write(root, "en", "long", "x" * 600)
    problems = SmsTemplates(root).check_all()
    assert [p.split(":")[0] for p in problems] == ["en/long", "en/unknown_var", "zh/link"]


def test_check_all_reports_a_missing_zh_directory(root):
    write(root, "en", "ok", "Hello")
    assert SmsTemplates(root).check_all() == ["zh/*: the fallback language has no templates directory"]


def test_check_all_renders_marketing_texts_at_their_longest(root):
    write(root, "zh", "tight", "中" * 16)  # fits in 20 only without 回T退订
    assert SmsTemplates(root, max_chars=20).check_all() == ["zh/tight: 24 characters, over the limit of 20"]


# --- the shipped templates -------------------------------------------------------------------


def test_check_all_on_the_shipped_templates_finds_no_problem():
    assert SmsTemplates(SHIPPED).check_all() == []


def test_every_shipped_template_exists_in_both_languages():
    shipped = SmsTemplates(SHIPPED)
    assert shipped._own_names("en", "*") == shipped._own_names("zh", "*")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_template_other_modules_call_is_shipped(lang):
    # Features add templates of their own; these are the ones whose variables are fixed here.
    assert set(SHIPPED_VARIABLES) <= set(SmsTemplates(SHIPPED)._own_names(lang, "*"))


def test_sample_context_covers_every_shipped_variable():
    assert set().union(*SHIPPED_VARIABLES.values()) <= set(SAMPLE_CONTEXT)


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("name", sorted(SHIPPED_VARIABLES))
def test_shipped_template_renders_with_just_its_variables_in_two_segments(name, lang):
    context = {key: SAMPLE_CONTEXT[key] for key in SHIPPED_VARIABLES[name]}
    rendered = SmsTemplates(SHIPPED).render(name, lang, **context)
    assert rendered.lang == lang
    assert rendered.segments.segments <= 2


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("name", sorted(SHIPPED_VARIABLES))
def test_shipped_template_files_carry_no_signature(name, lang):
    # The code adds it; a file that has it too would break when the signature changes.
    assert "【" not in (SHIPPED / lang / f"{name}.txt.j2").read_text(encoding="utf-8")


@pytest.mark.parametrize("name", ["maintenance_reminder", "seasonal_alert", "idle_poweroff_reminder"])
def test_shipped_care_reminders_carry_the_opt_out(name):
    assert SmsTemplates(SHIPPED).render(name, **SAMPLE_CONTEXT).body.endswith("回T退订")


def test_help_reply_lists_the_three_hotlines():
    body = SmsTemplates(SHIPPED).render("help_reply").body
    assert all(line in body for line in ("400 675 7888", "400 675 7555", "400 075 7112"))


def test_seasonal_alert_uses_a_given_hotline():
    body = SmsTemplates(SHIPPED).render("seasonal_alert", season_label="制热", hotline="400 075 7112").body
    assert "制热" in body and "400 075 7112" in body
