"""Parts requested for a repair (P-REP-3) and the sweep's high-water marks."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.database import Base, UTCDateTime
from app.tickets.models import Ticket

# The sweep reads only requests still waiting: unshipped, not cancelled, not yet escalated.
_WAITING = "shipped_at IS NULL AND cancelled_at IS NULL AND overdue_escalated_at IS NULL"


def _waiting_for(*terms: str, flag: str) -> dict:
    """A partial-index predicate for both databases (booleans are 0/1 in SQLite)."""
    return {"postgresql_where": text(" AND ".join([*terms, f"{flag} = false"])),
            "sqlite_where": text(" AND ".join([*terms, f"{flag} = 0"]))}


# The SLA sweep's indexes on tickets (migration 0004): each holds only the tickets still waiting
# for one milestone, so a sweep with nothing due reads nothing. Declared here, beside the sweep.
Index("ix_tickets_respond_due", Ticket.respond_by,
      **_waiting_for("responded_at IS NULL", "cancelled_at IS NULL", flag="respond_breached"))
Index("ix_tickets_arrive_due", Ticket.arrive_by,
      **_waiting_for("arrived_at IS NULL", "resolved_at IS NULL", "cancelled_at IS NULL", flag="arrive_breached"))
Index("ix_tickets_resolve_due", Ticket.resolve_by,
      **_waiting_for("resolved_at IS NULL", "cancelled_at IS NULL", flag="resolve_breached"))
Index("ix_tickets_loaner_due", Ticket.loaner_due_at, postgresql_where=text("loaner_due_at IS NOT NULL"),
      sqlite_where=text("loaner_due_at IS NOT NULL"))
Index("ix_tickets_resolved_at", Ticket.resolved_at, postgresql_where=text("resolved_at IS NOT NULL"),
      sqlite_where=text("resolved_at IS NOT NULL"))


class PartsRequest(Base):
    """Parts a technician asked the depot for; they must be shipped within 2 days (P-REP-3)."""

    __tablename__ = "parts_requests"
    __table_args__ = (
        Index("ix_parts_requests_waiting", "ship_by",
              postgresql_where=text(_WAITING), sqlite_where=text(_WAITING)),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), index=True)
    part_code: Mapped[str] = mapped_column(String(40), default="")
    part_name: Mapped[str] = mapped_column(String(120))
    quantity: Mapped[int] = mapped_column(Integer, default=1)
    depot: Mapped[str] = mapped_column(String(80), default="")
    requested_by: Mapped[str] = mapped_column(String(80))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ship_by: Mapped[datetime] = mapped_column(UTCDateTime())
    shipped_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    shipped_by: Mapped[str | None] = mapped_column(String(80))
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    overdue_escalated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    ticket: Mapped[Ticket] = relationship()


class SweepMark(Base):
    """How far a sweep has looked along one deadline; the next sweep reads only what fell due since."""

    __tablename__ = "sweep_marks"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    swept_until: Mapped[datetime] = mapped_column(UTCDateTime())
