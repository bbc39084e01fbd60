"""A ticket's next promise to the customer: the milestone it waits for now (P-SLA-1..3) and its time.

Read out on the hotline (progress, key 6; a repeat caller's open repair) and texted to a customer
who urges a ticket (催办).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from app.tickets.models import Ticket


@dataclass(frozen=True)
class NextMilestone:
    """`word` names the flow's phrase (milestone_respond, ...); `due` fills its {time}."""

    word: str
    due: datetime | None = None

    @property
    def name(self) -> str:
        """respond, arrive, resolve, unbooked, overdue, callback, done or cancelled."""
        return self.word.removeprefix("milestone_")

    @property
    def overdue(self) -> bool:
        return self.word == "milestone_overdue"


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
