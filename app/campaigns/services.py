"""Campaign moves as verbs: draft, approve (maker-checker), pause, resume, cancel. Each writes a
CampaignEvent and leaves the commit to its caller.

Scheduling into quiet hours (P-PRIV-5) is accepted and answered plainly: `first_send_at` in the
campaign's JSON says when its first text may go (08:00 after a 21:00 start); a window that
closes before any text may go is refused (400 naming `ends_by`).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.campaigns.audience import Audience
from app.campaigns.kinds import KINDS
from app.campaigns.models import Campaign, CampaignEvent, CampaignRecipient
from app.campaigns.texts import check_text
from app.database import MAX_ROW_ID
from app.errors import Conflict, NotFound, NotPermitted, ValidationFailed
from app.messaging.quiet_hours import QuietHours

STATUSES = ("draft", "approved", "running", "paused", "done", "cancelled")
APPROVERS = ("supervisor", "admin")
DEFAULT_RATE = 600
MAX_RATE = 60_000
# move -> (the statuses it may start from, the status it leaves)
MOVES = {
    "approve": ({"draft"}, "approved"),
    "pause": ({"approved", "running"}, "paused"),
    "resume": ({"paused"}, "running"),
    "cancel": ({"draft", "approved", "running", "paused"}, "cancelled"),
}


@dataclass(frozen=True)
class Draft:
    kind: str
    name: str
    template: str
    audience: Audience
    starts_at: datetime | None
    ends_by: datetime | None
    rate_per_minute: int = DEFAULT_RATE
    origin_key: str | None = None
    waiting_reason: str | None = None


def first_send_at(campaign: Campaign, quiet: QuietHours | None) -> datetime | None:
    """When the campaign's first text may go: its start, or the end of the quiet hours it falls in."""
    if campaign.starts_at is None:
        return None
    if quiet is not None and quiet.is_quiet(campaign.starts_at):
        return quiet.morning_after(campaign.starts_at)
    return campaign.starts_at


def record(session: Session, campaign: Campaign, type_: str, actor: str, now: datetime, note: str = "") -> None:
    session.add(CampaignEvent(campaign_id=campaign.id, type=type_, actor=actor, at=now, note=note))


def draft_campaign(session: Session, draft: Draft, *, actor: str, now: datetime, quiet: QuietHours | None,
                   signature: str = "【志高】") -> Campaign:
    """A new campaign in `draft`. Raises ValidationFailed for an unsendable text or a window with no
    sending time in it."""
    if draft.kind not in KINDS:
        raise ValidationFailed(f"kind must be one of {', '.join(KINDS)}", {"kind": "a campaign kind"})
    check_text(draft.template, draft.kind, signature=signature)
    if not 1 <= draft.rate_per_minute <= MAX_RATE:
        raise ValidationFailed(f"rate_per_minute must be 1 to {MAX_RATE}", {"rate_per_minute": f"1 to {MAX_RATE}"})
    campaign = Campaign(kind=draft.kind, name=draft.name, template=draft.template, audience=draft.audience.to_json(),
                        starts_at=draft.starts_at, ends_by=draft.ends_by, rate_per_minute=draft.rate_per_minute,
                        status="draft", created_by=actor, created_at=now, batches=0, origin_key=draft.origin_key,
                        waiting_reason=draft.waiting_reason)
    if draft.starts_at is not None and draft.ends_by is not None:
        opens = first_send_at(campaign, quiet)
        if draft.ends_by <= opens:
            raise ValidationFailed(
                f"ends_by must be after the first moment a text may go ({opens.isoformat()}; quiet hours hold "
                "every campaign text)", {"ends_by": "after starts_at and outside quiet hours"})
    session.add(campaign)
    session.flush()
    record(session, campaign, "drafted", actor, now, draft.waiting_reason or "")
    return campaign


def get_campaign(session: Session, campaign_id: int) -> Campaign:
    campaign = session.get(Campaign, campaign_id) if 1 <= campaign_id <= MAX_ROW_ID else None
    if campaign is None:
        raise NotFound(f"no campaign {campaign_id}")
    return campaign


def list_campaigns(session: Session, status: str | None, *, limit: int, offset: int) -> list[Campaign]:
    query = select(Campaign).order_by(Campaign.id.desc()).limit(limit).offset(offset)
    if status:
        query = query.where(Campaign.status == status)
    return list(session.scalars(query))


def move(session: Session, campaign: Campaign, action: str, *, actor: str, role: str, now: datetime,
         note: str = "") -> Campaign:
    """Apply `action` (approve, pause, resume, cancel). Approval is a supervisor's or an admin's, never
    the drafter's own (NotPermitted); a move the status does not allow is a Conflict."""
    sources, target = MOVES[action]
    if campaign.status not in sources:
        raise Conflict(f"a {campaign.status} campaign cannot be {action}d")
    if action == "approve":
        _check_approver(campaign, actor, role)
        campaign.approved_by, campaign.approved_at = actor, now
    if action == "resume":
        target = "running" if campaign.materialised_at is not None else "approved"
        campaign.paused_reason = None
    if action == "cancel":
        session.execute(CampaignRecipient.__table__.update()
                        .where(CampaignRecipient.campaign_id == campaign.id, CampaignRecipient.status == "pending")
                        .values(status="cancelled"))
        # A recall's calls not yet placed are not placed (a call already ringing goes on).
        session.execute(CampaignRecipient.__table__.update()
                        .where(CampaignRecipient.campaign_id == campaign.id, CampaignRecipient.reason == "needs_call",
                               CampaignRecipient.call_status.is_(None))
                        .values(call_status="cancelled"))
    campaign.status = target
    record(session, campaign, action + ("d" if action.endswith("e") else "ed"), actor, now, note)
    session.flush()
    return campaign


def _check_approver(campaign: Campaign, actor: str, role: str) -> None:
    if role not in APPROVERS:
        raise NotPermitted(f"approval is a supervisor's or an admin's, not a {role}'s")
    if actor == campaign.created_by:
        raise NotPermitted("the campaign's drafter may not approve it: another supervisor or admin must")
    if campaign.waiting_reason:
        raise Conflict(f"the draft cannot be approved yet: {campaign.waiting_reason}")


def status_counts(session: Session, campaign_id: int) -> dict[str, int]:
    """Recipient rows by status."""
    rows = session.execute(select(CampaignRecipient.status, func.count()).where(
        CampaignRecipient.campaign_id == campaign_id).group_by(CampaignRecipient.status))
    return {status: count for status, count in rows}
