"""`flask sms check` and `flask sms preview NAME`."""
from __future__ import annotations


def write(root, lang, name, text):
    path = root / lang / f"{name}.txt.j2"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def test_check_passes_on_the_shipped_templates(runner):
    result = runner.invoke(args=["sms", "check"])
    assert result.exit_code == 0, result.output
    assert "every one renders" in result.output


def test_check_fails_naming_each_template_and_reason(runner, tmp_path):
    write(tmp_path, "zh", "good", "您好，工单{{ ticket_number }}已受理。")
    write(tmp_path, "zh", "missing", "您好，{{ customer_name }}")
    write(tmp_path, "zh", "link", "详情见 t.cn/abc")
    write(tmp_path, "zh", "long", "长" * 501)
    write(tmp_path, "en", "segments", "😀" * 270)  # 278 characters, but 548 UTF-16 units: 9 segments
    result = runner.invoke(args=["sms", "check", "--templates", str(tmp_path)])
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert [line.split(":")[0] for line in lines] == ["en/segments", "zh/link", "zh/long", "zh/missing"]
    assert "missing variable" in lines[3] and "URL" in lines[1] and "over the limit of 500" in lines[2]
    assert "segments" in lines[0] and "over the limit of 8" in lines[0]


def test_preview_prints_the_text_and_its_segments(runner):
    result = runner.invoke(args=["sms", "preview", "ticket_created"])
    assert result.exit_code == 0, result.output
    body, count = result.output.strip().splitlines()
    assert body.startswith("【志高】") and "10012342" in body
    assert count.startswith("zh/ticket_created: 1 segment (UCS-2,")


def test_preview_as_marketing_adds_the_opt_out(runner):
    result = runner.invoke(args=["sms", "preview", "ticket_resolved", "--marketing", "--lang", "en"])
    assert result.output.splitlines()[0].endswith("回T退订")


def test_preview_of_an_unknown_template_fails_clearly(runner):
    result = runner.invoke(args=["sms", "preview", "no_such"])
    assert result.exit_code == 1 and "zh/no_such: unknown template" in result.output
