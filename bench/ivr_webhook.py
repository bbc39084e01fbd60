"""How fast the hotline IVR answers Twilio, against the floor of a minimal signed-webhook app.

Runs, in one go and on loopback only: the service under gunicorn (2 sync workers) on SQLite and
on PostgreSQL, and a minimal Flask app that validates the signature and returns a fixed <Gather>.
wrk (Debian package `wrk`) plays 16 concurrent callers with pre-signed requests (bench/
signed_requests.lua). Measured per app: the welcome (`POST /twilio/voice`) and a ticket-creating
step (the recorded complaint: ticket, escalation and confirmation text in one commit).

    .venv/bin/python bench/ivr_webhook.py [--seconds 10] [--no-postgres]

Prints requests/s, p50 and p99 per step and the ratio to the minimal app's welcome.
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import secrets
import shutil
import signal
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
PORT = 18731
BASE = f"http://127.0.0.1:{PORT}"
CALLER = "+8613800138000"
HOTLINE = "+864006757888"
PG_BASE = os.environ.get("TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
PG_SCHEMA = "bench_ivr"
CONNECTIONS, THREADS = 16, 2


def minimal_app():
    """The floor: validate the signature over PUBLIC_BASE_URL, answer a fixed <Gather> built with the SDK."""
    from flask import Flask, Response, request
    from twilio.request_validator import RequestValidator
    from twilio.twiml.voice_response import Gather, VoiceResponse

    app = Flask("minimal")
    validator = RequestValidator(TOKEN)

    @app.post("/twilio/voice")
    def voice():
        url = BASE + request.full_path.rstrip("?")
        if not validator.validate(url, request.form, request.headers.get("X-Twilio-Signature", "")):
            return Response("invalid signature", status=403)
        response = VoiceResponse()
        gather = Gather(action="/twilio/voice/step?n=1&ev=input", method="POST", num_digits=1, timeout=6)
        gather.say("您好，欢迎致电志高家用空调服务热线。报修请按1。", language="zh-CN", voice="Polly.Zhiyu")
        response.append(gather)
        response.redirect("/twilio/voice/step?n=1&ev=timeout", method="POST")
        return Response(str(response), mimetype="text/xml")

    return app


def _sign(path: str, params: dict) -> str:
    from twilio.request_validator import RequestValidator

    return RequestValidator(TOKEN).compute_signature(BASE + path, params)


def _call_params(sid: str, **extra) -> dict:
    return {"CallSid": sid, "AccountSid": SID, "From": CALLER, "To": HOTLINE, "Direction": "inbound",
            "CallStatus": "in-progress", **extra}


def _line(path: str, params: dict) -> str:
    return f"{path}\t{_sign(path, params)}\t{urlencode(params)}"


def welcome_requests(path: Path, count: int) -> None:
    """Distinct calls ringing in: the welcome step."""
    with path.open("w") as out:
        for _ in range(count):
            out.write(_line("/twilio/voice", _call_params("CA" + secrets.token_hex(16))) + "\n")


def post(path: str, params: dict) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
    try:
        conn.request("POST", path, urlencode(params), {"Content-Type": "application/x-www-form-urlencoded",
                                                      "X-Twilio-Signature": _sign(path, params)})
        response = conn.getresponse()
        response.read()
        return response.status
    finally:
        conn.close()


def ticket_requests(path: Path, count: int) -> None:
    """Calls brought to the complaint recording (key 3); the line recorded is the ticket-creating step."""
    started = int(time.time())
    sids = ["CA" + secrets.token_hex(16) for _ in range(count)]
    first = f"/twilio/voice/step?{urlencode({'n': 1, 'ev': 'input', 'f': 'home_ac', 't': started})}"
    with ThreadPoolExecutor(CONNECTIONS) as pool:
        statuses = list(pool.map(lambda sid: post(first, _call_params(sid, Digits="3")), sids))
    if set(statuses) != {200}:
        raise SystemExit(f"positioning calls failed: {sorted(set(statuses))}")
    recorded = "/twilio/voice/step?n=2&ev=recorded"
    with path.open("w") as out:
        for sid in sids:
            params = _call_params(sid, RecordingUrl=f"https://api.twilio.com/Recordings/RE{sid[2:]}",
                                  RecordingDuration="9")
            out.write(_line(recorded, params) + "\n")


def wrk(requests_file: Path, seconds: int, mode: str = "cycle") -> dict:
    script = ROOT / "bench" / "signed_requests.lua"
    # --timeout: a slow answer is measured, not dropped as a socket error (wrk's default is 2 s).
    command = ["wrk", f"-t{THREADS}", f"-c{CONNECTIONS}", f"-d{seconds}s", "--timeout", "10s", "--latency",
               "-s", str(script), BASE, "--", str(requests_file), str(THREADS), mode]
    output = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60).stdout
    for line in output.splitlines():
        if line.startswith("NON200 "):
            print(f"  {requests_file.name}: answer {line[7:]}", file=sys.stderr)
    result = json.loads(output.split("RESULT ", 1)[1].splitlines()[0])
    result["rps"] = result["requests"] / (result["duration_us"] / 1e6)
    return result


class Server:
    """gunicorn with 2 sync workers on loopback, stopped on exit."""

    def __init__(self, app_spec: str, env: dict) -> None:
        self.process = subprocess.Popen(
            [str(ROOT / ".venv" / "bin" / "gunicorn"), "-w", "2", "-b", f"127.0.0.1:{PORT}", "--log-level", "warning",
             app_spec], cwd=ROOT, env={**os.environ, **env}, start_new_session=True)

    def __enter__(self) -> "Server":
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                post("/twilio/voice", _call_params("CA" + secrets.token_hex(16)))
                return self
            except OSError:
                time.sleep(0.2)
        raise SystemExit("the server did not start")

    def __exit__(self, *exc) -> None:
        os.killpg(self.process.pid, signal.SIGTERM)
        self.process.wait(timeout=30)


def prepare_database(url: str) -> None:
    """Migrate, and add the known caller with a home AC in warranty."""
    from app.customers.models import Address, Customer, CustomerPhone
    from app.database import Database
    from app.migrations import upgrade_database
    from app.units.models import Unit

    upgrade_database(url)
    database = Database(url)
    with database.session() as session:
        customer = Customer(name="王伟", created_at=datetime.now(timezone.utc))
        customer.phones.append(CustomerPhone(e164=CALLER, kind="mobile"))
        customer.addresses.append(Address(province="广西壮族自治区", city="南宁市", line="民族大道1号"))
        session.add(customer)
        session.flush()
        session.add(Unit(serial="HA00000001", customer_id=customer.id, product_line="home_ac", model="KFR-35GW",
                         installed_on=date(2024, 5, 1), created_at=datetime.now(timezone.utc)))
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


def measure_service(name: str, url: str, seconds: int, work: Path) -> list[tuple]:
    prepare_database(url)
    env = {"DATABASE_URL": url, "TWILIO_AUTH_TOKEN": TOKEN, "TWILIO_ACCOUNT_SID": SID, "SMS_BACKEND": "log",
           "PUBLIC_BASE_URL": BASE, "IVR_STAFF_NUMBERS": "+8613700000001"}
    rows = []
    with Server("wsgi:app", env):
        wrk(work / "welcome.txt", 2)  # warm-up: imports, flows, connection pools
        rows.append((name, "welcome", wrk(work / "welcome.txt", seconds)))
        ticket_requests(work / f"ticket-{name}.txt", count=max(2000, int(rows[-1][2]["rps"] * seconds * 0.6)))
        rows.append((name, "ticket step", wrk(work / f"ticket-{name}.txt", seconds, mode="once")))
    return rows


def measure_minimal(seconds: int, work: Path) -> dict:
    with Server("bench.ivr_webhook:minimal_app()", {}):
        wrk(work / "welcome.txt", 2)
        return wrk(work / "welcome.txt", seconds)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10, help="length of each measured run (default 10)")
    parser.add_argument("--no-postgres", action="store_true", help="skip the PostgreSQL run")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is needed: apt-get install -y wrk")
    work = Path(tempfile.mkdtemp(prefix="ivr-bench-"))
    welcome_requests(work / "welcome.txt", 50_000)
    load = os.getloadavg()[0]
    rows = [("minimal app", "welcome", measure_minimal(args.seconds, work))]
    rows += measure_service("sqlite", f"sqlite:///{work / 'bench.sqlite3'}", args.seconds, work)
    if not args.no_postgres:
        rows += measure_service("postgresql", reset_pg_schema(), args.seconds, work)
    # The floor is measured again at the end: other work on the machine moves both alike.
    rows.append(("minimal app", "welcome", measure_minimal(args.seconds, work)))
    floor = (rows[0][2]["rps"] + rows[-1][2]["rps"]) / 2
    print(f"\n{CONNECTIONS} concurrent callers, gunicorn -w 2 (sync), wrk -t{THREADS}, {os.cpu_count()} cores, "
          f"{args.seconds} s per run, load average {load:.1f} at the start; ratio = req/s / minimal app's mean")
    print(f"{'app':<14}{'step':<13}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'ratio':>8}{'non-2xx':>9}{'sock err':>9}")
    for app_name, step, r in rows:
        print(f"{app_name:<14}{step:<13}{r['rps']:>9.0f}{r['p50_us'] / 1000:>9.1f}{r['p99_us'] / 1000:>9.1f}"
              f"{r['rps'] / floor:>8.2f}{r['non2xx']:>9}{r['socket_errors']:>9}")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
