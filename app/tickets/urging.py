"""Repeat callers urging their ticket (催办): the open repair of a unit, and what an urge does.

A caller reporting a fault on a unit that already has an open repair hears that ticket and its
next promise instead of logging a second one, and may urge it; a customer may text 催办 too. An
urge is an `urge` event on the ticket (P-REC-2); past a promised time it also raises a
supervisor escalation at once (one per ticket and stage).
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from datetime import tzinfo as TzInfo

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from app.customers.models import CustomerPhone
from app.escalations.models import Escalation
from app.escalations.services import raise_escalation
from app.messaging.outbox import queue_text
from app.messaging.policy import SendingPolicy
from app.tickets.history import record_event
from app.tickets.lifecycle import OPEN_STATUSES
from app.tickets.models import Ticket
from app.tickets.promises import NextMilestone, next_milestone

URGE_WORDS = frozenset({"催办", "催单", "催", "催促", "加急", "urge"})
_OPEN = [s.value for s in OPEN_STATUSES]
_EDGES = re.compile(r"^[\W_]+|[\W_]+$")


@dataclass(frozen=True)
class Urged:
    ticket: Ticket
    milestone: NextMilestone  # the promise the customer waits for
    escalation: Escalation | None  # raised because the promise is broken


def open_repair(session: Session, *, phone: str | None, product_line: str, unit_id: int | None) -> Ticket | None:
    """The newest open repair of the unit; with no unit known, of the number on this line (a repair
    logged without a unit, as a caller who gave no serial logs it)."""
    query = select(Ticket).where(Ticket.kind == "repair", Ticket.status.in_(_OPEN))
    if unit_id is not None:
        query = query.where(Ticket.unit_id == unit_id)
    elif phone:
        query = query.where(Ticket.phone == phone, Ticket.product_line == product_line, Ticket.unit_id.is_(None))
    else:
        return None
    return session.scalar(query.order_by(Ticket.created_at.desc(), Ticket.id.desc()).limit(1))


def urge_ticket(session: Session, ticket: Ticket, *, actor: str, channel: str, now: datetime) -> Urged:
    """Record the customer's urge; past the promised time, a supervisor escalation at once."""
    stone = next_milestone(ticket, now)
    escalation = None
    note = f"the customer urged the ticket by {channel}"
    if stone.overdue:
        escalation = raise_escalation(
            session, reason="urged_overdue", queue="supervisor", now=now, ticket_id=ticket.id,
            dedupe_key=f"ticket:{ticket.id}:urged:{ticket.status}:{ticket.reopen_count}",
            detail=f"ticket {ticket.number}: the customer urged it by {channel}, past its promised time")
        note += ", past its promised time: a supervisor follows it up"
    record_event(session, ticket, "urge", actor=actor, now=now, note=note)
    session.flush()
    return Urged(ticket, stone, escalation)


def is_urge(body: str) -> bool:
    """The whole text is an urge word (half- or full-width, any case, stray punctuation)."""
    return _EDGES.sub("", unicodedata.normalize("NFKC", body or "")).casefold() in URGE_WORDS


def open_repair_of_number(session: Session, phone: str) -> Ticket | None:
    """The newest open repair logged from `phone` or for its owner."""
    owner = select(CustomerPhone.customer_id).where(CustomerPhone.e164 == phone).scalar_subquery()
    return session.scalar(
        select(Ticket).where(Ticket.kind == "repair", Ticket.status.in_(_OPEN),
                             or_(Ticket.phone == phone, Ticket.customer_id == owner))
        .order_by(Ticket.created_at.desc(), Ticket.id.desc()).limit(1))


URGE_PROMISES = ("respond", "arrive", "resolve", "unbooked", "overdue")


def urge_by_text(session: Session, phone: str, body: str, now: datetime, *, tz: TzInfo,
                 policy: SendingPolicy, sid: str) -> bool:
    """催办 by text: the newest open repair is urged and the customer told its promise; False (the
    staff inbox reads it) when the text is no urge or the number has no open repair."""
    if not is_urge(body):
        return False
    ticket = open_repair_of_number(session, phone)
    if ticket is None:
        return False
    urged = urge_ticket(session, ticket, actor="customer:sms", channel="sms", now=now)
    due = urged.milestone.due.astimezone(tz) if urged.milestone.due else None
    # One template per promise, each a fixed wording a Chinese provider can register (no branches).
    template = f"urge_received_{urged.milestone.name if urged.milestone.name in URGE_PROMISES else 'overdue'}"
    queue_text(session, phone=phone, template=template, now=now, ticket_id=ticket.id, policy=policy,
               dedupe_key=f"sms:{sid}:urge_received",
               context={"ticket_number": ticket.number, "due": f"{due.month}月{due.day}日{due:%H:%M}" if due else ""})
    return True


def urge_reply_handler(policy: SendingPolicy, tz: TzInfo):
    """The SMS reply handler (app.messaging.inbound) that takes 催办 for an open repair."""

    def take_urge(session: Session, inbound) -> bool:
        return urge_by_text(session, inbound.phone, inbound.body, inbound.now, tz=tz, policy=policy, sid=inbound.sid)

    return take_urge
