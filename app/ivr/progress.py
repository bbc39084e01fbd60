"""The caller's recent tickets, for progress (key 6); each is read with `app.tickets.promises.next_milestone`."""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.tickets.models import Ticket

RECENT_DAYS = 180
RECENT_LIMIT = 3


def recent_tickets(session: Session, phone: str, now: datetime) -> list[Ticket]:
    """The caller's latest tickets (by the number they call from), newest first."""
    return list(session.scalars(
        select(Ticket).where(Ticket.phone == phone, Ticket.created_at >= now - timedelta(days=RECENT_DAYS))
        .order_by(Ticket.created_at.desc(), Ticket.id.desc()).limit(RECENT_LIMIT)))
