"""How the SLA sweep's cost follows what is due, not how many tickets there are.

Builds 1,000,000 tickets (100,000 open: half of them fresh, half older with their breaches
already recorded) in a PostgreSQL schema of its own with generate_series, then times one sweep
(app.sla_watch.sweep.sweep, committed) with 0, 100, 1,000 and 10,000 tickets newly due, next to
a naive sweep that reads every open ticket (the baseline), and prints the ratio.

    .venv/bin/python bench/sla_sweep.py            # TEST_POSTGRES_URL, default postgres@127.0.0.1/test
"""
from __future__ import annotations

import os
import statistics
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import select, text  # noqa: E402

from app.database import Database  # noqa: E402
from app.migrations import upgrade_database  # noqa: E402
from app.sla_watch.sweep import sweep  # noqa: E402
from app.tickets.models import Ticket  # noqa: E402

BASE = os.environ.get("TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
SCHEMA = "bench_sla_sweep"
TOTAL, OPEN = 1_000_000, 100_000
TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 7, 7, 10, 0, tzinfo=timezone.utc)
OPEN_STATUSES = ("received", "acknowledged", "dispatched", "on_site")

# One INSERT ... SELECT per population; `n` is generate_series. Times are relative to :now.
_COLUMNS = ("number, kind, product_line, status, priority, source, phone, summary, main_equipment, users_fault, "
            "needs_verification_call, created_at, updated_at, respond_by, arrive_by, resolve_by, loaner_due_at, "
            "responded_at, arrived_at, resolved_at, verified_at, respond_breached, arrive_breached, resolve_breached, "
            "work_lines, reopen_count, version")
_ROW = """(:offset + n)::text, 'repair', 'home_ac', {status}, 'normal', 'bench',
    '+86138' || lpad(((:offset + n) % 100000000)::text, 8, '0'), '', n % 2 = 0, false, false,
    {created}, {created}, {created} + interval '1 hour', {created} + interval '2 hours',
    {created} + interval '24 hours', CASE WHEN n % 2 = 0 THEN {created} + interval '24 hours' END,
    {responded}, {arrived}, {resolved}, {verified}, {breached}, {breached}, {breached}, '{{}}', 0, 1"""
POPULATIONS = {
    # Closed history: met, verified and closed, spread over four years.
    "closed": dict(status="'closed'", created="(:now - (n % 1400) * interval '1 day' - interval '30 days')",
                   responded="{c} + interval '20 minutes'", arrived="{c} + interval '90 minutes'",
                   resolved="{c} + interval '5 hours'", verified="{c} + interval '30 hours'", breached="false"),
    # Open and recent (under 55 minutes old): nothing due yet.
    "fresh": dict(status="'received'", created="(:now - (n % 3300) * interval '1 second')",
                  responded="NULL", arrived="NULL", resolved="NULL", verified="NULL", breached="false"),
    # Open for days: every deadline passed long ago and its breach is recorded already.
    "old": dict(status="'on_site'", created="(:now - interval '2 days' - (n % 8) * interval '1 day')",
                responded="NULL", arrived="NULL", resolved="NULL", verified="NULL", breached="true"),
    # Newly due: received 61 minutes ago, unacknowledged: each raises one escalation.
    "due": dict(status="'received'", created="(:now - interval '61 minutes')",
                responded="NULL", arrived="NULL", resolved="NULL", verified="NULL", breached="false"),
}


def insert(conn, population: str, count: int, offset: int) -> None:
    p = dict(POPULATIONS[population])
    created = p["created"]
    row = _ROW.format(status=p["status"], created=created, breached=p["breached"],
                      **{k: p[k].format(c=created) for k in ("responded", "arrived", "resolved", "verified")})
    conn.execute(text(f"INSERT INTO tickets ({_COLUMNS}) SELECT {row} FROM generate_series(1, :count) AS n"),
                 {"count": count, "offset": offset, "now": NOW.replace(tzinfo=None)})


