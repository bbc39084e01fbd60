"""What APScheduler calls: `scheduler.runner:run_scheduled` with the job's name.

The job store pickles jobs, so a job is a text reference plus its name (never a Database or a
function object). The process installs its context here once; each run checks it still leads,
claims its slot in the ledger, runs the job's thin function with the real time, and records the
outcome.
"""
from __future__ import annotations

import logging
import traceback
from dataclasses import dataclass
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from scheduler.jobs import JOBS, JobContext
from scheduler.ledger import claim_slot, finish_run
from scheduler.schedule import JobSpec

log = logging.getLogger("scheduler")


@dataclass
class Runtime:
    """What the running process gives every job run."""

    context: JobContext
    specs: dict[str, JobSpec]
    runner: str
    lease: object  # AdvisoryLease | FileLease


_runtime: Runtime | None = None


def install(runtime: Runtime | None) -> None:
    """Called by the process when it starts leading (and with None when it stops)."""
    global _runtime
    _runtime = runtime


def run_scheduled(name: str) -> None:
    """Run job `name` once for the slot that is due now, unless this process no longer leads."""
    runtime = _runtime
    if runtime is None or not runtime.lease.still_held():
        log.warning("%s: not run, this process does not lead", name)
        return
    now = datetime.now(timezone.utc)
    slot = runtime.specs[name].slot(now, ZoneInfo(runtime.context.settings.tz_name))
    run_id = claim_slot(runtime.context.database, name, slot, runner=runtime.runner, now=now)
    if run_id is None:
        log.warning("%s: slot %s already ran, skipped", name, slot.isoformat())
        return
    try:
        summary = JOBS[name](runtime.context, now)
    except Exception:
        log.exception("%s: failed", name)
        finish_run(runtime.context.database, run_id, outcome="failed", summary=traceback.format_exc(limit=3),
                   now=datetime.now(timezone.utc))
        return
    log.info("%s: %s", name, summary)
    finish_run(runtime.context.database, run_id, outcome="ok", summary=summary, now=datetime.now(timezone.utc))
