"""Texts in and out (the outbox is the `out` rows), the suppression list, and what the dispatcher keeps.

An `out` row's `status` is the outbox's own life of the text:

    queued -> sending -> sent -> delivered | undelivered | failed
                      \\-> queued (retry later)  \\-> needs_reconciliation (staff must check)
    suppressed / refused: never sent, by policy (opt-out) or by a content or number rule

`twilio_status` keeps Twilio's own word for the text (queued, accepted, sent, delivered, ...);
Twilio's "queued" means Twilio has it, which is why it is not stored in `status`.
"""
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
    status: Mapped[str] = mapped_column(String(24))
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
    # The claim that may have reached Twilio: its token guards every write of its outcome, and
    # its time bounds the search for the text at Twilio when the outcome was lost (reconcile.py).
    lease_token: Mapped[str | None] = mapped_column(String(32))
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    twilio_status: Mapped[str | None] = mapped_column(String(16))
    segments: Mapped[int] = mapped_column(Integer, default=1, server_default="1")  # what pacing counts
    # Lost outcomes: pending (Twilio answered 5xx or nothing), then found (at Twilio),
    # resent (proved not created) or staff.
    reconciliation: Mapped[str | None] = mapped_column(String(16))
    # The route chosen when it was queued (app.messaging.routes); None: the dispatcher's default.
    provider: Mapped[str | None] = mapped_column(String(16))
    # What Alibaba needs: the template's language and its TemplateParam JSON (aliyun_templates.py).
    template_lang: Mapped[str | None] = mapped_column(String(8))
    template_params: Mapped[str | None] = mapped_column(Text)
    # Alibaba: the OutId of the request that carried it (written with the claim, before sending),
    # and the BizId Alibaba answered; `sid` is then "<out_id>/<national number>".
    out_id: Mapped[str | None] = mapped_column(String(32))
    provider_ref: Mapped[str | None] = mapped_column(String(40))


class Suppression(Base):
    """A number that said STOP / 退订 / TD: no reminders or marketing reach it."""

    __tablename__ = "suppressions"

    phone: Mapped[str] = mapped_column(String(20), primary_key=True)
    source: Mapped[str] = mapped_column(String(16))  # sms, staff, twilio
    reason: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ErasedSuppression(Base):
    """The refusal of a customer whose data was erased (P-PRIV-3): kept as the number's hash only,
    so that the number still gets nothing the refusal forbids (P-PRIV-2)."""

    __tablename__ = "erased_suppressions"

    phone_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    source: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class SuppressionLift(Base):
    """A suppression that was lifted, kept for good (P-PRIV-2): whose refusal it was, and who
    lifted it, when and how (the customer's opt-in text, or staff recording the customer's request)."""

    __tablename__ = "suppression_lifts"

    id: Mapped[int] = mapped_column(primary_key=True)
    phone: Mapped[str] = mapped_column(String(20), index=True)
    source: Mapped[str] = mapped_column(String(16))  # the suppression's: sms, staff, twilio
    reason: Mapped[str] = mapped_column(String(200), default="")
    suppressed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    lifted_at: Mapped[datetime] = mapped_column(UTCDateTime())
    lifted_by: Mapped[str] = mapped_column(String(80))  # "customer", or the staff user's name
    how: Mapped[str] = mapped_column(String(16))  # opt_in_text, staff, admin
    note: Mapped[str] = mapped_column(Text, default="")


class SmsBlock(Base):
    """A number no text can reach (a landline, an invalid number): call it instead.

    Written when Twilio answers 21614 / 30006 (landline) or 21211 (invalid); read by
    `app.messaging.suppressions.text_block` and by anyone choosing voice over text.
    """

    __tablename__ = "sms_blocks"

    phone: Mapped[str] = mapped_column(String(20), primary_key=True)
    reason: Mapped[str] = mapped_column(String(16))  # landline, invalid
    error_code: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class SenderPace(Base):
    """A sender's next free sending slot, shared by every dispatcher process (pacing.py)."""

    __tablename__ = "sms_sender_pace"

    sender: Mapped[str] = mapped_column(String(64), primary_key=True)
    next_slot_at: Mapped[datetime] = mapped_column(UTCDateTime())


class EarlyStatus(Base):
    """A status callback that arrived before its MessageSid was recorded on a row.

    Twilio may call back before the dispatcher has committed the sid it was given; the callback
    waits here and is applied when the sid is recorded (or purged after a week).
    """

    __tablename__ = "sms_early_statuses"

    sid: Mapped[str] = mapped_column(String(40), primary_key=True)
    status: Mapped[str] = mapped_column(String(16))
    error_code: Mapped[int | None] = mapped_column(Integer)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime())
