"""`jobs list` and `jobs run NAME [--now ISO-8601]`: run one scheduled job once."""
from __future__ import annotations

from datetime import datetime

import click

from app.commands.groups import CommandGroup
from app.web import clock, database, now, settings
from scheduler.jobs import JOBS, JobContext

jobs = CommandGroup("jobs", help="Scheduled jobs.")


@jobs.command("list")
def list_jobs() -> None:
    """Print the name and purpose of every job."""
    for name, job in JOBS.items():
        click.echo(f"{name}\t{(job.__doc__ or '').strip().splitlines()[0]}")


@jobs.command("run")
@click.argument("name")
@click.option("--now", "when", default=None, help="ISO 8601 time with offset to run the job as of")
def run(name: str, when: str | None) -> None:
    """Run job NAME once, as if the clock read --now.

    --now moves business time only (what is due, quiet hours, SLA clocks); the outbox's leases,
    pacing and reconciliation keep to the real clock, so a pass ahead of time harms no later pass.
    """
    if name not in JOBS:
        raise click.ClickException(f"unknown job {name!r}; known: {', '.join(JOBS)}")
    at = now()
    if when:
        try:
            at = datetime.fromisoformat(when)
        except ValueError:
            at = None
        if at is None or at.tzinfo is None:
            raise click.ClickException("--now must be ISO 8601 with an offset, e.g. 2026-07-01T10:00:00+08:00")
    click.echo(f"{name}: {JOBS[name](JobContext(database(), settings(), clock=clock()), at)}")
