"""A unit is one installed air conditioner or water heater, known by its serial."""
from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import Date, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.database import Base, UTCDateTime

if TYPE_CHECKING:  # the customers' importer creates units; a unit names its owner by the mapper's name
    from app.customers.models import Address, Customer


class Unit(Base):
    """One unit; `installed_on` starts its warranty (P-WAR), `purchased_on` stands in when unknown."""

    __tablename__ = "units"

    id: Mapped[int] = mapped_column(primary_key=True)
    serial: Mapped[str] = mapped_column(String(40), unique=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    address_id: Mapped[int | None] = mapped_column(ForeignKey("addresses.id"), index=True)
    product_line: Mapped[str] = mapped_column(String(20))
    model: Mapped[str] = mapped_column(String(60))
    purchased_on: Mapped[date | None] = mapped_column(Date())
    installed_on: Mapped[date | None] = mapped_column(Date())
    last_maintenance_on: Mapped[date | None] = mapped_column(Date())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    customer: Mapped["Customer"] = relationship("Customer")
    address: Mapped["Address | None"] = relationship("Address")


class WarrantyRestartRecord(Base):
    """A recorded P-WAR-7 restart: the unit was out of use more than 20 days through its own fault."""

    __tablename__ = "warranty_restarts"
    __table_args__ = (UniqueConstraint("unit_id", "restarted_on", name="uq_warranty_restarts_unit_day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    restarted_on: Mapped[date] = mapped_column(Date())
    downtime_seconds: Mapped[int]
    ticket_number: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(String(300))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())
