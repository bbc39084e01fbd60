"""How fast the hotline IVR answers Twilio, against the floor of a minimal signed-webhook app.

Runs, in one go and on loopback only: the service under gunicorn (the deployment's worker count,
2 per core, sync workers; `--workers`) on SQLite and on PostgreSQL, and a minimal Flask app that
validates the signature and returns a fixed <Gather>. All servers start first and stay up (an idle
one costs nothing); each step is then measured in rounds that take the apps in turn, so a noisy
minute on a shared machine moves them alike, and the median round is reported. wrk (Debian
package `wrk`) plays 16 concurrent callers with pre-signed requests (bench/signed_requests.lua).

The callers are a crowd, not one number: 10,000 known customers with a home AC, and every welcome
comes from a different number, half of them known, so neither the caller lookup nor the parsing of
the number is served from a cache. Measured per app: the welcome (`POST /twilio/voice`) and the
ticket-creating step (the recorded complaint: ticket, escalation and confirmation text in one
commit), each round on calls of its own walked to just before that step, each call's step sent once.

    .venv/bin/python bench/ivr_webhook.py [--seconds 10] [--rounds 3] [--workers N] [--no-postgres]

Prints requests/s, p50 and p99 per step (medians of the rounds), the ratio to the minimal app, and
whether the aims are met: the ticket step's p99 under 250 ms on each database, the welcome at
least 0.7 of the minimal app. Exits non-zero when an answer was not a 200.
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime, timezone
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TOKEN = "bench-token-0123456789abcdef0123"
SID = "AC" + "0" * 32
FIRST_PORT = 18731
HOTLINE = "+864006757888"
PG_BASE = os.environ.get("TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
PG_SCHEMA = "bench_ivr"
CONNECTIONS, THREADS = 16, 2
KNOWN_CUSTOMERS = 10_000
WELCOMES = 50_000
TICKET_CALLS = 2_000  # calls walked to the ticket step per round (wrk sends each once)
# The aims of issue 14, item 5.
TICKET_P99_AIM_MS = 250
WELCOME_RATIO_AIM = 0.7


def known_number(i: int) -> str:
    return f"+86138{i:08d}"


def stranger_number(i: int) -> str:
    return f"+86159{i:08d}"


def minimal_app(base: str = f"http://127.0.0.1:{FIRST_PORT}"):
    """The floor: validate the signature over PUBLIC_BASE_URL, answer a fixed <Gather> built with the SDK."""
    from flask import Flask, Response, request
    from twilio.request_validator import RequestValidator
    from twilio.twiml.voice_response import Gather, VoiceResponse

    app = Flask("minimal")
    validator = RequestValidator(TOKEN)

    @app.post("/twilio/voice")
    def voice():
        url = base + request.full_path.rstrip("?")
        if not validator.validate(url, request.form, request.headers.get("X-Twilio-Signature", "")):
            return Response("invalid signature", status=403)
        response = VoiceResponse()
        gather = Gather(action="/twilio/voice/step?n=1&ev=input", method="POST", num_digits=1, timeout=6)
        gather.say("您好，欢迎致电志高家用空调服务热线。报修请按1。", language="zh-CN", voice="Polly.Zhiyu")
        response.append(gather)
        response.redirect("/twilio/voice/step?n=1&ev=timeout", method="POST")
        return Response(str(response), mimetype="text/xml")

    return app


class App:
    """One app under gunicorn (sync workers) on its own loopback port, stopped on exit."""

    def __init__(self, name: str, port: int, spec: str, env: dict | None = None, workers: int = 2) -> None:
        self.name, self.port, self.spec, self.env, self.workers = name, port, spec, env or {}, workers
        self.base = f"http://127.0.0.1:{port}"
        self.process: subprocess.Popen | None = None

    def sign(self, path: str, params: dict) -> str:
        from twilio.request_validator import RequestValidator

        return RequestValidator(TOKEN).compute_signature(self.base + path, params)

    def line(self, path: str, params: dict) -> str:
        return f"{path}\t{self.sign(path, params)}\t{urlencode(params)}"

    def post(self, path: str, params: dict) -> int:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            conn.request("POST", path, urlencode(params), {"Content-Type": "application/x-www-form-urlencoded",
                                                          "X-Twilio-Signature": self.sign(path, params)})
            response = conn.getresponse()
            response.read()
            return response.status
        finally:
            conn.close()

    def start(self) -> None:
        self.process = subprocess.Popen(
            [str(Path(sys.executable).parent / "gunicorn"), "-w", str(self.workers), "-b", f"127.0.0.1:{self.port}",
             "--log-level", "warning", self.spec],
            cwd=ROOT, env={**os.environ, **self.env, "PUBLIC_BASE_URL": self.base}, start_new_session=True)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                self.post("/twilio/voice", _call_params("CA" + secrets.token_hex(16), stranger_number(0)))
                return
            except OSError:
                time.sleep(0.2)
        raise SystemExit(f"{self.name} did not start")

    def stop(self) -> None:
        if self.process is not None:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=30)


def _call_params(sid: str, caller: str, **extra) -> dict:
    return {"CallSid": sid, "AccountSid": SID, "From": caller, "To": HOTLINE, "Direction": "inbound",
            "CallStatus": "in-progress", **extra}


def welcome_requests(app: App, path: Path, callers: list[str]) -> None:
    """Calls ringing in, one per caller: the welcome step, signed for `app`'s URL."""
    with path.open("w") as out:
        for caller in callers:
            out.write(app.line("/twilio/voice", _call_params("CA" + secrets.token_hex(16), caller)) + "\n")


