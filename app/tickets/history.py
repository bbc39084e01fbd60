"""A ticket's history (P-REC-2): every `TicketEvent` is written here, by whoever acts on the ticket."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from app.tickets.models import Ticket, TicketEvent

# `status_before` when the event leaves the ticket's status as it is (a breach, a parts request).
UNMOVED = "unmoved"


def record_event(
    session: Session,
    ticket: Ticket,
    type_: str,
    *,
    actor: str,
    now: datetime,
    note: str = "",
    changes: dict | None = None,
    status_before: str | None = UNMOVED,
) -> TicketEvent:
    """Add one event to the ticket's history: who, when, what changed (field -> [before, after]).

    `status_before` is the status the event moved the ticket from (None for its creation); by
    default the event did not move it. Not flushed: a caller writing a batch flushes once.
    """
    before = ticket.status if status_before == UNMOVED else status_before
    event = TicketEvent(ticket=ticket, type=type_, actor=actor, at=now, status_before=before,
                        status_after=ticket.status, changes=changes or {}, note=note)
    session.add(event)
    return event
