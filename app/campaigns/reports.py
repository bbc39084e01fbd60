"""What staff read of a campaign: its JSON, its preview and its stats (counted from the recipient rows)."""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import case, func, or_, select
from sqlalchemy.orm import Session

from app.campaigns.audience import Audience, Rules, count_audience
from app.campaigns.kinds import KINDS
from app.campaigns.models import Campaign, CampaignEvent, CampaignRecipient
from app.campaigns.policy import CampaignPolicy
from app.campaigns.services import first_send_at
from app.campaigns.texts import TEMPLATE, compile_text, render_body
from app.customers.phone_numbers import mask_phone
from app.messaging.models import Message, Suppression
from app.messaging.outbox import sms_templates
from app.tickets.models import Ticket
from app.units.models import Unit


def _iso(value: datetime | None, tz) -> str | None:
    return value.astimezone(tz).isoformat() if value is not None else None


def campaign_json(session: Session, campaign: Campaign, tz, policy: CampaignPolicy) -> dict:
    events = session.scalars(select(CampaignEvent).where(CampaignEvent.campaign_id == campaign.id)
                             .order_by(CampaignEvent.id))
    return {
        "id": campaign.id, "kind": campaign.kind, "name": campaign.name, "template": campaign.template,
        "audience": campaign.audience or {}, "starts_at": _iso(campaign.starts_at, tz),
        "ends_by": _iso(campaign.ends_by, tz),
        # P-PRIV-5: a start in quiet hours waits for their end; this says when.
        "first_send_at": _iso(first_send_at(campaign, policy.quiet_hours), tz),
        "rate_per_minute": campaign.rate_per_minute, "status": campaign.status,
        "category": KINDS[campaign.kind].category, "created_by": campaign.created_by,
        "created_at": _iso(campaign.created_at, tz), "approved_by": campaign.approved_by,
        "approved_at": _iso(campaign.approved_at, tz), "waiting_reason": campaign.waiting_reason,
        "paused_reason": campaign.paused_reason,
        "events": [{"type": e.type, "actor": e.actor, "at": _iso(e.at, tz), "note": e.note} for e in events],
    }


def preview_campaign(session: Session, campaign: Campaign, *, now: datetime, policy: CampaignPolicy) -> dict:
    """The texts the run would send as of `now`, the exclusions by reason, and three rendered texts."""
    rules = Rules(kind=campaign.kind, now=now, today=now.astimezone(ZoneInfo(policy.tz)).date(),
                  cap_days=policy.cap_days, campaign_id=campaign.id)
    audience = Audience.from_json(campaign.audience)
    result = count_audience(session, audience, rules, sample=3)
    template = compile_text(campaign.template)
    templates = sms_templates(policy.sending.signature, allow_urls=policy.sending.allow_urls)
    sample = []
    for phone, _customer_id, unit_id in result.sample:
        unit = session.get(Unit, unit_id)
        body = render_body(template, campaign.kind, unit.product_line, unit.serial)
        rendered = templates.render(TEMPLATE, "zh", marketing=KINDS[campaign.kind].category == "marketing", body=body)
        sample.append({"phone": mask_phone(phone), "body": rendered.body, "segments": rendered.segments.segments})
    return {"audience": result.audience, "excluded": result.excluded, "sample": sample,
            "rate_per_minute": campaign.rate_per_minute,
            "minutes_to_send": -(-result.audience // campaign.rate_per_minute)}


def store_preview(session: Session, campaign: Campaign, *, now: datetime, policy: CampaignPolicy) -> dict:
    """Compute the preview as of `now` and keep it on the campaign with that time (the console shows
    it until the next recount). The caller commits."""
    campaign.preview, campaign.preview_at = preview_campaign(session, campaign, now=now, policy=policy), now
    return campaign.preview


def stats(session: Session, campaign: Campaign) -> dict:
    """Counted from the campaign's recipient rows and the texts they became."""
    rows = CampaignRecipient.campaign_id == campaign.id
    by_status = dict(session.execute(select(CampaignRecipient.status, func.count()).where(rows)
                                     .group_by(CampaignRecipient.status)).all())
    excluded = dict(session.execute(select(CampaignRecipient.reason, func.count())
                                    .where(rows, CampaignRecipient.status == "excluded")
                                    .group_by(CampaignRecipient.reason)).all())
    texts = dict(session.execute(select(Message.status, func.count())
                                 .join(CampaignRecipient, CampaignRecipient.message_id == Message.id)
                                 .where(rows).group_by(Message.status)).all())
    recall = _recall_counts(session, campaign) if KINDS[campaign.kind].safety else {}
    since = campaign.materialised_at
    phones = select(CampaignRecipient.phone).where(rows)
    opted_out = replies = 0
    if since is not None:
        opted_out = session.scalar(select(func.count()).select_from(Suppression).where(
            Suppression.phone.in_(phones), Suppression.created_at >= since))
        replies = session.scalar(select(func.count()).select_from(Message).where(
            Message.direction == "in", Message.phone.in_(phones), Message.created_at >= since))
    return {
        "audience": sum(by_status.values()) - by_status.get("excluded", 0),
        "queued": by_status.get("queued", 0), "pending": by_status.get("pending", 0),
        "sent": sum(texts.get(s, 0) for s in ("sent", "delivered", "undelivered")),
        "delivered": texts.get("delivered", 0),
        "failed": sum(texts.get(s, 0) for s in ("failed", "undelivered")),
        "suppressed": excluded.get("suppressed", 0),
        "needs_call": excluded.get("needs_call", 0),
        "expired": by_status.get("expired", 0), "cancelled": by_status.get("cancelled", 0),
        "excluded": excluded, "opted_out_since": opted_out, "replies": replies, **recall,
    }


def _recall_counts(session: Session, campaign: Campaign) -> dict:
    """A recall's reach (P-CARE-3): calls placed; owners reached (a text delivered, a call picked
    up); owners who answered (a repair ticket linked); and fixed (that ticket resolved)."""
    rows = CampaignRecipient.campaign_id == campaign.id
    delivered = Message.status == "delivered"
    called, reached, answered, fixed = session.execute(
        select(func.count(CampaignRecipient.call_sid),
               func.count(case((or_(CampaignRecipient.reached_at.is_not(None), delivered), 1))),
               func.count(CampaignRecipient.ticket_id), func.count(Ticket.resolved_at))
        .select_from(CampaignRecipient).outerjoin(Message, Message.id == CampaignRecipient.message_id)
        .outerjoin(Ticket, Ticket.id == CampaignRecipient.ticket_id).where(rows)).one()
    calls = dict(session.execute(select(CampaignRecipient.call_status, func.count())
                                 .where(rows, CampaignRecipient.call_status.is_not(None))
                                 .group_by(CampaignRecipient.call_status)).all())
    return {"called": called, "reached": reached, "answered": answered, "fixed": fixed, "calls": calls}
