"""Texts in and out (the outbox is the `out` rows) and the suppression list."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.database import Base, UTCDateTime


class Message(Base):
    """One text. An `out` row is written in the same transaction as the change that causes it."""

    __tablename__ = "messages"
    __table_args__ = (
        Index("ix_messages_phone_created", "phone", "created_at"),
        # The dispatcher's claim query: due rows by priority.
        Index("ix_messages_due", "status", "priority", "send_after"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    direction: Mapped[str] = mapped_column(String(3))  # in, out
    phone: Mapped[str] = mapped_column(String(20))
    body: Mapped[str] = mapped_column(Text)
    template: Mapped[str | None] = mapped_column(String(60))
    # transactional (ticket confirmations, surveys) goes ahead of reminder and marketing.
    category: Mapped[str] = mapped_column(String(16), default="transactional")
    priority: Mapped[int] = mapped_column(Integer, default=0)  # lower is sooner
    status: Mapped[str] = mapped_column(String(16))
    sid: Mapped[str | None] = mapped_column(String(40), unique=True)
    error_code: Mapped[int | None] = mapped_column(Integer)
    error_message: Mapped[str | None] = mapped_column(String(300))
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"), index=True)
    # One text per cause: a retried webhook or a rerun job cannot queue the same text twice.
    dedupe_key: Mapped[str | None] = mapped_column(String(120), unique=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    send_after: Mapped[datetime] = mapped_column(UTCDateTime())
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    status_updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class Suppression(Base):
    """A number that said STOP / 退订 / TD: no reminders or marketing reach it."""

    __tablename__ = "suppressions"

    phone: Mapped[str] = mapped_column(String(20), primary_key=True)
    source: Mapped[str] = mapped_column(String(16))  # sms, staff, twilio
    reason: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
