"""Customers, their phone numbers (E.164) and addresses."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.database import Base, UTCDateTime


class Customer(Base):
    """A person or business that owns units; recognised on the hotline by any of their phones."""

    __tablename__ = "customers"
    # Whether an audience's owner may be reached (not erased, consent), read from the index alone.
    __table_args__ = (Index("ix_customers_reach", "id", "erased_at", "marketing_consent"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # P-PRIV-1: never implied; the latest ConsentRecord says who recorded it, when and how.
    marketing_consent: Mapped[bool] = mapped_column(Boolean, default=False)
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # P-PRIV-3: personal data anonymised
    phones: Mapped[list["CustomerPhone"]] = relationship(
        back_populates="customer", order_by="CustomerPhone.id", cascade="all, delete-orphan"
    )
    addresses: Mapped[list["Address"]] = relationship(
        back_populates="customer", order_by="Address.id", cascade="all, delete-orphan"
    )


class CustomerPhone(Base):
    """One number of a customer; a number belongs to one customer only."""

    __tablename__ = "customer_phones"
    # An audience's owners' mobiles, read from the index alone (app.campaigns.audience).
    __table_args__ = (Index("ix_customer_phones_reach", "customer_id", "kind", "e164"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"), index=True)
    e164: Mapped[str] = mapped_column(String(20), unique=True)
    kind: Mapped[str] = mapped_column(String(16))  # mobile, fixed_line, ...: landlines get calls, not texts
    customer: Mapped[Customer] = relationship(back_populates="phones")


class Address(Base):
    """Where a unit is installed: province and city decide which outlet serves it."""

    __tablename__ = "addresses"
    # A campaign's audience is a city's units (app.campaigns.audience): their address ids read from the
    # index alone, without reading every address.
    __table_args__ = (Index("ix_addresses_city_id", "city", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"), index=True)
    province: Mapped[str] = mapped_column(String(40))
    city: Mapped[str] = mapped_column(String(40))
    line: Mapped[str] = mapped_column(String(200), default="")
    customer: Mapped[Customer] = relationship(back_populates="addresses")


class ConsentRecord(Base):
    """One recording of a customer's marketing consent, given or withdrawn (P-PRIV-1)."""

    __tablename__ = "consent_records"

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"), index=True)
    marketing: Mapped[bool] = mapped_column(Boolean)
    source: Mapped[str] = mapped_column(String(40))  # how: hotline, sms, paper_form, web, ...
    note: Mapped[str] = mapped_column(Text, default="")
    recorded_by: Mapped[str] = mapped_column(String(80))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())


class CustomerAudit(Base):
    """A change to a customer's record: who, when, what (before and after)."""

    __tablename__ = "customer_audits"

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"), index=True)
    action: Mapped[str] = mapped_column(String(24))  # created, amended, unit_added, consent, erased, exported, phone_revealed
    actor: Mapped[str] = mapped_column(String(80))
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    changes: Mapped[dict] = mapped_column(JSON, default=dict)  # field -> [before, after]
