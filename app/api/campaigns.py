"""Campaigns for marketing (interfaces.md, "Campaigns"): draft, preview, approve (maker-checker), run, stats."""
from __future__ import annotations

from flask import jsonify, request

from app.api import api
from app.api.auth import current_user, require_role
from app.api.params import (body_date, body_datetime, body_int, boolean, choice, json_object, only_keys,
                            optional_json_object, optional_text, page_of, paging, required_text, text_list)
from app.campaigns.audience import Audience
from app.campaigns.kinds import KINDS
from app.campaigns.policy import CampaignPolicy
from app.campaigns.reports import campaign_json, preview_campaign, stats
from app.campaigns.services import APPROVERS, DEFAULT_RATE, MAX_RATE, STATUSES, Draft, draft_campaign, get_campaign
from app.campaigns.services import list_campaigns, move
from app.errors import ValidationFailed
from app.product_lines import PRODUCT_LINES
from app.web import business_tz, db_session, now, settings

MARKETING = ("marketing", "supervisor", "admin")
AUDIENCE_LISTS = {"product_lines": 3, "provinces": 40, "cities": 400, "exclude_cities": 400, "models": 100}
AUDIENCE_KEYS = (*AUDIENCE_LISTS, "serial_from", "serial_to", "installed_from", "installed_to", "in_warranty_only")
_CAMPAIGN = "/campaigns/<int:campaign_id>"


def _policy() -> CampaignPolicy:
    return CampaignPolicy.from_settings(settings())


def read_audience(data: dict) -> Audience:
    raw = only_keys(data.get("audience") if data.get("audience") is not None else {}, "audience", AUDIENCE_KEYS)
    lists = {name: text_list(raw, name, max_items=limit, max_len=60,
                             allowed=PRODUCT_LINES if name == "product_lines" else None)
             for name, limit in AUDIENCE_LISTS.items()}
    return Audience(**lists, serial_from=optional_text(raw, "serial_from", 40),
                    serial_to=optional_text(raw, "serial_to", 40), installed_from=body_date(raw, "installed_from"),
                    installed_to=body_date(raw, "installed_to"), in_warranty_only=bool(boolean(raw, "in_warranty_only")))


@api.post("/campaigns")
@require_role(*MARKETING)
def post_campaign():
    data = json_object()
    draft = Draft(kind=choice(data, "kind", tuple(KINDS), required=True), name=required_text(data, "name", 120),
                  template=required_text(data, "template", 1000), audience=read_audience(data),
                  starts_at=body_datetime(data, "starts_at", required=True),
                  ends_by=body_datetime(data, "ends_by", required=True),
                  rate_per_minute=body_int(data, "rate_per_minute", 1, MAX_RATE) or DEFAULT_RATE)
    if draft.ends_by <= draft.starts_at:
        raise ValidationFailed("ends_by must be after starts_at", {"ends_by": "after starts_at"})
    session, policy = db_session(), _policy()
    campaign = draft_campaign(session, draft, actor=current_user().name, now=now(), quiet=policy.quiet_hours,
                              signature=policy.sending.signature)
    session.commit()
    return jsonify(campaign_json(session, campaign, business_tz(), policy)), 201


@api.get("/campaigns")
@require_role(*MARKETING)
def get_campaigns():
    status = request.args.get("status") or None
    if status is not None and status not in STATUSES:
        raise ValidationFailed(f"status must be one of {', '.join(STATUSES)}", {"status": "a campaign status"})
    page, per_page = paging()
    session, policy = db_session(), _policy()
    rows = list_campaigns(session, status, limit=per_page + 1, offset=(page - 1) * per_page)
    return jsonify(page_of(rows, page, per_page, lambda c: campaign_json(session, c, business_tz(), policy)))


@api.get(_CAMPAIGN)
@require_role(*MARKETING)
def get_one_campaign(campaign_id: int):
    session = db_session()
    return jsonify(campaign_json(session, get_campaign(session, campaign_id), business_tz(), _policy()))


@api.get(_CAMPAIGN + "/preview")
@require_role(*MARKETING)
def get_preview(campaign_id: int):
    """Who the run would text now, who is left out and why, and a few of the texts."""
    session = db_session()
    return jsonify(preview_campaign(session, get_campaign(session, campaign_id), now=now(), policy=_policy()))


@api.get(_CAMPAIGN + "/stats")
@require_role(*MARKETING)
def get_stats(campaign_id: int):
    session = db_session()
    return jsonify(stats(session, get_campaign(session, campaign_id)))


def _move(campaign_id: int, action: str):
    note = optional_text(optional_json_object(), "note", 500) or ""
    session, user = db_session(), current_user()
    campaign = move(session, get_campaign(session, campaign_id), action, actor=user.name, role=user.role,
                    now=now(), note=note)
    session.commit()
    return jsonify(campaign_json(session, campaign, business_tz(), _policy()))


@api.post(_CAMPAIGN + "/approve")
@require_role(*APPROVERS)
def approve_campaign(campaign_id: int):
    """A supervisor's or an admin's, never the drafter's own (403)."""
    return _move(campaign_id, "approve")


@api.post(_CAMPAIGN + "/pause")
@require_role(*MARKETING)
def pause_campaign(campaign_id: int):
    return _move(campaign_id, "pause")


@api.post(_CAMPAIGN + "/resume")
@require_role(*MARKETING)
def resume_campaign(campaign_id: int):
    return _move(campaign_id, "resume")


@api.post(_CAMPAIGN + "/cancel")
@require_role(*MARKETING)
def cancel_campaign(campaign_id: int):
    return _move(campaign_id, "cancel")