def ticket_requests(app: App, path: Path, count: int = TICKET_CALLS) -> None:
    """Calls brought to the complaint recording (key 3); the line recorded is the ticket-creating step."""
    started = int(time.time())
    calls = [("CA" + secrets.token_hex(16), known_number(i % KNOWN_CUSTOMERS)) for i in range(count)]
    first = f"/twilio/voice/step?{urlencode({'n': 1, 'ev': 'input', 'f': 'home_ac', 't': started})}"
    with ThreadPoolExecutor(CONNECTIONS) as pool:
        statuses = list(pool.map(lambda call: app.post(first, _call_params(*call, Digits="3")), calls))
    if set(statuses) != {200}:
        raise SystemExit(f"positioning calls failed: {sorted(set(statuses))}")
    recorded = "/twilio/voice/step?n=2&ev=recorded"
    with path.open("w") as out:
        for sid, caller in calls:
            params = _call_params(sid, caller, RecordingUrl=f"https://api.twilio.com/Recordings/RE{sid[2:]}",
                                  RecordingDuration="9")
            out.write(app.line(recorded, params) + "\n")


def wrk(app: App, requests_file: Path, seconds: int, mode: str = "cycle") -> dict:
    script = ROOT / "bench" / "signed_requests.lua"
    # --timeout: a slow answer is measured, not dropped as a socket error (wrk's default is 2 s).
    command = ["wrk", f"-t{THREADS}", f"-c{CONNECTIONS}", f"-d{seconds}s", "--timeout", "10s", "--latency",
               "-s", str(script), app.base, "--", str(requests_file), str(THREADS), mode]
    output = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60).stdout
    for line in output.splitlines():
        if line.startswith("NON200 "):
            print(f"  {app.name} {requests_file.name}: answer {line[7:]}", file=sys.stderr)
    result = json.loads(output.split("RESULT ", 1)[1].splitlines()[0])
    result["rps"] = result["requests"] / (result["duration_us"] / 1e6)
    return result


def prepare_database(url: str) -> None:
    """Migrate, and add the known callers: each with a phone, an address and a home AC in warranty."""
    from sqlalchemy import insert

    from app.customers.models import Address, Customer, CustomerPhone
    from app.database import Database
    from app.migrations import upgrade_database
    from app.units.models import Unit

    upgrade_database(url)
    database = Database(url)
    now = datetime.now(timezone.utc)
    with database.session() as session:
        ids = list(session.scalars(insert(Customer).returning(Customer.id),
                                   [{"name": f"客户{i}", "created_at": now} for i in range(KNOWN_CUSTOMERS)]))
        session.execute(insert(CustomerPhone), [{"customer_id": cid, "e164": known_number(i), "kind": "mobile"}
                                                for i, cid in enumerate(ids)])
        session.execute(insert(Address), [{"customer_id": cid, "province": "广西壮族自治区", "city": "南宁市",
                                           "line": f"民族大道{i}号"} for i, cid in enumerate(ids)])
        session.execute(insert(Unit), [{"serial": f"HA{i:08d}", "customer_id": cid, "product_line": "home_ac",
                                        "model": "KFR-35GW", "installed_on": date(2025, 5, 1), "created_at": now}
                                       for i, cid in enumerate(ids)])
        session.commit()
    database.dispose()


def reset_pg_schema() -> str:
    from sqlalchemy import text

    from app.database import Database

    engine = Database(PG_BASE).engine
    with engine.begin() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{PG_SCHEMA}" CASCADE'))
        conn.execute(text(f'CREATE SCHEMA "{PG_SCHEMA}"'))
    engine.dispose()
    return f"{PG_BASE}{'&' if '?' in PG_BASE else '?'}options=-csearch_path%3D{PG_SCHEMA}"


def service(name: str, port: int, url: str, workers: int) -> App:
    prepare_database(url)
    return App(name, port, "wsgi:app", {"DATABASE_URL": url, "TWILIO_AUTH_TOKEN": TOKEN, "TWILIO_ACCOUNT_SID": SID,
                                        "SMS_BACKEND": "log", "IVR_STAFF_NUMBERS": "+8613700000001"}, workers)


def _median(runs: list[dict], key: str) -> float:
    return statistics.median(r[key] for r in runs)


