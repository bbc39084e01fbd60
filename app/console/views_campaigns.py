"""Campaigns for marketing: a draft with a live preview (audience and exclusions), maker-checker approval,
pause, resume, cancel, progress and results. The verbs and the preview are app.campaigns' own."""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.datastructures import MultiDict

from app.api.campaigns import MARKETING, read_audience
from app.campaigns.audience import Rules, count_audience
from app.campaigns.kinds import KINDS
from app.campaigns.policy import CampaignPolicy
from app.campaigns.reports import campaign_json, preview_campaign, stats, store_preview
from app.campaigns.services import APPROVERS, DEFAULT_RATE, MAX_RATE, STATUSES, Draft, draft_campaign, get_campaign
from app.campaigns.services import list_campaigns, move
from app.console import console
from app.console.actions import act, field, note_field
from app.console.auth import requires
from app.console.extensions import csrf
from app.console.forms import whole
from app.errors import DomainError, ValidationFailed
from app.product_lines import PRODUCT_LINES
from app.web import business_tz, db_session, now, settings

PER_PAGE = 50
LISTS = ("provinces", "cities", "exclude_cities", "models")
MOVES = ("approve", "pause", "resume", "cancel")


def _policy() -> CampaignPolicy:
    return CampaignPolicy.from_settings(settings())


def _split(text: str) -> list[str]:
    """A list typed in one box: comma, 、 or newline between items."""
    for sep in ("，", "、", "\n"):
        text = text.replace(sep, ",")
    return [item.strip() for item in text.split(",") if item.strip()]


def audience_of(form) -> dict:
    """The form's audience as the API's JSON `audience` object."""
    audience: dict = {name: _split(form.get(name) or "") for name in LISTS}
    audience["product_lines"] = [line for line in form.getlist("product_lines") if line]
    for name in ("serial_from", "serial_to", "installed_from", "installed_to"):
        value = (form.get(name) or "").strip()
        if value:
            audience[name] = value
    audience["in_warranty_only"] = form.get("in_warranty_only") == "1"
    return {"audience": audience}


def local_time(name: str) -> datetime:
    """A `datetime-local` field read in business time."""
    raw = field(name)
    try:
        value = datetime.fromisoformat(raw) if raw else None
    except ValueError:
        value = None
    if value is None or not 1900 <= value.year <= 2999:
        raise ValidationFailed(_("%(name)s 需要日期和时间。", name=name), {name: "a date and time"})
    return value.replace(tzinfo=value.tzinfo or ZoneInfo(settings().tz_name))


def _kind(form) -> str:
    kind = (form.get("kind") or "").strip()
    if kind not in KINDS:
        raise ValidationFailed(f"kind must be one of {', '.join(KINDS)}", {"kind": "a campaign kind"})
    return kind


@console.get("/campaigns")
@requires(*MARKETING)
def campaigns():
    status = request.args.get("status") or None
    if status not in (None, *STATUSES):
        status = None
    session, policy, tz = db_session(), _policy(), business_tz()
    rows = list_campaigns(session, status, limit=PER_PAGE, offset=0)
    items = [{"campaign": campaign_json(session, c, tz, policy), "stats": stats(session, c)} for c in rows]
    return render_template("campaigns.html", items=items, status=status, statuses=STATUSES)


@console.get("/campaigns/new")
@requires(*MARKETING)
def new_campaign():
    return render_template("campaign_new.html", kinds=KINDS, lines=PRODUCT_LINES, form=MultiDict(),
                           default_rate=DEFAULT_RATE, max_rate=MAX_RATE)


@console.get("/campaigns/preview")
@requires(*MARKETING)
def live_preview():
    """The audience and its exclusions of the draft being typed (an HTML fragment the form fetches)."""
    try:
        kind = _kind(request.args)
        audience = read_audience(audience_of(request.args))
        at, policy = now(), _policy()
        rules = Rules(kind=kind, now=at, today=at.astimezone(ZoneInfo(policy.tz)).date(), cap_days=policy.cap_days)
        result = count_audience(db_session(), audience, rules)
    except DomainError as exc:
        return render_template("campaign_preview.html", error=exc.message)
    return render_template("campaign_preview.html", error=None, audience=result.audience, excluded=result.excluded)


