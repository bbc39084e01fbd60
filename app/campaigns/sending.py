"""`campaign_dispatch`: start due campaigns, hand their texts to the outbox at their rate, expire
what is unsent at `ends_by`. One step is one transaction; the job commits after each.

Exactly once: a recipient row and the outbox text it becomes are written in the same
transaction (the text's dedupe key names campaign and number as well), so a dispatcher killed
mid-batch loses the whole uncommitted batch and the next run does it again: no number twice,
none skipped. Pause and cancel act within one batch: texts already handed to the outbox (at most
`lookahead` ahead of their send time) go; nothing more is handed over. Quiet hours hold every
kind, recalls included: nothing is handed over while they last, and no send time falls in them.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import exists, func, select, update
from sqlalchemy.orm import Session

from app.campaigns.audience import Rules, materialise
from app.campaigns.kinds import KINDS
from app.campaigns.models import Campaign, CampaignRecipient
from app.campaigns.policy import CampaignPolicy
from app.campaigns.recall_calls import calls_left
from app.campaigns.services import first_send_at, record
from app.campaigns.texts import TEMPLATE, compile_text, render_body
from app.customers.models import Customer
from app.messaging.models import Message, Suppression
from app.messaging.outbox import TextItem, queue_texts
from app.units.models import Unit

log = logging.getLogger(__name__)
ACTOR = "campaign_dispatch"
FAILED = ("failed", "undelivered")
MIN_SETTLED = 10  # a batch's failure share is judged once this many of its texts have an outcome


@dataclass
class Step:
    """What one step did; `worked` False means nothing was due."""

    worked: bool = False
    started: int = 0
    queued: int = 0
    expired: int = 0
    paused: int = 0
    done: int = 0


def campaign_step(session: Session, *, now: datetime, policy: CampaignPolicy,
                  observer: Callable[[CampaignRecipient], None] | None = None) -> Step:
    """Do the next piece of due work of one campaign: expire, start, or hand over one batch.

    `observer` is called after each text is handed over (the tests stop a run there)."""
    due = select(Campaign).where(Campaign.status.in_(("approved", "running"))).order_by(Campaign.id)
    for campaign in session.scalars(due.with_for_update(skip_locked=True)):
        step = _work_on(session, campaign, now, policy, observer)
        if step.worked:
            return step
    return Step()


def _work_on(session, campaign: Campaign, now, policy, observer) -> Step:
    if campaign.ends_by is not None and now >= campaign.ends_by:
        return Step(worked=True, expired=_expire(session, campaign, now), done=1)
    if campaign.status == "approved":
        if campaign.starts_at is None or now < campaign.starts_at:
            return Step()
        return Step(worked=True, started=_start(session, campaign, now, policy))
    if policy.quiet_hours is not None and policy.quiet_hours.is_quiet(now):
        return Step()
    if _failing(session, campaign, policy):
        campaign.status = "paused"
        campaign.paused_reason = f"over {policy.fail_share:.0%} of batch {campaign.batches} failed"
        record(session, campaign, "paused", ACTOR, now, campaign.paused_reason)
        return Step(worked=True, paused=1)
    handled, queued = _hand_over(session, campaign, now, policy, observer)
    if handled:
        return Step(worked=True, queued=queued)
    # A recall is done when its calls are placed as well (app.campaigns.recall_calls places them).
    if session.scalar(_pending(campaign).limit(1)) is None and not (KINDS[campaign.kind].safety
                                                                   and calls_left(session, campaign)):
        campaign.status = "done"
        record(session, campaign, "done", ACTOR, now, "every recipient handed over or marked why not")
        return Step(worked=True, done=1)
    return Step()


def _pending(campaign: Campaign):
    return select(CampaignRecipient.id).where(CampaignRecipient.campaign_id == campaign.id,
                                              CampaignRecipient.status == "pending").order_by(CampaignRecipient.id)


def _start(session, campaign: Campaign, now: datetime, policy: CampaignPolicy) -> int:
    rows = 0
    if campaign.materialised_at is None:
        rules = Rules(kind=campaign.kind, now=now, today=now.astimezone(ZoneInfo(policy.tz)).date(),
                      cap_days=policy.cap_days, campaign_id=campaign.id)
        rows = materialise(session, campaign, rules)
        campaign.materialised_at = now
    campaign.status = "running"
    campaign.next_slot_at = max(now, first_send_at(campaign, policy.quiet_hours))
    record(session, campaign, "started", ACTOR, now, f"{rows} recipient rows")
    log.info("campaign %s started: %s recipient rows", campaign.id, rows)
    return rows


def _expire(session, campaign: Campaign, now: datetime) -> int:
    """Unsent at `ends_by`: pending rows expire, and texts still waiting in the outbox are withdrawn."""
    waiting = select(CampaignRecipient.message_id).where(CampaignRecipient.campaign_id == campaign.id,
                                                         CampaignRecipient.message_id.is_not(None))
    withdrawn = session.execute(update(Message).where(Message.id.in_(waiting), Message.status == "queued")
                                .values(status="expired", error_message="the campaign ended (ends_by)")
                                .execution_options(synchronize_session=False)).rowcount
    expired = session.execute(update(CampaignRecipient).where(
        CampaignRecipient.campaign_id == campaign.id, CampaignRecipient.status == "pending")
        .values(status="expired", reason="ends_by").execution_options(synchronize_session=False)).rowcount
    expired += session.execute(update(CampaignRecipient).where(  # a recall's calls not placed by then
        CampaignRecipient.campaign_id == campaign.id, CampaignRecipient.reason == "needs_call",
        CampaignRecipient.call_status.is_(None)).values(call_status="expired")
        .execution_options(synchronize_session=False)).rowcount
    campaign.status = "done"
    record(session, campaign, "expired", ACTOR, now, f"{expired} unsent, {withdrawn} withdrawn from the outbox")
    return expired + withdrawn


def _failing(session, campaign: Campaign, policy: CampaignPolicy) -> bool:
    """More than the set share of the last batch failed (once enough of it has an outcome)."""
    if campaign.batches == 0:
        return False
    statuses = session.execute(
        select(Message.status, func.count()).join(CampaignRecipient, CampaignRecipient.message_id == Message.id)
        .where(CampaignRecipient.campaign_id == campaign.id, CampaignRecipient.batch == campaign.batches)
        .group_by(Message.status)).all()
    total = sum(count for _status, count in statuses)
    failed = sum(count for status, count in statuses if status in FAILED)
    settled = sum(count for status, count in statuses if status in (*FAILED, "sent", "delivered"))
    return settled >= min(MIN_SETTLED, total) > 0 and failed > policy.fail_share * total


def _slots(campaign: Campaign, now: datetime, policy: CampaignPolicy) -> list[datetime]:
    """The send times due to be handed over now: from the next free slot, spaced by the rate, up to
    `lookahead` ahead, at most a batch, none in quiet hours. A campaign that fell behind (quiet
    hours, a stopped scheduler) starts again from now rather than bursting."""
    step = timedelta(seconds=60 / campaign.rate_per_minute)
    slot = max(campaign.next_slot_at or now, now - step)
    slots = []
    while slot <= now + policy.lookahead and len(slots) < policy.batch_size:
        if policy.quiet_hours is not None and policy.quiet_hours.is_quiet(slot):
            break
        slots.append(slot)
        slot += step
    return slots


def _recheck(session, campaign: Campaign, ids: list[int], now: datetime, policy: CampaignPolicy) -> None:
    """Refusals, withdrawn consent and other campaigns' texts since the rows were written (P-PRIV-1, 2, 5)."""
    kind = KINDS[campaign.kind]
    rows = (CampaignRecipient.id.in_(ids), CampaignRecipient.status == "pending")
    refused = exists().where(Suppression.phone == CampaignRecipient.phone)
    _exclude(session, rows, refused, "needs_call" if kind.safety else "suppressed")  # a recall calls instead
    if kind.needs_consent:
        _exclude(session, rows, exists().where(Customer.id == CampaignRecipient.customer_id,
                                               Customer.marketing_consent.is_(False)), "no_consent")
    if kind.capped:
        other = CampaignRecipient.__table__.alias("other")
        recent = exists().where(other.c.phone == CampaignRecipient.phone, other.c.capped.is_(True),
                                other.c.status == "queued", other.c.campaign_id != campaign.id,
                                other.c.queued_at > now - timedelta(days=policy.cap_days))
        _exclude(session, rows, recent, "frequency_cap")