def _row(name: str, step: str, runs: list[dict], floor: float) -> str:
    rates = [r["rps"] for r in runs]
    return (f"{name:<14}{step:<13}{_median(runs, 'rps'):>9.0f}{_median(runs, 'p50_us') / 1000:>9.1f}"
            f"{_median(runs, 'p99_us') / 1000:>9.1f}{_median(runs, 'rps') / floor:>8.2f}"
            f"{f'{min(rates):.0f}-{max(rates):.0f}':>16}{sum(r['non2xx'] for r in runs):>9}"
            f"{sum(r['socket_errors'] for r in runs):>9}")


def aims(welcome: dict[str, list[dict]], tickets: dict[str, list[dict]]) -> list[tuple[str, bool]]:
    """Each aim of item 5 with whether the medians of the rounds meet it."""
    floor = _median(welcome["minimal app"], "rps")
    met = []
    for name, runs in welcome.items():
        if name != "minimal app":
            ratio = _median(runs, "rps") / floor
            met.append((f"welcome on {name}: {ratio:.2f} of the minimal app (aim >= {WELCOME_RATIO_AIM})",
                        ratio >= WELCOME_RATIO_AIM))
    for name, runs in tickets.items():
        p99 = _median(runs, "p99_us") / 1000
        met.append((f"ticket step on {name}: p99 {p99:.0f} ms (aim < {TICKET_P99_AIM_MS} ms)", p99 < TICKET_P99_AIM_MS))
    return met


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10, help="length of each measured run (default 10)")
    parser.add_argument("--rounds", type=int, default=3, help="runs per app and step, taken in turn (default 3)")
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1),
                        help="gunicorn workers per app (default 2 per core, as gunicorn.conf.py)")
    parser.add_argument("--no-postgres", action="store_true", help="skip the PostgreSQL run")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is needed: apt-get install -y wrk")
    work = Path(tempfile.mkdtemp(prefix="ivr-bench-"))
    load = os.getloadavg()[0]
    apps = [App("minimal app", FIRST_PORT, f"bench.ivr_webhook:minimal_app('http://127.0.0.1:{FIRST_PORT}')",
                workers=args.workers),
            service("sqlite", FIRST_PORT + 1, f"sqlite:///{work / 'bench.sqlite3'}", args.workers)]
    if not args.no_postgres:
        apps.append(service("postgresql", FIRST_PORT + 2, reset_pg_schema(), args.workers))
    # Every welcome from its own number: half known customers, half strangers, shuffled.
    rng = random.Random(7)
    callers = [known_number(rng.randrange(KNOWN_CUSTOMERS)) if i % 2 else stranger_number(i) for i in range(WELCOMES)]
    rng.shuffle(callers)
    welcome = {}
    for app in apps:
        welcome[app.name] = work / f"welcome-{app.port}.txt"
        welcome_requests(app, welcome[app.name], callers)
    runs: dict[str, list[dict]] = {app.name: [] for app in apps}
    tickets: dict[str, list[dict]] = {app.name: [] for app in apps[1:]}
    try:
        for app in apps:
            app.start()
            wrk(app, welcome[app.name], 2)  # warm-up: imports, flows, connection pools
        for _ in range(args.rounds):
            for app in apps:
                runs[app.name].append(wrk(app, welcome[app.name], args.seconds))
        for round_no in range(args.rounds):
            for app in apps[1:]:
                path = work / f"ticket-{app.port}-{round_no}.txt"
                ticket_requests(app, path)  # fresh calls each round, walked to just before the ticket
                tickets[app.name].append(wrk(app, path, args.seconds, mode="once"))
    finally:
        for app in apps:
            app.stop()

    floor = _median(runs["minimal app"], "rps")
    print(f"\n{CONNECTIONS} concurrent callers, gunicorn -w {args.workers} (sync), wrk -t{THREADS}, "
          f"{os.cpu_count()} cores, {args.seconds} s per run, median of {args.rounds} rounds taken in turn, "
          f"load average {load:.1f} at the start; ratio = req/s / minimal app's median welcome")
    print(f"{'app':<14}{'step':<13}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'ratio':>8}{'req/s range':>16}"
          f"{'non-2xx':>9}{'sock err':>9}")
    for app in apps:
        print(_row(app.name, "welcome", runs[app.name], floor))
    for name, ticket_runs in tickets.items():
        print(_row(name, "ticket step", ticket_runs, floor))
        by_round = ", ".join(f"{r['p99_us'] / 1000:.0f}" for r in ticket_runs)
        print(f"{'':<27}p99 by round: {by_round} ms")
    print("aims:")
    for line, met in aims(runs, tickets):
        print(f"  {'met    ' if met else 'NOT MET'}  {line}")
    shutil.rmtree(work, ignore_errors=True)
    failed = sum(r["non2xx"] + r["socket_errors"] for group in (runs, tickets) for rs in group.values() for r in rs)
    if failed:
        raise SystemExit(f"{failed} answers were not a 200")


if __name__ == "__main__":
    main()
