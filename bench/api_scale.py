"""Staff API at scale on PostgreSQL: p95 of `GET /api/v1/tickets?phone=`, a ticket read, a customer
search by number, and the busiest outlet's monthly settlement.

Fills a schema of its own with N customers, phones, units, tickets and events (default 1,000,000
each; 500 outlets, the busiest taking one ticket in 200) with generate_series, serves the real app
under gunicorn (2 workers), and times sequential keep-alive requests from one client. Baseline in
the same run: the same requests against a database of 1,000 rows, so the ratio shows what the
size costs. Targets: p95 under 20 ms for the lookups, under 500 ms for the settlement.

    .venv/bin/python bench/api_scale.py [--rows 1000000] [--requests 2000]
"""
from __future__ import annotations

import argparse
import hashlib
import http.client
import json
import os
import random
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import text  # noqa: E402

from app.database import Database  # noqa: E402
from app.migrations import upgrade_database  # noqa: E402

TARGET_MS = {"settlement": 500}  # the others: 20 ms
PG = os.environ.get("BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")

FILL = """
INSERT INTO outlets (id, name, province, city, contract_status, review_status)
  SELECT g, '网点' || g, '广西壮族自治区', '南宁市', 'signed', 'passed' FROM generate_series(1, 500) g;
INSERT INTO technicians (id, outlet_id, name, certificate_number, certificate_expires_on, product_lines)
  SELECT g, 1 + g % 500, '师傅' || g, 'GX-' || g, date '2030-01-01', '[]' FROM generate_series(1, 1000) g;
INSERT INTO customers (id, name, created_at, marketing_consent)
  SELECT g, 'customer ' || g, now() - (g % 2000) * interval '1 day', g % 3 = 0 FROM generate_series(1, :n) g;
INSERT INTO customer_phones (id, customer_id, e164, kind)
  SELECT g, g, '+86139' || lpad(g::text, 8, '0'), 'mobile' FROM generate_series(1, :n) g;
INSERT INTO addresses (id, customer_id, province, city, line)
  SELECT g, g, '广西壮族自治区', '南宁市', '民族大道' || g || '号' FROM generate_series(1, :n) g;
INSERT INTO units (id, serial, customer_id, address_id, product_line, model, installed_on, created_at)
  SELECT g, 'BN' || lpad(g::text, 10, '0'), g, g,
         (ARRAY['home_ac','commercial_ac','water_heater'])[1 + g % 3], 'KFR-35GW',
         date '2020-01-01' + (g % 2400), now() FROM generate_series(1, :n) g;
INSERT INTO tickets (id, number, kind, product_line, status, priority, source, phone, customer_id, unit_id,
                     summary, main_equipment, users_fault, needs_verification_call, created_at, updated_at,
                     respond_by, arrive_by, resolve_by, respond_breached, arrive_breached, resolve_breached,
                     work_lines, reopen_count, version, outlet_id, technician_id, resolved_at)
  SELECT g, (1000000 + g)::text || '0', CASE WHEN g % 4 = 0 THEN 'install' ELSE 'repair' END,
         (ARRAY['home_ac','commercial_ac','water_heater'])[1 + g % 3], s.status,
         'normal', 'api', '+86139' || lpad(g::text, 8, '0'), g, g, '不制冷', true, false, false,
         now() - (g % 700) * interval '1 hour', now(), now() + interval '1 hour', now() + interval '2 hour',
         now() + interval '24 hour', false, false, false,
         CASE WHEN s.status IN ('resolved', 'closed') THEN '{"parts": [{"code": "3001", "name": "电容", "quantity": 1}],
           "returned": [], "fees": [{"item": "上门费", "amount": "30.00"}, {"item": "加氟", "amount": "120.50"}],
           "fee_total": "150.50"}' ELSE '{}' END::json, 0, 1,
         CASE WHEN g % 200 = 3 THEN 1 ELSE 2 + g % 499 END, 1 + g % 1000,  -- g % 10 = 3: closed
         CASE WHEN s.status IN ('resolved', 'closed') THEN now() - (g % 700) * interval '1 hour' + interval '5 hour' END
  FROM generate_series(1, :n) g,
       LATERAL (SELECT (ARRAY['received','acknowledged','resolved','closed','closed','closed','closed','closed',
                              'closed','closed'])[1 + g % 10] AS status) s;
INSERT INTO ticket_events (id, ticket_id, type, actor, at, status_before, status_after, changes, note)
  SELECT g, g, 'create', 'bench', now(), NULL, 'received', '{"status": [null, "received"]}', ''
  FROM generate_series(1, :n) g;
"""


