"""The state of a call in the IVR, held server-side by CallSid so any worker serves any step."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.database import Base, UTCDateTime


class IvrCall(Base):
    """One call: where it waits in its flow, what the caller said so far, and how it ended."""

    __tablename__ = "ivr_calls"
    __table_args__ = (Index("ix_ivr_calls_started", "started_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    call_sid: Mapped[str] = mapped_column(String(64), unique=True)
    direction: Mapped[str] = mapped_column(String(12))  # inbound (a hotline) or survey (we called)
    flow: Mapped[str] = mapped_column(String(40))
    product_line: Mapped[str | None] = mapped_column(String(20))
    caller: Mapped[str | None] = mapped_column(String(20))  # E.164; None when withheld or not a number
    lang: Mapped[str] = mapped_column(String(8))
    node: Mapped[str] = mapped_column(String(64))  # the node waiting for the caller
    # The `n` the next request must carry; any other `n` is a retry and gets `last_response`.
    step: Mapped[int] = mapped_column(Integer)
    data: Mapped[dict] = mapped_column(JSON)  # vars, counters and the sub-flow stack
    service: Mapped[str | None] = mapped_column(String(20))  # the service the caller chose last
    service_done: Mapped[bool] = mapped_column(Boolean, default=False)  # a ticket or a person took it
    finished: Mapped[bool] = mapped_column(Boolean, default=False)  # the flow reached its end
    last_response: Mapped[str] = mapped_column(Text, default="")
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    end_status: Mapped[str | None] = mapped_column(String(16))
    abandoned: Mapped[bool] = mapped_column(Boolean, default=False)  # hung up before the flow's end
    callback_ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"))

    # Every UPDATE of a call says `AND step = <the step read>`: a step is taken once even when two
    # requests for it run at once (app/ivr/calls.py); the code sets the next step itself.
    __mapper_args__ = {"version_id_col": step, "version_id_generator": False}
