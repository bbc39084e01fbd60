"""When each job runs, and what happens when a run was missed (misfire grace, coalescing), per job.

Every job acts on the state of the database at its `now` (everything due by then), so one late
run does the work of all the missed ones: coalescing never loses work, it only avoids repeats.
What differs per job is how late a run may still be useful.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta, timezone, tzinfo

from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

# Interval fire times are anchored here, so every process computes the same slots.
EPOCH = datetime(2020, 1, 1, tzinfo=timezone.utc)


@dataclass(frozen=True)
class JobSpec:
    """One scheduled job: a fixed interval or a daily time (business time zone), and its misfire policy."""

    name: str
    every: timedelta | None = None
    daily_at: time | None = None
    coalesce: bool = True
    misfire_grace_time: int | None = None  # seconds a missed run may still start; None: however late
    why: str = ""

    def trigger(self, tz: tzinfo):
        if self.every is not None:
            return IntervalTrigger(seconds=int(self.every.total_seconds()), start_date=EPOCH, timezone=timezone.utc)
        return CronTrigger(hour=self.daily_at.hour, minute=self.daily_at.minute, timezone=tz)

    def slot(self, now: datetime, tz: tzinfo) -> datetime:
        """The fire time a run at `now` stands for: the latest one at or before `now`."""
        if self.every is not None:
            steps = (now - EPOCH) // self.every
            return EPOCH + steps * self.every
        local = now.astimezone(tz)
        fire = datetime.combine(local.date(), self.daily_at, tzinfo=tz)
        return fire if fire <= local else fire - timedelta(days=1)

    def with_interval(self, seconds: float) -> "JobSpec":
        """The same job on a different interval (`python -m scheduler --every NAME=SECONDS`)."""
        return JobSpec(self.name, timedelta(seconds=seconds), None, self.coalesce, self.misfire_grace_time, self.why)


SCHEDULE: tuple[JobSpec, ...] = (
    JobSpec("outbox_dispatch", every=timedelta(seconds=10), misfire_grace_time=None,
            why="a pass sends whatever is due; a late pass is as good as an on-time one"),
    JobSpec("fallback_replay", every=timedelta(seconds=15), misfire_grace_time=None,
            why="callers who heard the fallback's apology wait for a callback; a pass replays the whole spool"),
    JobSpec("sla_sweep", every=timedelta(minutes=1), misfire_grace_time=None,
            why="escalations are late already when a run is missed: run at once on start, however late"),
    JobSpec("survey_send", every=timedelta(minutes=5), misfire_grace_time=None,
            why="a late run asks every survey due since; quiet hours are checked at run time"),
    JobSpec("survey_followup", every=timedelta(minutes=5), misfire_grace_time=None,
            why="reminders, calls and staff tasks fall due by the minute; a late run takes them all"),
    JobSpec("recording_retention", daily_at=time(3, 0), misfire_grace_time=None,
            why="once a day at night; a missed run is made up at once, and a recording that failed stays for the next"),
    JobSpec("certificate_renewals", daily_at=time(9, 0), misfire_grace_time=None,
            why="once a day; a missed run is made up at once, and each certificate is flagged only once"),
    JobSpec("campaign_dispatch", every=timedelta(minutes=1), misfire_grace_time=None,
            why="each run hands over the texts due by its time, from where the last left off; a campaign that "
                "fell behind goes on at its rate from now, and what is unsent at ends_by expires"),
    JobSpec("seasonal_alerts", daily_at=time(9, 0), misfire_grace_time=None,
            why="once a day; a missed run is made up at once, and each region's season is drafted only once"),
    JobSpec("idle_poweroff_reminders", daily_at=time(9, 5), misfire_grace_time=None,
            why="once a day; a missed run is made up at once; a draft waiting for the holiday schedule is "
                "completed by the first run that knows it"),
    JobSpec("maintenance_reminders", daily_at=time(10, 0), misfire_grace_time=8 * 3600,
            why="once a day at 10:00; a scheduler down at 10:00 still sends until 18:00, later it waits for "
                "tomorrow's run, which picks up every visit still due (one text per due visit)"),
    JobSpec("dashboard_refresh", every=timedelta(minutes=1), misfire_grace_time=None,
            why="the dashboard shows the last snapshot with its time; a late run just recomputes as of its own time"),
)
