"""Raising and resolving escalations; each cause raises at most one (dedupe key)."""
from __future__ import annotations

from datetime import datetime

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


def raise_escalation(
    session: Session,
    *,
    reason: str,
    queue: str,
    now: datetime,
    dedupe_key: str,
    ticket_id: int | None = None,
    detail: str = "",
) -> Escalation:
    """Open an escalation unless one with the same `dedupe_key` exists; return the one that stands."""
    if queue not in QUEUES:
        raise ValueError(f"unknown queue {queue!r}")
    existing = session.scalar(select(Escalation).where(Escalation.dedupe_key == dedupe_key))
    if existing is not None:
        return existing
    escalation = Escalation(
        ticket_id=ticket_id, reason=reason, detail=detail, queue=queue,
        status="open", dedupe_key=dedupe_key, created_at=now,
    )
    session.add(escalation)
    session.flush()
    return escalation


def resolve_escalation(session: Session, escalation_id: int, *, actor: str, role: str, note: str,
                       now: datetime) -> Escalation:
    """Mark an escalation handled by `actor` of `role`; only a role its queue belongs to may, and
    resolving it twice is refused so a double click is visible."""
    escalation = session.get(Escalation, escalation_id)
    if escalation is None:
        raise NotFound(f"no escalation {escalation_id}")
    allowed = QUEUE_ROLES.get(escalation.queue, ())
    if role not in allowed:
        raise NotPermitted(f"escalation {escalation_id} is in the {escalation.queue} queue, which a "
                           f"{' or '.join(allowed)} resolves, not the {role} role")
    if escalation.status != "open":
        raise Conflict(f"escalation {escalation_id} was already resolved by {escalation.resolved_by}")
    escalation.status = "resolved"
    escalation.resolved_at = now
    escalation.resolved_by = actor
    escalation.resolution_note = note
    return escalation
