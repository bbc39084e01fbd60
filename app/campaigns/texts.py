"""A campaign's text: marketing writes Jinja2 source, rendered per recipient in a sandbox, then
queued as the `campaign_text` template so the outbox's rules (signature, links, length) apply."""
from __future__ import annotations

from jinja2 import StrictUndefined, TemplateError
from jinja2.sandbox import SandboxedEnvironment

from app.campaigns.kinds import KINDS, refusal_line
from app.errors import ValidationFailed
from app.messaging.outbox import sms_templates
from app.messaging.routes import opt_out_wording
from app.messaging.segments import count_segments
from app.messaging.templates import TemplateError as SmsTemplateError
from app.product_lines import HOTLINE_BY_LINE

TEMPLATE = "campaign_text"
PRODUCT_LABELS = {"home_ac": "家用空调", "commercial_ac": "商用空调", "water_heater": "空气能热水器"}
SEASON_LABELS = {"pre_season_cooling": "制冷", "pre_season_heating": "制热"}
VARIABLES = ("product_label", "hotline", "serial_tail", "season_label")
SAMPLE = {"product_line": "water_heater", "serial": "SN00008321"}

# Marketers' source runs in a sandbox: no attribute access to Python internals.
_ENV = SandboxedEnvironment(undefined=StrictUndefined, autoescape=False, trim_blocks=True)


def context_for(kind: str, product_line: str, serial: str, route: str = "twilio") -> dict:
    """The variables a campaign text may use, for one recipient's unit (and the route's refusal wording)."""
    opt_out, opt_out_key = opt_out_wording(route)
    return {"product_label": PRODUCT_LABELS.get(product_line, "设备"), "hotline": HOTLINE_BY_LINE.get(product_line, ""),
            "serial_tail": serial[-4:], "season_label": SEASON_LABELS.get(kind, ""),
            "opt_out": opt_out, "opt_out_key": opt_out_key}


def compile_text(source: str):
    """The compiled template; a syntax error is a 400 naming `template`."""
    try:
        return _ENV.from_string(source)
    except TemplateError as exc:
        raise ValidationFailed(f"template: {exc}", {"template": "a Jinja2 text"}) from None


def render_body(template, kind: str, product_line: str, serial: str, route: str = "twilio") -> str:
    """One recipient's text before the outbox adds the signature; marketing ends with the refusal line."""
    body = template.render(**context_for(kind, product_line, serial, route)).strip()
    if KINDS[kind].category == "marketing" and refusal_line(route) not in body:
        body += refusal_line(route)
    return body


def check_text(source: str, kind: str, *, signature: str = "【志高】", allow_urls: bool = False) -> dict:
    """Render `source` for the sample unit under the outbox's rules: {"body", "segments"}, or a 400
    naming `template` (unknown variable, link, too long)."""
    try:
        body = render_body(compile_text(source), kind, SAMPLE["product_line"], SAMPLE["serial"])
        rendered = sms_templates(signature, allow_urls=allow_urls).render(
            TEMPLATE, "zh", marketing=KINDS[kind].category == "marketing", body=body)
    except (TemplateError, SmsTemplateError) as exc:
        reason = exc.reason if isinstance(exc, SmsTemplateError) else str(exc)
        raise ValidationFailed(f"template: {reason} (variables: {', '.join(VARIABLES)})",
                               {"template": "a sendable text"}) from None
    return {"body": rendered.body, "segments": count_segments(rendered.body).segments}
