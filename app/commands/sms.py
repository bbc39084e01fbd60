"""`sms check` and `sms preview NAME`: the SMS templates as carriers will see them; `sms outbox`:
the texts themselves, as recorded or sent (with SMS_BACKEND=log this is where they are)."""
from __future__ import annotations

from datetime import datetime
from pathlib import Path

import click

from app.commands.groups import CommandGroup
from app.config import PROJECT_ROOT
from app.customers.phone_numbers import InvalidPhoneNumber, mask_phone, normalise_phone
from app.messaging.outbox import latest_texts
from app.messaging.aliyun_templates import Registry
from app.messaging.routes import SmsRoutes
from app.messaging.templates import SAMPLE_CONTEXT, SmsTemplates, TemplateError
from app.web import business_tz, db_session, settings

sms = CommandGroup("sms", help="SMS templates and the outbox.")

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


def _when(moment: datetime | None) -> str:
    return moment.astimezone(business_tz()).strftime("%Y-%m-%d %H:%M:%S") if moment else "-"


@sms.command("outbox")
@click.option("--phone", default=None, help="only the texts to this number, however typed (139 1234 5678, +86...)")
@click.option("--limit", type=click.IntRange(1, 1000), default=20, show_default=True, help="how many to show")
def outbox(phone: str | None, limit: int) -> None:
    """The latest texts, as recorded or sent, newest first (times in TZ_NAME, numbers masked).

    With SMS_BACKEND=log nothing leaves the machine: the texts are recorded here, as sent.
    """
    e164 = None
    if phone is not None:
        try:
            e164 = normalise_phone(phone).e164
        except InvalidPhoneNumber as exc:
            raise click.ClickException(f"--phone: {exc}") from None
    texts = latest_texts(db_session(), phone=e164, limit=limit)
    if settings().sms_backend == "log":
        click.echo("SMS_BACKEND=log: nothing leaves this machine; 'sent' means recorded here", err=True)
    if not texts:
        click.echo("no texts recorded" + (f" to {mask_phone(e164)}" if e164 else ""))
        return
    click.echo("created\tto\tstatus\ttemplate\tkind\tsent\tbody")
    for text in texts:
        body = " ".join(text.body.split())
        if text.error_message:
            body += f"  [{text.error_message}]"
        click.echo("\t".join((_when(text.created_at), mask_phone(text.phone), text.status, text.template or "-",
                              text.category, _when(text.sent_at), body)))
