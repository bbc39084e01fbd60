"""Claiming an escalation: the person working an item holds it for a lease, so no two work it at once.

A claim lasts `LEASE` (15 minutes) unless renewed: claiming again renews it, so a double click is
one claim. Another user's live claim is a 409 naming the holder; an expired claim is free for the
next. Taking a claim is one conditional UPDATE, so of two people claiming at the same moment
exactly one holds the item, on either database.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import or_, update
from sqlalchemy.orm import Session

from app.errors import Conflict
from app.escalations.models import Escalation
from app.escalations.services import LEASE, OVERRIDING_ROLES, held_by_other, holder, open_item

MAX_LEASE = timedelta(minutes=60)


def claim_escalation(session: Session, escalation_id: int, *, actor: str, role: str, now: datetime,
                     lease: timedelta = LEASE) -> Escalation:
    """Hold the item for `actor` until `now + lease` (renewing their own claim); refused while another holds it."""
    escalation = open_item(session, escalation_id, role)
    free = or_(Escalation.claimed_by.is_(None), Escalation.claimed_by == actor,
               Escalation.claimed_until.is_(None), Escalation.claimed_until <= now)
    taken = session.execute(
        update(Escalation).where(Escalation.id == escalation_id, Escalation.status == "open", free)
        .values(claimed_by=actor, claimed_until=now + lease).execution_options(synchronize_session=False)
    ).rowcount
    session.refresh(escalation)
    if not taken:
        if escalation.status != "open":
            raise Conflict(f"escalation {escalation_id} was already resolved by {escalation.resolved_by}")
        raise held_by_other(escalation, now)
    return escalation


def release_escalation(session: Session, escalation_id: int, *, actor: str, role: str, now: datetime) -> Escalation:
    """Give the item back; releasing what nobody holds changes nothing. Another's claim only a
    supervisor or admin frees (409 naming the holder otherwise)."""
    escalation = open_item(session, escalation_id, role)
    who = holder(escalation, now)
    if who is not None and who != actor and role not in OVERRIDING_ROLES:
        raise held_by_other(escalation, now)
    escalation.claimed_by, escalation.claimed_until = None, None
    session.flush()
    return escalation
