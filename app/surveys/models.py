"""The survey of one resolved job and where it stands on the ladder."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.database import Base, UTCDateTime
from app.tickets.models import Ticket

# Statuses in which the ladder still owes the customer a question or a person a task.
OPEN_STATUSES = ("pending", "texted", "reminded", "call_due", "calling", "staff")
# Statuses in which a text reply can still be taken as the answer (the question was texted).
REPLYABLE_STATUSES = ("texted", "reminded", "call_due", "calling", "staff")


class Survey(Base):
    """One survey per ticket (the database refuses a second); `round` counts re-resolutions.

    Status: pending (not asked yet) -> texted -> reminded -> call_due -> calling -> staff, ending in
    answered (the customer rated the job), settled (staff recorded the callback through the API)
    or withdrawn (the ticket was reopened before anyone answered). `next_action_at` is when the
    ladder must look at the survey again; NULL when it waits on nobody but a person.
    """

    __tablename__ = "surveys"
    __table_args__ = (
        UniqueConstraint("ticket_id", name="uq_surveys_ticket_id"),
        UniqueConstraint("call_sid", name="uq_surveys_call_sid"),
        Index("ix_surveys_due", "status", "next_action_at"),
        Index("ix_surveys_phone_status", "phone", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"))
    round: Mapped[int] = mapped_column(Integer, default=1)
    phone: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(12))
    route: Mapped[str | None] = mapped_column(String(8))  # sms, voice: how the first question went
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    next_action_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    texted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    request_message_id: Mapped[int | None] = mapped_column(Integer)
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    bad_replies: Mapped[int] = mapped_column(Integer, default=0)
    call_requested_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    call_sid: Mapped[str | None] = mapped_column(String(40))
    call_status: Mapped[str | None] = mapped_column(String(16))
    call_ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    staff_task_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    staff_task_reason: Mapped[str | None] = mapped_column(String(40))
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    score: Mapped[int | None] = mapped_column(Integer)
    answer_channel: Mapped[str | None] = mapped_column(String(8))  # sms, voice, staff
    answer_text: Mapped[str] = mapped_column(Text, default="")
    ticket: Mapped[Ticket] = relationship()

    @property
    def key(self) -> str:
        """The prefix of every dedupe key this round of the survey uses (texts, tasks)."""
        return f"survey:{self.id}:{self.round}"
