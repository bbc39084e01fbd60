"""Raising and resolving escalations; each cause raises at most one (dedupe key).

Resolving needs the resolver's own live claim (app.escalations.claims), or a supervisor's or an
admin's role.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.errors import Conflict, NotFound, NotPermitted
from app.escalations.models import Escalation

QUEUES = ("supervisor", "agent", "staff_inbox")
# Queues belong to roles: who may resolve an item of each (a complaint or an unhappy customer is
# a supervisor's, P-REC-4; an admin may act in every queue).
QUEUE_ROLES = {
    "supervisor": ("supervisor", "admin"),
    "agent": ("agent", "supervisor", "admin"),
    "staff_inbox": ("agent", "supervisor", "admin"),
}
# Who may resolve an item without holding its claim (a supervisor can always step in).
OVERRIDING_ROLES = ("supervisor", "admin")
LEASE = timedelta(minutes=15)  # how long a claim holds an item unless renewed


def raise_escalation(
    session: Session,
    *,
    reason: str,
    queue: str,
    now: datetime,
    dedupe_key: str,
    ticket_id: int | None = None,
    detail: str = "",
    phone: str | None = None,
    message_id: int | None = None,
    new_key: bool = False,
) -> Escalation:
    """Open an escalation unless one with the same `dedupe_key` exists; return the one that stands.

    `phone` and `message_id` name the inbound text an item of the staff inbox was raised by.
    `new_key`: the caller vouches that no row can hold `dedupe_key` yet (it names a ticket created
    in this transaction), so it is not looked up; the unique index still refuses a second row."""
    if queue not in QUEUES:
        raise ValueError(f"unknown queue {queue!r}")
    if not new_key:
        existing = session.scalar(select(Escalation).where(Escalation.dedupe_key == dedupe_key))
        if existing is not None:
            return existing
    escalation = Escalation(
        ticket_id=ticket_id, reason=reason, detail=detail, queue=queue,
        status="open", dedupe_key=dedupe_key, created_at=now, phone=phone, message_id=message_id,
    )
    session.add(escalation)
    session.flush()
    return escalation


def open_item(session: Session, escalation_id: int, role: str) -> Escalation:
    """The open escalation `escalation_id`, for a role its queue belongs to (404, 403, 409 otherwise)."""
    escalation = session.get(Escalation, escalation_id)
    if escalation is None:
        raise NotFound(f"no escalation {escalation_id}")
    allowed = QUEUE_ROLES.get(escalation.queue, ())
    if role not in allowed:
        raise NotPermitted(f"escalation {escalation_id} is in the {escalation.queue} queue, which a "
                           f"{' or '.join(allowed)} works, not the {role} role")
    if escalation.status != "open":
        raise Conflict(f"escalation {escalation_id} was already resolved by {escalation.resolved_by}")
    return escalation


def holder(escalation: Escalation, now: datetime) -> str | None:
    """Who holds the item's claim at `now`; None when nobody does or the claim ran out."""
    if escalation.claimed_by and escalation.claimed_until is not None and escalation.claimed_until > now:
        return escalation.claimed_by
    return None


def held_by_other(escalation: Escalation, now: datetime) -> Conflict:
    """The 409 for an item another person holds, naming them."""
    who = holder(escalation, now) or ""
    until = escalation.claimed_until.isoformat(timespec="seconds") if escalation.claimed_until else ""
    return Conflict(f"escalation {escalation.id} is claimed by {who} until {until}", {"claimed_by": who})


def resolve_escalation(session: Session, escalation_id: int, *, actor: str, role: str, note: str,
                       now: datetime) -> Escalation:
    """Mark an escalation handled by `actor` of `role`; only a role its queue belongs to may, holding
    its claim unless a supervisor or admin; resolving it twice is refused so a double click is visible."""
    escalation = open_item(session, escalation_id, role)
    who = holder(escalation, now)
    if role not in OVERRIDING_ROLES and who != actor:
        if who is not None:
            raise held_by_other(escalation, now)
        raise Conflict(f"claim escalation {escalation_id} before resolving it "
                       f"(POST /api/v1/escalations/{escalation_id}/claim)")
    escalation.claimed_until = None
    escalation.status = "resolved"
    escalation.resolved_at = now
    escalation.resolved_by = actor
    escalation.resolution_note = note
    return escalation
