"""The closed loop for a month: 10,000 jobs resolved over 30 simulated days, with customers who
reply, reply badly, reply late, never reply, answer only the phone or own only a landline, staff
who work their queue, and a scheduler killed mid-pass every few passes (tests/scheduler/simulation.py).

Prints the coverage, the most any job was asked (text, reminder, call, thanks, recorded result)
and how the results came in. Runs once against PostgreSQL (a schema of its own) and, with
`--sqlite`, against a SQLite file as well.

    .venv/bin/python bench/closed_loop_simulation.py [--jobs 10000] [--kill-every 7] [--sqlite]
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import text  # noqa: E402

from app.config import DEFAULT_HOTLINES, Settings  # noqa: E402
from app.database import Database  # noqa: E402
from app.migrations import upgrade_database  # noqa: E402
from tests.scheduler.simulation import Simulation  # noqa: E402
from tests.surveys.support import PUBLIC_BASE_URL, SURVEY_LINE  # noqa: E402
from tests.twilio_standin import TwilioStandIn  # noqa: E402

BASE = os.environ.get("TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
SCHEMA = "bench_closed_loop"
SID, TOKEN = "AC" + "0" * 32, "bench-token"


def postgres_url() -> str:
    admin = Database(BASE)
    with admin.engine.begin() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{SCHEMA}" CASCADE'))
        conn.execute(text(f'CREATE SCHEMA "{SCHEMA}"'))
    admin.dispose()
    return f"{BASE}?options=-csearch_path%3D{SCHEMA}"


def simulate(url: str, jobs: int, kill_every: int) -> None:
    upgrade_database(url)
    with TwilioStandIn(account_sid=SID, auth_token=TOKEN) as standin:
        settings = Settings(database_url=url, twilio_account_sid=SID, twilio_auth_token=TOKEN, sms_backend="log",
                            twilio_api_url=standin.url, public_base_url=PUBLIC_BASE_URL, voice_backend="twilio",
                            hotlines={**DEFAULT_HOTLINES, SURVEY_LINE: "home_ac"}, sms_rate_per_second=0.0)
        started = time.perf_counter()
        report = Simulation(url, settings, standin, jobs=jobs, kill_every=kill_every, step=timedelta(hours=1)).run()
        elapsed = time.perf_counter() - started
    print(f"  {jobs:,} jobs, {report.passes} hourly passes, {report.kills} kills, {report.calls:,} survey calls, "
          f"{elapsed:.0f} s")
    print(f"  verified {report.verified:,} -> coverage {report.coverage_pct:.1f}%; results by "
          + ", ".join(f"{k} {v:,}" for k, v in sorted(report.verified_by.items())))
    print(f"  most per job: requests {report.requests_per_ticket_max}, reminders {report.reminders_per_ticket_max}, "
          f"calls {report.calls_per_survey_max}, thanks {report.thanks_per_ticket_max}, "
          f"recorded results {report.callbacks_per_ticket_max}")
    ok = (report.coverage_pct == 100.0 and report.requests_per_ticket_max == 1 and report.reminders_per_ticket_max <= 1
          and report.calls_per_survey_max <= 1 and report.thanks_per_ticket_max <= 1
          and report.callbacks_per_ticket_max == 1)
    print("  OK" if ok else "  FAILED")
    if not ok:
        raise SystemExit(1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=10_000)
    parser.add_argument("--kill-every", type=int, default=7, help="kill the scheduler in every Nth pass (0: never)")
    parser.add_argument("--sqlite", action="store_true", help="also run on a SQLite file")
    args = parser.parse_args()
    print("PostgreSQL:")
    simulate(postgres_url(), args.jobs, args.kill_every)
    admin = Database(BASE)
    with admin.engine.begin() as conn:
        conn.execute(text(f'DROP SCHEMA "{SCHEMA}" CASCADE'))
    admin.dispose()
    if args.sqlite:
        with tempfile.TemporaryDirectory() as folder:
            print("SQLite:")
            simulate(f"sqlite:///{folder}/closed_loop.sqlite3", args.jobs, args.kill_every)


if __name__ == "__main__":
    main()