def build(schema: str, rows: int) -> tuple[str, str]:
    """A fresh schema with `rows` of everything; returns its URL and a bearer token."""
    db = Database(PG)
    with db.engine.begin() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    db.dispose()
    url = f"{PG}?options=-csearch_path%3D{schema}"
    upgrade_database(url)
    token = secrets.token_urlsafe(32)
    db = Database(url)
    started = time.perf_counter()
    with db.engine.begin() as conn:
        for statement in FILL.strip().split(";\n"):
            conn.execute(text(statement), {"n": rows})
        conn.execute(text("INSERT INTO users (name, role, token_hash, active, created_at) "
                          "VALUES ('bench', 'agent', :h, true, now())"),
                     {"h": hashlib.sha256(token.encode()).hexdigest()})
        for table in ("customers", "customer_phones", "addresses", "units", "tickets", "ticket_events", "outlets",
                      "technicians"):
            conn.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), :n)"), {"n": rows})
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("ANALYZE"))
    db.dispose()
    print(f"  filled {schema}: {rows:,} rows per table in {time.perf_counter() - started:.1f} s", flush=True)
    return url, token


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(url: str) -> tuple[subprocess.Popen, int]:
    port = free_port()
    env = dict(os.environ, DATABASE_URL=url, SMS_BACKEND="log")
    proc = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "-w", "2", "-b", f"127.0.0.1:{port}", "--log-level", "warning", "wsgi:app"],
        cwd=ROOT, env=env,
    )
    deadline = time.time() + 30
    while time.time() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return proc, port
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError("gunicorn did not start")


def timed(port: int, token: str, paths: list[str]) -> list[float]:
    """Milliseconds per request, sequential on one keep-alive connection."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    headers = {"Authorization": f"Bearer {token}"}
    out = []
    for path in paths:
        t0 = time.perf_counter()
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        response.read()
        out.append((time.perf_counter() - t0) * 1000)
        if response.status != 200:
            raise RuntimeError(f"{path} answered {response.status}")
    return out


def settlement_size(port: int, token: str, path: str) -> int:
    """How many jobs the settlement answers, so the timing is known to be of real work."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", path, headers={"Authorization": f"Bearer {token}"})
    return len(json.loads(conn.getresponse().read())["jobs"])


def p(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


def measure(label: str, url: str, token: str, rows: int, n: int) -> dict:
    proc, port = serve(url)
    try:
        rng = random.Random(7)
        phones = [f"/api/v1/tickets?phone=139{rng.randint(1, rows):08d}" for _ in range(n)]
        reads = [f"/api/v1/tickets/{1000000 + rng.randint(1, rows)}0" for _ in range(n)]
        customers = [f"/api/v1/customers?phone=139%20{rng.randint(1, rows):08d}" for _ in range(n)]
        # The month with the most jobs in the fill (tickets span the last 700 hours): 15 days ago, Shanghai time.
        month = time.strftime("%Y-%m", time.gmtime(time.time() + 8 * 3600 - 15 * 86400))
        settlements = [f"/api/v1/reports/settlement?outlet=1&month={month}"] * max(20, n // 20)
        timed(port, token, phones[:200] + reads[:200] + customers[:200] + settlements[:4])  # warm workers and caches
        jobs = settlement_size(port, token, settlements[0])
        print(f"  {label:>10} the busiest outlet's settlement of {month} holds {jobs:,} jobs", flush=True)
        result = {}
        for name, paths in (("list by phone", phones), ("read ticket", reads), ("customer search", customers),
                            ("settlement", settlements)):
            ms = timed(port, token, paths)
            result[name] = (statistics.median(ms), p(ms, 95), p(ms, 99))
            print(f"  {label:>10} {name:<15} p50 {result[name][0]:6.2f} ms  p95 {result[name][1]:6.2f} ms  "
                  f"p99 {result[name][2]:6.2f} ms", flush=True)
        return result
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--keep", action="store_true", help="keep the bench schemas afterwards")
    args = parser.parse_args()
    print(f"machine: {os.cpu_count()} cores; PostgreSQL; gunicorn 2 sync workers; {args.requests} requests each")
    small_url, small_token = build("bench_api_small", 1000)
    big_url, big_token = build("bench_api", args.rows)
    small = measure("1,000", small_url, small_token, 1000, args.requests)
    big = measure(f"{args.rows:,}", big_url, big_token, args.rows, args.requests)
    print("\nratio of p95 at full size to p95 at 1,000 rows (1.0 = size costs nothing):")
    ok = True
    for name in big:
        target = TARGET_MS.get(name, 20)
        print(f"  {name:<15} {big[name][1] / small[name][1]:.2f}x   p95 {big[name][1]:.2f} ms (target < {target} ms)")
        ok &= big[name][1] < target
    if not args.keep:
        db = Database(PG)
        with db.engine.begin() as conn:
            conn.execute(text('DROP SCHEMA IF EXISTS "bench_api" CASCADE'))
            conn.execute(text('DROP SCHEMA IF EXISTS "bench_api_small" CASCADE'))
        db.dispose()
    print("PASS" if ok else "FAIL: a p95 over its target")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
