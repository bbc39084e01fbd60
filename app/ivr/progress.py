"""What a caller hears about a ticket's progress: its state and the next milestone with its time."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.tickets.models import Ticket

RECENT_DAYS = 180
RECENT_LIMIT = 3


@dataclass(frozen=True)
class NextMilestone:
    """`word` names the flow's phrase (milestone_respond, ...); `due` fills its {time}."""

    word: str
    due: datetime | None = None


def next_milestone(ticket: Ticket, now: datetime) -> NextMilestone:
    """The milestone the caller waits for now (P-SLA-1..3), or where the closed loop stands."""
    status = ticket.status
    if status in ("resolved",):
        return NextMilestone("milestone_callback")  # done; the satisfaction callback follows (P-REC-3)
    if status in ("verified", "closed"):
        return NextMilestone("milestone_done")
    if status == "cancelled":
        return NextMilestone("milestone_cancelled")
    if status == "received":
        word, due = "milestone_respond", ticket.respond_by
    elif status in ("acknowledged", "dispatched"):
        if ticket.arrive_by is None:
            return NextMilestone("milestone_unbooked")
        word, due = "milestone_arrive", ticket.arrive_by
    else:  # on_site
        word, due = "milestone_resolve", ticket.resolve_by
    if due is not None and due < now:
        return NextMilestone("milestone_overdue")
    return NextMilestone(word, due)


def recent_tickets(session: Session, phone: str, now: datetime) -> list[Ticket]:
    """The caller's latest tickets (by the number they call from), newest first."""
    return list(session.scalars(
        select(Ticket).where(Ticket.phone == phone, Ticket.created_at >= now - timedelta(days=RECENT_DAYS))
        .order_by(Ticket.created_at.desc(), Ticket.id.desc()).limit(RECENT_LIMIT)))
