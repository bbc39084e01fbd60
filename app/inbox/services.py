"""The staff inbox: every `staff_inbox` escalation raised by an inbound text (free text, a survey
reply still unreadable after the re-ask, 预约 with no visit offered, a text that failed to process).

Items come oldest first, each with the text, the customer the number belongs to and their open
tickets. Marking one done needs a note and follows the escalation's rules (the claim, or a
supervisor); a reply, when given, is queued in the outbox like any text, so suppression, pacing
and quiet hours apply to it.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, selectinload

from app.customers.models import Customer, CustomerPhone
from app.errors import NotFound, ValidationFailed
from app.escalations.models import Escalation
from app.escalations.services import resolve_escalation
from app.messaging.models import Message
from app.messaging.outbox import queue_text
from app.messaging.policy import SendingPolicy
from app.messaging.templates import TemplateError
from app.tickets.lifecycle import OPEN_STATUSES
from app.tickets.models import Ticket

QUEUE = "staff_inbox"
REPLY_TEMPLATE = "staff_reply"
MAX_OPEN_TICKETS = 20  # per customer: enough to see what they are waiting for


@dataclass(frozen=True)
class InboxItem:
    escalation: Escalation
    message: Message
    customer: Customer | None
    open_tickets: list[Ticket]


def _is_inbox(query):
    return query.where(Escalation.queue == QUEUE, Escalation.message_id.is_not(None))


def inbox_items(session: Session, *, offset: int, limit: int) -> list[InboxItem]:
    """Open inbox items oldest first, each with its text, the sender's customer and their open tickets.

    Four queries a page, whatever its length: the items with their texts, the owners of the
    numbers, and the open tickets of those numbers and owners.
    """
    rows = list(session.execute(
        _is_inbox(select(Escalation, Message).join(Message, Message.id == Escalation.message_id)
                  .where(Escalation.status == "open"))
        .options(selectinload(Escalation.ticket))
        .order_by(Escalation.created_at, Escalation.id).offset(offset).limit(limit)).all())
    phones = {e.phone for e, _m in rows if e.phone}
    owners = {p.e164: p.customer for p in session.scalars(
        select(CustomerPhone).where(CustomerPhone.e164.in_(phones)).options(selectinload(CustomerPhone.customer)))
    } if phones else {}
    customer_ids = {c.id for c in owners.values()}
    tickets = list(session.scalars(
        select(Ticket).where(Ticket.status.in_([s.value for s in OPEN_STATUSES]),
                             or_(Ticket.phone.in_(phones), Ticket.customer_id.in_(customer_ids)))
        .order_by(Ticket.created_at, Ticket.id))) if phones else []
    items = []
    for escalation, message in rows:
        customer = owners.get(escalation.phone)
        mine = [t for t in tickets if t.phone == escalation.phone or (customer and t.customer_id == customer.id)]
        items.append(InboxItem(escalation, message, customer, mine[:MAX_OPEN_TICKETS]))
    return items


def finish_item(session: Session, escalation_id: int, *, actor: str, role: str, note: str, reply: str | None,
                now: datetime, policy: SendingPolicy) -> tuple[Escalation, Message | None]:
    """Mark the item done with `note` (the claim, or a supervisor's role), and queue `reply` to the sender."""
    escalation = session.scalar(_is_inbox(select(Escalation).where(Escalation.id == escalation_id)))
    if escalation is None:
        raise NotFound(f"no inbox item {escalation_id}")
    resolve_escalation(session, escalation_id, actor=actor, role=role, note=note, now=now)
    if not reply:
        return escalation, None
    try:
        message = queue_text(session, phone=escalation.phone, template=REPLY_TEMPLATE, context={"reply": reply},
                             now=now, ticket_id=escalation.ticket_id, dedupe_key=f"inbox:{escalation.id}:reply",
                             policy=policy)
    except TemplateError as exc:
        raise ValidationFailed(f"the reply cannot be sent as a text: {exc.reason}", {"reply": exc.reason}) from None
    return escalation, message
