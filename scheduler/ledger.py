"""The ledger of job runs: a run claims its slot (job, fire time) in a committed row before it starts.

APScheduler moves a job's next run time in its store right after handing the run to a thread; a
leader killed between the two would let the next leader fire the same time again. The unique
(job, slot) row turns that second start into a logged skip, so no slot ever runs twice.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from app.database import Database
from scheduler.models import JobRun

KEEP_RUNS = timedelta(days=3)


def claim_slot(database: Database, job: str, slot: datetime, *, runner: str, now: datetime) -> int | None:
    """Record that `runner` starts `job` for `slot`; None when that slot was claimed already."""
    with database.session() as session:
        run = JobRun(job=job, slot=slot, runner=runner, started_at=now, outcome="running", summary="")
        session.add(run)
        try:
            session.commit()
        except IntegrityError:
            session.rollback()
            return None
        return run.id


def finish_run(database: Database, run_id: int, *, outcome: str, summary: str, now: datetime) -> None:
    """Close the run's row and forget rows of this job older than a few days."""
    with database.session() as session:
        run = session.get(JobRun, run_id)
        run.outcome, run.summary, run.finished_at = outcome, summary[:2000], now
        session.execute(delete(JobRun).where(JobRun.job == run.job, JobRun.slot < now - KEEP_RUNS))
        session.commit()


def runs_of(database: Database, job: str) -> list[JobRun]:
    """Every recorded run of `job`, oldest slot first."""
    with database.session() as session:
        return list(session.scalars(select(JobRun).where(JobRun.job == job).order_by(JobRun.slot)))
