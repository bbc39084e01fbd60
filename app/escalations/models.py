"""The escalation queue staff work, oldest first."""
from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.database import Base, UTCDateTime

if TYPE_CHECKING:  # tickets raise escalations; the queue names its ticket by the mapper's name
    from app.tickets.models import Ticket


class Escalation(Base):
    """One item in a queue (`supervisor`, `agent`, `staff_inbox`), raised once per cause."""

    __tablename__ = "escalations"
    __table_args__ = (Index("ix_escalations_open", "status", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"), index=True)
    reason: Mapped[str] = mapped_column(String(40))
    detail: Mapped[str] = mapped_column(Text, default="")
    queue: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(12), default="open")  # open, resolved
    # e.g. "ticket:42:respond_breached": the same cause never raises two escalations.
    dedupe_key: Mapped[str] = mapped_column(String(120), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    resolved_by: Mapped[str | None] = mapped_column(String(80))
    resolution_note: Mapped[str] = mapped_column(Text, default="")
    # A claim: the person working the item holds it until `claimed_until` (a renewable lease).
    claimed_by: Mapped[str | None] = mapped_column(String(80))
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # An item raised by an inbound text (the staff inbox): who sent it and the stored text.
    phone: Mapped[str | None] = mapped_column(String(20))
    message_id: Mapped[int | None] = mapped_column(ForeignKey("messages.id"))
    ticket: Mapped["Ticket | None"] = relationship("Ticket")
