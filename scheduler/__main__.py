"""`python -m scheduler`: run the scheduled jobs against DATABASE_URL (several processes may run; one leads).

    python -m scheduler                       # every job of scheduler.schedule.SCHEDULE
    python -m scheduler --list                # the schedule and each job's misfire policy
    python -m scheduler --only sla_sweep --every sla_sweep=2   # one job, every 2 s (tests, demos)
"""
from __future__ import annotations

import argparse
import logging

from sqlalchemy.exc import DBAPIError

from app.database import explain_database_error
from app.observability.logs import configure_process_logging
from app.startup import database_or_exit, settings_or_exit
from scheduler.jobs import JOBS
from scheduler.process import serve
from scheduler.schedule import SCHEDULE, JobSpec


def _interval(text: str) -> tuple[str, float]:
    name, _, seconds = text.partition("=")
    try:
        value = float(seconds)
    except ValueError:
        value = 0
    if name not in JOBS or value <= 0:
        raise argparse.ArgumentTypeError(f"expected NAME=SECONDS with a known job, not {text!r}")
    return name, value


def specs_from(args: argparse.Namespace) -> list[JobSpec]:
    """The schedule, narrowed by --only and with --every intervals applied."""
    specs = [s for s in SCHEDULE if not args.only or s.name in args.only]
    unknown = set(args.only or ()) - {s.name for s in SCHEDULE}
    if unknown:
        raise SystemExit(f"unknown job(s): {', '.join(sorted(unknown))}; known: {', '.join(s.name for s in SCHEDULE)}")
    intervals = dict(args.every or ())
    return [s.with_interval(intervals[s.name]) if s.name in intervals else s for s in specs]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m scheduler", description=__doc__.splitlines()[0])
    parser.add_argument("--only", type=lambda s: s.split(","), help="comma-separated jobs to run (default: all)")
    parser.add_argument("--every", type=_interval, action="append", metavar="NAME=SECONDS",
                        help="run NAME every SECONDS instead of its usual schedule")
    parser.add_argument("--lock-poll", type=float, default=None, metavar="SECONDS",
                        help="how often a standby tries to lead (default SCHEDULER_LOCK_POLL_SECONDS, 5)")
    parser.add_argument("--list", action="store_true", help="print the schedule and exit")
    args = parser.parse_args(argv)
    specs = specs_from(args)
    if args.list:
        for s in specs:
            when = f"every {s.every.total_seconds():g} s" if s.every else f"daily at {s.daily_at:%H:%M}"
            grace = "none (run however late)" if s.misfire_grace_time is None else f"{s.misfire_grace_time} s"
            print(f"{s.name}\t{when}\tcoalesce={s.coalesce}\tmisfire_grace={grace}\t{s.why}")
        return
    settings = settings_or_exit()
    database_or_exit(settings)
    configure_process_logging(settings.log_format, text_format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    try:
        serve(settings, specs, poll_seconds=args.lock_poll)
    except DBAPIError as exc:  # the database went away: say so on one line and let the supervisor restart us
        raise SystemExit(f"Error: {explain_database_error(exc)}") from None


if __name__ == "__main__":
    main()