def _exclude(session, rows, condition, reason: str) -> None:
    session.execute(update(CampaignRecipient).where(*rows, condition).values(status="excluded", reason=reason)
                    .execution_options(synchronize_session=False))


def _hand_over(session, campaign: Campaign, now, policy: CampaignPolicy, observer) -> tuple[int, int]:
    """One batch: the next pending rows, one text each at its slot, in this transaction.
    Returns the rows settled (handed over or excluded on the recheck) and the texts queued."""
    slots = _slots(campaign, now, policy)
    if not slots:
        return 0, 0
    ids = list(session.scalars(_pending(campaign).limit(len(slots))))
    if not ids:
        return 0, 0
    _recheck(session, campaign, ids, now, policy)
    rows = session.execute(select(CampaignRecipient, Unit.product_line, Unit.serial)
                           .join(Unit, Unit.id == CampaignRecipient.unit_id)
                           .where(CampaignRecipient.id.in_(ids), CampaignRecipient.status == "pending")
                           .order_by(CampaignRecipient.id)).all()
    template, kind = compile_text(campaign.template), KINDS[campaign.kind]
    batch, queued = campaign.batches + 1, 0
    # Rendered per recipient (Jinja2), handed to the outbox as one batch: a few queries, one flush.
    items = [TextItem(phone=recipient.phone, context={"body": render_body(template, campaign.kind, product_line, serial)},
                      dedupe_key=f"campaign:{campaign.id}:{recipient.phone}", send_after=slot)
             for (recipient, product_line, serial), slot in zip(rows, slots)]
    messages = queue_texts(session, items, template=TEMPLATE, now=now, category=kind.category, policy=policy.sending)
    for (recipient, _line, _serial), message in zip(rows, messages):
        recipient.message_id, recipient.batch, recipient.queued_at = message.id, batch, now
        recipient.status, recipient.reason = ("queued", None) if message.status == "queued" else ("excluded", message.status)
        queued += recipient.status == "queued"
        if observer is not None:
            observer(recipient)
    if rows:
        campaign.batches = batch
        campaign.next_slot_at = slots[len(rows) - 1] + timedelta(seconds=60 / campaign.rate_per_minute)
    session.flush()
    return len(ids), queued


def run_campaign_dispatch(database, *, now: datetime, policy: CampaignPolicy, max_steps: int = 10_000,
                          observer=None) -> Step:
    """Steps, one transaction each, until nothing is due (the job `campaign_dispatch`)."""
    total = Step()
    for _ in range(max_steps):
        with database.session() as session:
            step = campaign_step(session, now=now, policy=policy, observer=observer)
            session.commit()
        if not step.worked:
            break
        for name in ("started", "queued", "expired", "paused", "done"):
            setattr(total, name, getattr(total, name) + getattr(step, name))
        total.worked = True
    return total
