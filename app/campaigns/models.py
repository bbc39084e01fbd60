"""A campaign, its events, and its recipients: one row per number, the ledger of exactly-once.

A recipient row's `status`:

    pending -> queued (handed to the outbox; `message_id` names the text)
            \\-> excluded (`reason`: suppressed, no_consent, frequency_cap; recalls: needs_call)
            \\-> expired (unsent at `ends_by`) | cancelled (the campaign was cancelled)

A recall's `needs_call` rows are called (app.campaigns.recall_calls); `call_status` says how far:

    None -> calling (claimed, committed before Twilio's create) -> placed (CallSid kept)
         -> Twilio's final status (completed, no-answer, busy, failed, canceled)
         \\-> refused (Twilio said no) | unknown (claimed, never recorded: not called again)

`reached_at`: the owner picked up the call, or the text was delivered; `answered_at` and
`ticket_id`: the owner answered (text 1 or 预约, key 1) and got the repair ticket linked here.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.database import Base, UTCDateTime


class Campaign(Base):
    """One campaign: what to send (kind, template), to whom (audience), when (window) and how fast."""

    __tablename__ = "campaigns"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(24))
    name: Mapped[str] = mapped_column(String(120))
    template: Mapped[str] = mapped_column(Text)  # Jinja2 source, rendered per recipient
    audience: Mapped[dict] = mapped_column(JSON, default=dict)
    # Null only on a calendar draft that waits for what it cannot know yet (`waiting_reason`).
    starts_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    ends_by: Mapped[datetime | None] = mapped_column(UTCDateTime())
    rate_per_minute: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), index=True)
    created_by: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    approved_by: Mapped[str | None] = mapped_column(String(80))
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    materialised_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The send time of the next text: texts are spaced 60 / rate_per_minute seconds apart.
    next_slot_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    batches: Mapped[int] = mapped_column(Integer, default=0)
    # What drafted it (the calendar jobs): one draft per season, region and year.
    origin_key: Mapped[str | None] = mapped_column(String(160), unique=True)
    waiting_reason: Mapped[str | None] = mapped_column(String(300))
    paused_reason: Mapped[str | None] = mapped_column(String(300))
    # A recall's calls are placed at its rate too: the time of the next one.
    next_call_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The console's preview as computed when the draft was saved or last recounted (a city's or a
    # province's audience takes too long to count on every page view), and when that was.
    preview: Mapped[dict | None] = mapped_column(JSON)
    preview_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class CampaignEvent(Base):
    """A change to a campaign: drafted, approved, started, paused, resumed, cancelled, done..."""

    __tablename__ = "campaign_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"), index=True)
    type: Mapped[str] = mapped_column(String(24))
    actor: Mapped[str] = mapped_column(String(80))
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    note: Mapped[str] = mapped_column(Text, default="")


class CampaignRecipient(Base):
    """One number of one campaign (unique): whose it is, and what became of its text."""

    __tablename__ = "campaign_recipients"
    __table_args__ = (
        UniqueConstraint("campaign_id", "phone", name="uq_campaign_recipients_campaign_phone"),
        Index("ix_campaign_recipients_next", "campaign_id", "status", "id"),
        # The frequency cap: texts queued to a number lately.
        Index("ix_campaign_recipients_phone_queued", "phone", "queued_at"),
        # A batch's outcome (the failure share), without reading the rest of a million rows.
        Index("ix_campaign_recipients_batch", "campaign_id", "batch"),
        # A recall's calls still to place, and a reply's recall found by its number.
        Index("ix_campaign_recipients_calls", "campaign_id", "reason", "call_status"),
        Index("ix_campaign_recipients_phone", "phone"),
        UniqueConstraint("call_sid", name="uq_campaign_recipients_call_sid"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"))
    phone: Mapped[str] = mapped_column(String(20))
    customer_id: Mapped[int] = mapped_column(Integer)
    unit_id: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str | None] = mapped_column(String(24))
    capped: Mapped[bool] = mapped_column(default=True)  # counts toward the frequency cap (not recalls)
    batch: Mapped[int | None] = mapped_column(Integer)
    queued_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    message_id: Mapped[int | None] = mapped_column(ForeignKey("messages.id"))
    call_status: Mapped[str | None] = mapped_column(String(16))
    call_sid: Mapped[str | None] = mapped_column(String(40))
    called_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reached_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id", name="fk_campaign_recipients_ticket"))
