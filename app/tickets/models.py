"""Tickets and their audit trail of events (P-REC-2)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.customers.models import Customer
from app.database import Base, UTCDateTime
from app.network.models import Outlet, Technician
from app.units.models import Unit


class Ticket(Base):
    """One request for service, its clocks (P-SLA) and where it stands in the closed loop."""

    __tablename__ = "tickets"
    __table_args__ = (
        Index("ix_tickets_phone_created", "phone", "created_at"),
        Index("ix_tickets_customer_created", "customer_id", "created_at"),
        Index("ix_tickets_status_created", "status", "created_at"),
        Index("ix_tickets_unit", "unit_id"),
        # The monthly settlement and the outlet scorecards read one outlet's month.
        Index("ix_tickets_outlet_resolved", "outlet_id", "resolved_at"),
        Index("ix_tickets_created", "created_at"),
        # The console's callback worklist: resolved jobs, oldest resolution first.
        Index("ix_tickets_status_resolved", "status", "resolved_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str | None] = mapped_column(String(16), unique=True)
    kind: Mapped[str] = mapped_column(String(16))
    product_line: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(16))
    priority: Mapped[str] = mapped_column(String(8), default="normal")
    source: Mapped[str] = mapped_column(String(16), default="api")
    # The contact number as E.164; the customer may own several.
    phone: Mapped[str] = mapped_column(String(20))
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id"))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    summary: Mapped[str] = mapped_column(Text, default="")
    main_equipment: Mapped[bool] = mapped_column(Boolean, default=False)
    users_fault: Mapped[bool] = mapped_column(Boolean, default=False)
    needs_verification_call: Mapped[bool] = mapped_column(Boolean, default=False)
    # Makes a retried create (Twilio step, double click) return the first ticket, not a second one.
    idempotency_key: Mapped[str | None] = mapped_column(String(80), unique=True)

    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    appointment_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    respond_by: Mapped[datetime] = mapped_column(UTCDateTime())
    arrive_by: Mapped[datetime | None] = mapped_column(UTCDateTime())
    resolve_by: Mapped[datetime | None] = mapped_column(UTCDateTime())
    loaner_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    responded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    arrived_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    respond_breached: Mapped[bool] = mapped_column(Boolean, default=False)
    arrive_breached: Mapped[bool] = mapped_column(Boolean, default=False)
    resolve_breached: Mapped[bool] = mapped_column(Boolean, default=False)

    outlet_id: Mapped[int | None] = mapped_column(ForeignKey("outlets.id"))
    technician_id: Mapped[int | None] = mapped_column(ForeignKey("technicians.id"))
    # Parts used and fee lines charged, as recorded at resolution (P-REP-2 settlement).
    work_lines: Mapped[dict] = mapped_column(JSON, default=dict)
    callback_score: Mapped[int | None] = mapped_column(Integer)
    reopen_count: Mapped[int] = mapped_column(Integer, default=0)
    # Optimistic lock: of two staff clicks racing on one ticket, the second gets a 409, not a lost update.
    version: Mapped[int] = mapped_column(Integer, default=1)

    customer: Mapped[Customer | None] = relationship()
    unit: Mapped[Unit | None] = relationship()
    outlet: Mapped[Outlet | None] = relationship()
    technician: Mapped[Technician | None] = relationship()
    events: Mapped[list["TicketEvent"]] = relationship(
        back_populates="ticket", order_by="TicketEvent.id", cascade="all, delete-orphan"
    )

    __mapper_args__ = {"version_id_col": version}


class TicketEvent(Base):
    """One change of a ticket: who, when, what, and the fields before and after (P-REC-2)."""

    __tablename__ = "ticket_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), index=True)
    type: Mapped[str] = mapped_column(String(24))
    actor: Mapped[str] = mapped_column(String(80))
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    status_before: Mapped[str | None] = mapped_column(String(16))
    status_after: Mapped[str] = mapped_column(String(16))
    changes: Mapped[dict] = mapped_column(JSON, default=dict)  # field -> [before, after]
    note: Mapped[str] = mapped_column(Text, default="")
    ticket: Mapped[Ticket] = relationship(back_populates="events")
