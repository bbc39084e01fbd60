"""A summer call storm on one node, with PostgreSQL restarted under it: are callers answered, is anyone lost?

    /work/venv/bin/python bench/call_storm.py [--callers 200] [--seconds 120] [--restart-at 45] [--no-restart]
    TEST_POSTGRES_URL=postgresql+psycopg://postgres@127.0.0.1:5433/test bench/call_storm.py --cluster "15 storm"

The second form restarts a cluster of its own, so others using the main one are not disturbed.

In one run, on loopback:
1. PostgreSQL schema `bench_storm`, migrated, with 10,000 known customers each owning a home AC.
2. The service under gunicorn with gunicorn.conf.py and 4 sync workers (PROMETHEUS_MULTIPROC_DIR
   and FALLBACK_SPOOL in a scratch folder).
3. The storm: --callers concurrent Locust callers (bench/storm_driver.py) making whole signed calls
   for --seconds; --restart-at seconds in, `pg_ctlcluster 15 main restart` (or --cluster). Callers whose step
   fails go to the fallback URL as Twilio would.
4. `flask jobs run fallback_replay` once the database answers: the spooled callers and hang-ups.
5. Counting in the database: a call is lost unless a ticket carries its CallSid in its
   idempotency key (its repair ticket, or the callback ticket its apology promised).
6. Capacity: --capacity-callers callers without think time for --capacity-seconds, no fault.

Prints p50/p99 per step, errors, apologies, calls completed/lost, how long after PostgreSQL came
back the last step failed, and the capacity in calls per hour. Exits non-zero when a call is lost,
a step failed outside the fault window (restart .. restart + 10 s), or the ticket step's p99 is over 1 s.
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.ivr_webhook import prepare_database  # noqa: E402  (after the path)

BIN = Path(sys.executable).parent
PORT = 18791
BASE = f"http://127.0.0.1:{PORT}"
TOKEN = "bench-token-0123456789abcdef0123"
ACCOUNT = "AC" + "0" * 32
PG_BASE = os.environ.get("TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
PG_SCHEMA = "bench_storm"
RECOVERY_LIMIT = 10.0
STEPS = ("welcome", "menu", "unit", "fault", "ticket", "readback", "end", "status", "fallback")


def reset_schema() -> str:
    from sqlalchemy import text

    from app.database import Database

    engine = Database(PG_BASE).engine
    with engine.begin() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{PG_SCHEMA}" CASCADE'))
        conn.execute(text(f'CREATE SCHEMA "{PG_SCHEMA}"'))
    engine.dispose()
    return f"{PG_BASE}?options=-csearch_path%3D{PG_SCHEMA}"


def service_env(url: str, work: Path) -> dict:
    return {**os.environ, "DATABASE_URL": url, "TWILIO_AUTH_TOKEN": TOKEN, "TWILIO_ACCOUNT_SID": ACCOUNT,
            "SMS_BACKEND": "log", "PUBLIC_BASE_URL": BASE, "PROMETHEUS_MULTIPROC_DIR": str(work / "metrics"),
            "FALLBACK_SPOOL": str(work / "fallback-spool.jsonl"), "WEB_CONCURRENCY": "4",
            "GUNICORN_BIND": f"127.0.0.1:{PORT}", "GUNICORN_LOG_LEVEL": "warning", "IVR_STAFF_NUMBERS": ""}


def get(path: str) -> tuple[int, str]:
    conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        return response.status, response.read().decode()
    finally:
        conn.close()


def wait_until(condition, limit: float, what: str) -> float:
    started = time.monotonic()
    while time.monotonic() - started < limit:
        try:
            if condition():
                return time.monotonic() - started
        except OSError:
            pass
        time.sleep(0.2)
    raise SystemExit(f"timed out waiting for {what}")


def database_answers(url: str) -> bool:
    from sqlalchemy import text

    from app.database import Database

    database = Database(url)
    try:
        with database.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        return True
    except Exception:
        return False
    finally:
        database.dispose()


def drive(work: Path, name: str, callers: int, seconds: float, think: float, during=None) -> dict:
    """Run the Locust callers; `during(began)` runs alongside (the restart)."""
    out = work / f"{name}.json"
    driver = subprocess.Popen([sys.executable, str(ROOT / "bench" / "storm_driver.py"), "--base", BASE,
                               "--callers", str(callers), "--seconds", str(seconds), "--think", str(think),
                               "--out", str(out)], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    began = None
    for line in driver.stdout:
        if line.startswith("READY "):
            began = float(line.split()[1])
            break
    extra = during(began) if during and began else {}
    driver.wait()
    if driver.returncode != 0 or not out.exists():
        raise SystemExit(f"the driver failed ({driver.returncode})")
    return {**json.loads(out.read_text()), **extra}


def restart_postgres(at: float, cluster: list[str]):
    def during(began: float) -> dict:
        time.sleep(max(0.0, began + at - time.time()))
        started = time.time()
        subprocess.run(["pg_ctlcluster", *cluster, "restart"], check=True)
        return {"restart_started": started, "restart_done": time.time()}
    return during


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def tickets_by_call(url: str) -> dict[str, int]:
    from sqlalchemy import text

    from app.database import Database

    database = Database(url)
    with database.engine.connect() as conn:
        keys = conn.execute(text("SELECT idempotency_key FROM tickets WHERE idempotency_key LIKE 'call:%'")).scalars()
        counts = Counter(key.split(":")[1] for key in keys)
    database.dispose()
    return counts


def replay(env: dict) -> str:
    done = subprocess.run([str(BIN / "flask"), "--app", "wsgi", "jobs", "run", "fallback_replay"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=600)
    if done.returncode != 0:
        raise SystemExit(f"fallback_replay failed: {done.stderr.strip()}")
    return done.stdout.strip()


def webhooks_counted() -> float:
    from prometheus_client.parser import text_string_to_metric_families

    _status, body = get("/metrics")
    return sum(s.value for family in text_string_to_metric_families(body) for s in family.samples
               if s.name == "contact_centre_webhook_seconds_count")


def report(run: dict, tickets: dict[str, int]) -> tuple[list[str], bool]:
    """The printed lines, and whether the run met its aims."""
    requests, calls = run["requests"], run["calls"]
    fault_from = run.get("restart_started", float("inf"))
    fault_to = run.get("restart_done", float("inf")) + RECOVERY_LIMIT
    lines, ok = [], True
    lines.append(f"{'step':<10}{'requests':>9}{'p50 ms':>9}{'p99 ms':>9}{'max ms':>9}{'errors':>8}{'apology':>9}"
                 f"{'errors outside fault':>22}")
    by_step = defaultdict(list)
    for entry in requests:
        by_step[entry[1]].append(entry)
    for step in STEPS:
        entries = by_step.get(step, [])
        if not entries:
            continue
        ms = [e[2] for e in entries]
        errors = [e for e in entries if e[3] == "error"]
        outside = [e for e in errors + [e for e in entries if e[3] == "apology"] if not fault_from <= e[0] <= fault_to]
        ok &= not outside
        lines.append(f"{step:<10}{len(entries):>9}{percentile(ms, .5):>9.1f}{percentile(ms, .99):>9.1f}{max(ms):>9.0f}"
                     f"{len(errors):>8}{sum(e[3] == 'apology' for e in entries):>9}{len(outside):>22}")
        if step == "ticket" and percentile(ms, .99) > 1000:
            ok = False
    outcomes = Counter(c["outcome"] for c in calls)
    lost = [c for c in calls if tickets.get(c["sid"], 0) == 0]
    doubled = sum(1 for c in calls if tickets.get(c["sid"], 0) > 1)
    ok &= not lost and not [o for o in outcomes if o.startswith("unexpected") or o == "lost"]
    elapsed = run["ended"] - run["began"]
    lines.append(f"calls {len(calls)} in {elapsed:.0f} s: " + ", ".join(f"{k} {v}" for k, v in sorted(outcomes.items()))
                 + f"; calls lost (no ticket in the database) {len(lost)}; calls with a callback besides their ticket "
                   f"{doubled}")
    if "restart_started" in run:
        failed = [e[0] for e in requests if e[3] != "ok" and e[0] >= run["restart_started"]]
        last = max(failed, default=run["restart_done"])
        lines.append(f"PostgreSQL restart took {run['restart_done'] - run['restart_started']:.1f} s; steps failed "
                     f"{len(failed)}; the last failure {last - run['restart_done']:+.1f} s after it was back "
                     f"(aim: within {RECOVERY_LIMIT:.0f} s)")
        ok &= last - run["restart_done"] <= RECOVERY_LIMIT
    return lines, ok


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--callers", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=120)
    parser.add_argument("--think", type=float, default=4.0,
                        help="mean seconds a caller takes between steps (listening to the prompt, pressing)")
    parser.add_argument("--restart-at", type=float, default=45)
    parser.add_argument("--no-restart", action="store_true")
    parser.add_argument("--cluster", default="15 main",
                        help="the cluster TEST_POSTGRES_URL points at, for pg_ctlcluster (default: 15 main)")
    parser.add_argument("--capacity-callers", type=int, default=24)
    parser.add_argument("--capacity-seconds", type=float, default=30)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="call-storm-"))
    url = reset_schema()
    prepare_database(url)
    env = service_env(url, work)
    server = subprocess.Popen([str(BIN / "gunicorn"), "-c", "gunicorn.conf.py", "wsgi:app"], cwd=ROOT, env=env,
                              start_new_session=True)
    try:
        wait_until(lambda: get("/healthz")[0] == 200, 60, "gunicorn")
        load = os.getloadavg()[0]
        during = None if args.no_restart else restart_postgres(args.restart_at, args.cluster.split())
        storm = drive(work, "storm", args.callers, args.seconds, args.think, during)
        wait_until(lambda: database_answers(url), 120, "PostgreSQL")
        replayed = replay(env)
        storm_lines, storm_ok = report(storm, tickets_by_call(url))
        counted = webhooks_counted()
        capacity = drive(work, "capacity", args.capacity_callers, args.capacity_seconds, 0.0)
        capacity_lines, capacity_ok = report(capacity, tickets_by_call(url))
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=60)
    completed = sum(c["outcome"] == "completed" for c in capacity["calls"])
    rate = completed / (capacity["ended"] - capacity["began"])
    print(f"\n{os.cpu_count()} cores; PostgreSQL 15 and the callers on the same machine; gunicorn 4 sync workers; "
          f"load average {load:.1f} at the start")
    print(f"\nThe storm: {args.callers} callers, {args.think:g} s mean think time, {args.seconds:g} s"
          + ("" if args.no_restart else f", PostgreSQL restarted at {args.restart_at:g} s"))
    print("\n".join(storm_lines))
    print(replayed)
    print(f"/metrics counted {counted:.0f} webhooks over the 4 workers; the callers sent "
          f"{sum(1 for e in storm['requests'] if e[4])} that were answered")
    print(f"\nCapacity: {args.capacity_callers} callers without think time, {args.capacity_seconds:g} s, no fault")
    print("\n".join(capacity_lines))
    print(f"capacity: {rate:.1f} whole calls/s = {rate * 3600:,.0f} calls per hour on this node "
          f"({len(STEPS) - 1} requests per call)")
    sys.exit(0 if storm_ok and capacity_ok else 1)


if __name__ == "__main__":
    main()
