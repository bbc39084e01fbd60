"""`sms check` and `sms preview NAME`: the SMS templates as carriers will see them."""
from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup

from app.config import PROJECT_ROOT
from app.messaging.aliyun_templates import Registry
from app.messaging.routes import SmsRoutes
from app.messaging.templates import SAMPLE_CONTEXT, SmsTemplates, TemplateError
from app.web import settings

sms = AppGroup("sms", help="SMS templates.")

_ROOT = click.option("--templates", "root", type=click.Path(file_okay=False, path_type=Path),
                     default=PROJECT_ROOT / "sms_templates", show_default=True, help="the templates directory")


def _templates(root: Path) -> SmsTemplates:
    current = settings()
    return SmsTemplates(root, signature=current.sms_signature, allow_urls=current.sms_allow_urls)


@sms.command("check")
@_ROOT
def check(root: Path) -> None:
    """Render every template with sample data; list each problem as "lang/name: reason" and exit 1.

    When a route sends through Alibaba, every template also needs its registered code in
    aliyun.toml, and the registered content must yield the text we render."""
    templates = _templates(root)
    problems = templates.check_all()
    current = settings()
    if "aliyun" in SmsRoutes.from_settings(current).backends() | {current.sms_backend}:
        sign_name = current.aliyun_sms_sign_name or ""
        aliyun = SmsTemplates(root, signature=f"【{sign_name}】", allow_urls=current.sms_allow_urls)
        problems += Registry.load(root / "aliyun.toml").problems(aliyun, sign_name, SAMPLE_CONTEXT)
    for problem in problems:
        click.echo(problem, err=True)
    if problems:
        raise click.exceptions.Exit(1)
    click.echo(f"{len(templates.files())} templates in {', '.join(templates.languages())}: every one renders, "
               f"without links, within {templates.max_chars} characters and {templates.max_segments} segments")


@sms.command("preview")
@click.argument("name")
@click.option("--lang", default="zh", show_default=True)
@click.option("--marketing", is_flag=True, help="render as marketing (adds 回T退订)")
@_ROOT
def preview(name: str, lang: str, marketing: bool, root: Path) -> None:
    """Print template NAME rendered with sample data, and its segment count."""
    try:
        rendered = _templates(root).render(name, lang, marketing=marketing, **SAMPLE_CONTEXT)
    except TemplateError as exc:
        raise click.ClickException(str(exc)) from None
    count = rendered.segments
    click.echo(rendered.body)
    click.echo(f"{rendered.lang}/{name}: {count.segments} segment{'s' if count.segments != 1 else ''} "
               f"({count.encoding}, {count.characters} characters)")