def build(database: Database) -> None:
    with database.engine.begin() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{SCHEMA}" CASCADE'))
        conn.execute(text(f'CREATE SCHEMA "{SCHEMA}"'))
    upgrade_database(database.url)
    started = time.perf_counter()
    with database.engine.begin() as conn:
        insert(conn, "closed", TOTAL - OPEN, 0)
        insert(conn, "fresh", OPEN // 2, TOTAL)
        insert(conn, "old", OPEN // 2, 2 * TOTAL)
        # The loaner sweep reads from its high-water mark; a running service has one.
        conn.execute(text("INSERT INTO sweep_marks (name, swept_until) VALUES ('loaner', :at)"),
                     {"at": (NOW - timedelta(minutes=1)).replace(tzinfo=None)})
    with database.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE tickets"))
    print(f"built {TOTAL:,} tickets ({OPEN:,} open) in {time.perf_counter() - started:.1f} s")


def timed_sweep(database: Database, now: datetime) -> tuple[float, int]:
    with database.session() as session:
        started = time.perf_counter()
        result = sweep(session, now=now, tz=TZ, limit=20_000)
        session.commit()
        return (time.perf_counter() - started) * 1000, result.total


def naive_sweep(database: Database, now: datetime) -> float:
    """The baseline: read every open ticket and decide in Python (what an unindexed sweep does)."""
    with database.session() as session:
        started = time.perf_counter()
        rows = session.execute(select(Ticket.id, Ticket.respond_by, Ticket.responded_at, Ticket.respond_breached,
                                      Ticket.arrive_by, Ticket.arrived_at, Ticket.arrive_breached, Ticket.resolve_by,
                                      Ticket.resolved_at, Ticket.resolve_breached)
                               .where(Ticket.status.in_(OPEN_STATUSES))).all()
        due = sum(1 for r in rows if (r.responded_at is None and not r.respond_breached and r.respond_by < now)
                  or (r.arrived_at is None and not r.arrive_breached and r.arrive_by < now)
                  or (r.resolved_at is None and not r.resolve_breached and r.resolve_by < now))
        session.rollback()
        return (time.perf_counter() - started) * 1000 if due >= 0 else 0.0


def plan(database: Database) -> str:
    with database.engine.connect() as conn:
        lines = conn.execute(text(
            "EXPLAIN SELECT * FROM tickets WHERE responded_at IS NULL AND cancelled_at IS NULL "
            "AND respond_breached = false AND respond_by < :now ORDER BY respond_by LIMIT 5000"),
            {"now": NOW.replace(tzinfo=None)}).scalars().all()
    return "\n".join("    " + line for line in lines)


def main() -> None:
    database = Database(f"{BASE}?options=-csearch_path%3D{SCHEMA}")
    build(database)
    print("plan of the respond-by query:\n" + plan(database))
    naive = statistics.median(naive_sweep(database, NOW) for _ in range(3))
    print(f"\nbaseline (read all {OPEN:,} open tickets, nothing due): {naive:.0f} ms\n")
    print(f"{'newly due':>10} {'sweep ms':>10} {'ms per due':>11} {'vs baseline':>12}")
    offset = 3 * TOTAL
    for due in (0, 100, 1_000, 10_000):
        if due:
            with database.engine.begin() as conn:
                insert(conn, "due", due, offset)
                conn.execute(text("ANALYZE tickets"))
            offset += due
            elapsed, handled = timed_sweep(database, NOW)
        else:
            runs = [timed_sweep(database, NOW) for _ in range(5)]
            elapsed, handled = statistics.median(r[0] for r in runs), runs[-1][1]
        assert handled == due, (handled, due)
        per = f"{elapsed / due:.2f}" if due else "-"
        print(f"{due:>10,} {elapsed:>10.1f} {per:>11} {elapsed / naive:>11.2f}x")
    with database.engine.begin() as conn:
        conn.execute(text(f'DROP SCHEMA "{SCHEMA}" CASCADE'))
    database.dispose()


if __name__ == "__main__":
    main()
