"""The scheduler's tables: APScheduler's job store and the ledger of job runs."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Float, LargeBinary, String, Table, Text, Unicode, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.database import Base, UTCDateTime

# APScheduler's SQLAlchemyJobStore table, declared here so the migration creates it and the
# tests' clean-up knows it; the columns are exactly the ones the job store defines.
apscheduler_jobs = Table(
    "apscheduler_jobs",
    Base.metadata,
    Column("id", Unicode(191), primary_key=True),
    Column("next_run_time", Float(25), index=True),
    Column("job_state", LargeBinary, nullable=False),
)


class JobRun(Base):
    """One run of a scheduled job for one fire time (`slot`): claimed before it starts, so no
    two processes, and no restart, run the same slot twice."""

    __tablename__ = "scheduler_runs"
    __table_args__ = (UniqueConstraint("job", "slot", name="uq_scheduler_runs_job_slot"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    job: Mapped[str] = mapped_column(String(40))
    slot: Mapped[datetime] = mapped_column(UTCDateTime())
    runner: Mapped[str] = mapped_column(String(80))  # host:pid of the process that ran it
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    outcome: Mapped[str] = mapped_column(String(12), default="running")  # running, ok, failed
    summary: Mapped[str] = mapped_column(Text, default="")
