"""The scheduler process: wait for the lead, then run APScheduler until the lead is lost or we stop.

Standby: try the lock every SCHEDULER_LOCK_POLL_SECONDS. Leader: a BlockingScheduler with a
SQLAlchemyJobStore on DATABASE_URL (jobs by text reference, replace_existing) and, in memory,
a watchdog that checks the lock every few seconds and stops scheduling the moment it is lost.
The Flask app is never built: jobs need a Database and Settings only.
"""
from __future__ import annotations

import logging
import os
import signal
import socket
import threading
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.memory import MemoryJobStore
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.util import utc_timestamp_to_datetime
from sqlalchemy import select

from app.config import Settings
from app.database import Database
from scheduler import runner
from scheduler.jobs import JobContext
from scheduler.leader import lease_for
from scheduler.models import apscheduler_jobs
from scheduler.schedule import JobSpec

log = logging.getLogger("scheduler")
WATCHDOG_SECONDS = 3


def _stored_next_run(database: Database, job_id: str) -> datetime | None:
    with database.engine.connect() as conn:
        value = conn.execute(select(apscheduler_jobs.c.next_run_time).where(apscheduler_jobs.c.id == job_id)).scalar()
    return utc_timestamp_to_datetime(value) if value is not None else None


def _add_jobs(scheduler: BlockingScheduler, database: Database, specs: list[JobSpec], tz) -> None:
    """Register each job by text, replacing the stored definition but keeping a run that is still owed.

    `replace_existing` alone would recompute the next run from now and silently skip a run that
    fell due while no scheduler led; keeping the stored time (when it is not later than the new
    trigger's) lets the job's misfire grace decide instead.
    """
    now = datetime.now(timezone.utc)
    for spec in specs:
        trigger = spec.trigger(tz)
        upcoming = trigger.get_next_fire_time(None, now)
        stored = _stored_next_run(database, spec.name)
        kwargs = {"next_run_time": stored} if stored is not None and stored <= upcoming else {}
        scheduler.add_job("scheduler.runner:run_scheduled", trigger, args=[spec.name], id=spec.name, name=spec.name,
                          jobstore="default", replace_existing=True, coalesce=spec.coalesce,
                          misfire_grace_time=spec.misfire_grace_time, max_instances=1, **kwargs)


def lead(context: JobContext, lease, specs: list[JobSpec], runner_id: str, stopping: threading.Event) -> None:
    """Run the schedule while this process holds the lease; returns when it is lost or on stop."""
    tz = ZoneInfo(context.settings.tz_name)
    scheduler = BlockingScheduler(
        jobstores={"default": SQLAlchemyJobStore(engine=context.database.engine, tablename="apscheduler_jobs"),
                   "memory": MemoryJobStore()},
        executors={"default": ThreadPoolExecutor(max_workers=4)},
        timezone=tz,
    )
    runner.install(runner.Runtime(context, {s.name: s for s in specs}, runner_id, lease))
    _add_jobs(scheduler, context.database, specs, tz)

    def watchdog() -> None:
        if stopping.is_set() or not lease.still_held():
            log.warning("stepping down: %s", "stopping" if stopping.is_set() else "the scheduler lock was lost")
            scheduler.shutdown(wait=False)

    scheduler.add_job(watchdog, "interval", seconds=WATCHDOG_SECONDS, id="watchdog", jobstore="memory")
    log.info("leading as %s: %s", runner_id, ", ".join(s.name for s in specs))
    try:
        scheduler.start()
    finally:
        runner.install(None)


def serve(settings: Settings, specs: list[JobSpec], *, poll_seconds: float | None = None) -> None:
    """Contend for the lead until SIGTERM/SIGINT; lead whenever the lock is ours."""
    database = Database(settings.database_url)
    context = JobContext(database, settings)
    lease = lease_for(database)
    runner_id = f"{socket.gethostname()}:{os.getpid()}"
    poll = poll_seconds or settings.scheduler_lock_poll_seconds
    stopping = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stopping.set())
    log.info("scheduler %s started; standby until it holds the lock (polling every %.1f s)", runner_id, poll)
    try:
        while not stopping.is_set():
            if lease.try_acquire():
                lead(context, lease, specs, runner_id, stopping)
                lease.release()
            else:
                stopping.wait(poll)
    finally:
        lease.release()
        database.dispose()
        log.info("scheduler %s stopped", runner_id)
