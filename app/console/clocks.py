"""The SLA clock at stake on a ticket: the first milestone still owed, and how long until (or since) it is due."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from app.tickets import sla
from app.tickets.models import Ticket

OWED = (sla.MilestoneState.PENDING, sla.MilestoneState.BREACHED)


@dataclass(frozen=True)
class AtStake:
    """`seconds_left` is negative once the deadline has passed."""

    name: str
    rule_id: str
    due: datetime
    seconds_left: int


def milestones_of(ticket: Ticket, now: datetime) -> list[sla.Milestone]:
    return sla.milestones(respond_by=ticket.respond_by, arrive_by=ticket.arrive_by, resolve_by=ticket.resolve_by,
                          responded_at=ticket.responded_at, arrived_at=ticket.arrived_at,
                          resolved_at=ticket.resolved_at, now=now)


def at_stake(ticket: Ticket | None, now: datetime) -> AtStake | None:
    """The first milestone of an open ticket not yet met; None when every clock is met or stopped."""
    if ticket is None or ticket.status in ("resolved", "verified", "closed", "cancelled"):
        return None
    for stone in milestones_of(ticket, now):
        if stone.state in OWED and stone.due is not None:
            return AtStake(stone.name, stone.rule_id, stone.due, int((stone.due - now).total_seconds()))
    return None