@console.post("/campaigns")
@requires(*MARKETING)
def post_campaign():
    """Draft the campaign; a refusal (the text, the window) shows the form again with the reason."""
    csrf.protect()
    session, policy = db_session(), _policy()
    try:
        rate = whole(field("rate_per_minute")) if field("rate_per_minute") else DEFAULT_RATE
        draft = Draft(kind=_kind(request.form), name=note_field("name", 120), template=note_field("template", 1000),
                      audience=read_audience(audience_of(request.form)), starts_at=local_time("starts_at"),
                      ends_by=local_time("ends_by"), rate_per_minute=rate if rate is not None else 0)
        if draft.ends_by <= draft.starts_at:
            raise ValidationFailed("ends_by must be after starts_at", {"ends_by": "after starts_at"})
        campaign = draft_campaign(session, draft, actor=current_user.name, now=now(), quiet=policy.quiet_hours,
                                  signature=policy.sending.signature)
        session.flush()
        store_preview(session, campaign, now=now(), policy=policy)  # counted once, here, not on every view
        session.commit()
    except DomainError as exc:
        session.rollback()
        return render_template("campaign_new.html", kinds=KINDS, lines=PRODUCT_LINES, form=request.form,
                               default_rate=DEFAULT_RATE, max_rate=MAX_RATE, error=exc.message), 400
    return redirect(url_for("console.campaign", campaign_id=campaign.id))


@console.get("/campaigns/<int:campaign_id>")
@requires(*MARKETING)
def campaign(campaign_id: int):
    """The campaign; a draft or an approved one with its preview as stored when saved or recounted (and
    its time), or computed now when it has none (a draft of the API or of the calendar jobs)."""
    session, policy, at = db_session(), _policy(), now()
    row = get_campaign(session, campaign_id)
    preview = preview_at = None
    if row.status in ("draft", "approved"):
        if row.preview is not None:
            preview, preview_at = row.preview, row.preview_at
        else:
            preview = preview_campaign(session, row, now=at, policy=policy)
    return render_template("campaign.html", campaign=campaign_json(session, row, business_tz(), policy),
                           stats=stats(session, row), preview=preview, preview_at=preview_at, approvers=APPROVERS)


@console.post("/campaigns/<int:campaign_id>/recount")
@requires(*MARKETING)
def campaign_recount(campaign_id: int):
    """Count the preview again as of now and keep it (the audience, exclusions and sample texts)."""
    def work():
        session = db_session()
        row = get_campaign(session, campaign_id)
        if row.status not in ("draft", "approved"):
            raise ValidationFailed(_("只有草稿或已批准的活动可以重新统计。"), {"status": row.status})
        store_preview(session, row, now=now(), policy=_policy())
        return _("预览已重新统计。")
    return act(work, url_for("console.campaign", campaign_id=campaign_id))


@console.post("/campaigns/<int:campaign_id>/<action>")
@requires(*MARKETING)
def campaign_move(campaign_id: int, action: str):
    """approve (a supervisor or an admin, never the drafter), pause, resume, cancel: the domain decides."""
    def work():
        if action not in MOVES:
            raise ValidationFailed(f"unknown action {action!r}")
        session = db_session()
        move(session, get_campaign(session, campaign_id), action, actor=current_user.name, role=current_user.role,
             now=now(), note=note_field("note", 500, required=False))
        return _("活动 %(id)s：%(a)s 已完成。", id=campaign_id, a=action_label(action))
    return act(work, url_for("console.campaign", campaign_id=campaign_id))


def action_label(action: str) -> str:
    return {"approve": _("批准"), "pause": _("暂停"), "resume": _("恢复"), "cancel": _("取消")}.get(action, action)


@console.app_template_global("action_label")
def _action_label(action: str) -> str:
    return action_label(action)
