"""Outbox dispatcher throughput, pacing accuracy and memory, against the Twilio or Alibaba stand-in process.

Fills a schema of its own with N queued texts (default 100,000), starts the stand-in
(`python -m tests.twilio_standin`) as its own process, and in one run measures:

1. baseline: the bare gateway (`send_sms` through the real SDK, no database), one thread;
2. unpaced: the dispatcher (W worker threads in this process) sending all N texts: texts/s,
   and this process's resident memory at the start, its peak and the end;
3. paced at R texts/s: the measured rate over a fixed window (default 30 s), and its ratio to R.

    .venv/bin/python bench/outbox.py [--texts 100000] [--workers 2] [--rate 50] [--window 30]
                                     [--database-url URL]   # default: PostgreSQL 127.0.0.1/test
                                     [--backend aliyun [--batch-size 100]]

With `--backend aliyun` the texts are registered-template texts sent through the Alibaba SDK to
`python -m tests.aliyun_standin` (SendBatchSms of up to --batch-size texts; 1: SendSms each); the
baseline is one bare SendSms per text, and there is no paced run (Alibaba's route is unpaced).
"""
from __future__ import annotations

import argparse
import gc
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import insert, text  # noqa: E402

from app.clock import SystemClock  # noqa: E402
from app.config import Settings  # noqa: E402
from app.database import Database  # noqa: E402
from app.integrations.aliyun_gateway import make_aliyun_client  # noqa: E402
from app.integrations.aliyun_gateway import send_sms as aliyun_send_sms  # noqa: E402
from app.integrations.twilio_gateway import make_twilio_client, send_sms  # noqa: E402
from app.messaging.aliyun_templates import registry  # noqa: E402
from app.messaging.claims import outbox_idle  # noqa: E402
from app.messaging.dispatch import OutboxDispatcher  # noqa: E402
from app.messaging.models import Message  # noqa: E402
from app.migrations import upgrade_database  # noqa: E402

PG = os.environ.get("BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
SCHEMA = "bench_outbox"
SID, TOKEN, SENDER = "AC" + "0" * 32, "bench-token", "+15005550006"


def rss_mb() -> float:
    """This process's resident set size (Linux /proc)."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def prepare(url: str | None) -> str:
    """A fresh, migrated database: a PostgreSQL schema of its own, or the SQLite file given."""
    if url is None:
        db = Database(PG)
        with db.engine.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{SCHEMA}" CASCADE'))
            conn.execute(text(f'CREATE SCHEMA "{SCHEMA}"'))
        db.dispose()
        url = f"{PG}?options=-csearch_path%3D{SCHEMA}"
    upgrade_database(url)
    return url


ALIYUN_KEY, ALIYUN_SECRET, SIGN_NAME = "LTAI5tStandInKeyId000000", "standin-secret-0123456789abcdef", "志高"


def _row(i: int, now: datetime, aliyun: bool) -> dict:
    row = {"direction": "out", "phone": f"+86139{i:08d}", "category": "transactional", "priority": 0,
           "body": f"【志高】您的报修已受理，工单号{i:08d}，我们将在1小时内联系您。", "status": "queued",
           "attempts": 0, "segments": 1, "created_at": now, "send_after": now}
    if aliyun:
        params = {"hotline": "400 675 7888", "kind_label": "报修", "ticket_number": f"{i:08d}"}
        row.update(body=registry().get("zh", "ticket_created").compose(SIGN_NAME, params), template="ticket_created",
                   template_lang="zh", template_params=json.dumps(params, ensure_ascii=False), segments=2)
    return row


def fill(db: Database, start: int, count: int, aliyun: bool = False) -> None:
    """Queue `count` texts to distinct numbers, in chunks (registered-template texts for Alibaba)."""
    now = datetime.now(timezone.utc)
    for first in range(start, start + count, 5000):
        rows = [_row(i, now, aliyun) for i in range(first, min(start + count, first + 5000))]
        with db.engine.begin() as conn:
            conn.execute(insert(Message.__table__), rows)


def start_standin(log: Path, backend: str = "twilio") -> tuple[subprocess.Popen, str]:
    """The stand-in as its own process, so its memory is not counted as ours; returns it and its URL."""
    command = (["-m", "tests.aliyun_standin"] if backend == "aliyun"
               else ["-m", "tests.twilio_standin", "--auth-token", TOKEN])
    proc = subprocess.Popen([sys.executable, *command, "--port", "0", "--log", str(log)], cwd=ROOT,
                            stdout=subprocess.PIPE, text=True)
    return proc, proc.stdout.readline().strip()


def lines(path: Path) -> int:
    """Messages the stand-in created so far (one log line each)."""
    with path.open("rb") as f:
        return sum(1 for _ in f)


def baseline(api_url: str, n: int) -> float:
    """Texts/s of the bare gateway: SDK and stand-in only."""
    client = make_twilio_client(SID, TOKEN, api_url=api_url)
    t0 = time.perf_counter()
    for i in range(n):
        send_sms(client, to=f"+86138{i:08d}", body="【志高】基线短信", from_=SENDER, status_callback="https://x/s")
    return n / (time.perf_counter() - t0)


def aliyun_baseline(endpoint: str, n: int) -> float:
    """Texts/s of one bare SendSms per text: SDK and stand-in only."""
    client = make_aliyun_client(ALIYUN_KEY, ALIYUN_SECRET, endpoint=endpoint, timeout=10)
    code = registry().get("zh", "ticket_created").code
    params = json.dumps({"hotline": "400 675 7888", "kind_label": "报修", "ticket_number": "1"}, ensure_ascii=False)
    t0 = time.perf_counter()
    for i in range(n):
        aliyun_send_sms(client, phone=f"138{i:08d}", sign_name=SIGN_NAME, template_code=code, template_param=params,
                        out_id=f"base{i}")
    return n / (time.perf_counter() - t0)


def run_workers(db: Database, settings: Settings, workers: int, stop: threading.Event, until_idle: bool) -> list:
    """Start `workers` dispatcher threads, as `python -m app.dispatcher` does."""

    def loop(dispatcher: OutboxDispatcher) -> None:
        while not stop.is_set():
            dispatcher.run_pass(stop=stop)
            if until_idle:
                with db.session() as session:
                    if outbox_idle(session, datetime.now(timezone.utc)):
                        return

    threads = [threading.Thread(target=loop, args=(OutboxDispatcher(db, settings, wall=SystemClock()),))
               for _ in range(workers)]
    for t in threads:
        t.start()
    return threads


def paced_run(db: Database, settings: Settings, args, log: Path) -> float:
    """The measured rate over the window at a pace of --rate texts/s, as a ratio to it."""
    paced_texts = int(args.rate * (args.window + 10) * 1.2)
    fill(db, args.texts, paced_texts)
    paced = replace(settings, sms_rate_per_second=args.rate)
    stop = threading.Event()
    threads = run_workers(db, paced, args.workers, stop, until_idle=False)
    time.sleep(3)  # warm up: first claims and slots
    c0, w0 = lines(log), time.perf_counter()
    time.sleep(args.window)
    c1, w1 = lines(log), time.perf_counter()
    stop.set()
    for t in threads:
        t.join()
    measured = (c1 - c0) / (w1 - w0)
    ratio = measured / args.rate
    print(f"paced     {c1 - c0:,} texts in {w1 - w0:.1f} s: {measured:6.2f} texts/s at a pace of "
          f"{args.rate:g}/s: ratio {ratio:.3f} (within 5%: {abs(ratio - 1) <= 0.05})", flush=True)
    return ratio


def main() -> int:
    """Run the three measurements and print the figures and ratios; exit 1 when a target is missed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--texts", type=int, default=100_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--rate", type=float, default=50.0)
    parser.add_argument("--window", type=float, default=30.0)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--backend", choices=("twilio", "aliyun"), default="twilio")
    parser.add_argument("--batch-size", type=int, default=100, help="aliyun: texts per SendBatchSms")
    args = parser.parse_args()
    aliyun = args.backend == "aliyun"

    url = prepare(args.database_url)
    db = Database(url)
    workdir = Path(tempfile.mkdtemp(prefix="bench-outbox-"))
    log = workdir / "standin.jsonl"
    log.touch()
    standin, api_url = start_standin(log, args.backend)
    settings = Settings(database_url=url, twilio_account_sid=SID, twilio_auth_token=TOKEN, twilio_api_url=api_url,
                        sms_backend="twilio", sms_from=SENDER, public_base_url="https://cc.example.com",
                        sms_rate_per_second=0, sms_quiet_hours="")
    if aliyun:
        settings = replace(settings, sms_backend="aliyun", aliyun_access_key_id=ALIYUN_KEY,
                           aliyun_access_key_secret=ALIYUN_SECRET, aliyun_sms_sign_name=SIGN_NAME,
                           aliyun_sms_endpoint=api_url, aliyun_batch_size=max(1, min(100, args.batch_size)))
    ok = False
    print(f"machine: {os.cpu_count()} cores; {db.dialect}; {args.workers} dispatcher threads; {args.backend} "
          f"stand-in process" + (f"; batches of {settings.aliyun_batch_size}" if aliyun else ""), flush=True)
    try:
        base = aliyun_baseline(api_url, 3000) if aliyun else baseline(api_url, 3000)
        print(f"baseline  bare send_sms, 1 thread, no database: {base:7.1f} texts/s", flush=True)

        fill(db, 0, args.texts, aliyun)
        gc.collect()
        rss_start, peak = rss_mb(), [rss_mb()]
        sent_before = lines(log)
        stop = threading.Event()
        t0 = time.perf_counter()
        threads = run_workers(db, settings, args.workers, stop, until_idle=True)
        while any(t.is_alive() for t in threads):
            time.sleep(0.5)
            peak.append(rss_mb())
        elapsed = time.perf_counter() - t0
        sent = lines(log) - sent_before
        rss_end = rss_mb()
        rate = sent / elapsed
        print(f"unpaced   {sent:,} texts in {elapsed:6.1f} s: {rate:7.1f} texts/s "
              f"({rate / base:.2f}x the bare gateway; aim >= 300/s)", flush=True)
        print(f"memory    RSS {rss_start:.1f} MB at start, peak {max(peak):.1f} MB, end {rss_end:.1f} MB: "
              f"growth {max(peak) - rss_start:.1f} MB (limit 50 MB)", flush=True)

        if aliyun:  # Alibaba's route is not paced on our side: nothing more to measure
            ok = rate >= 300 and max(peak) - rss_start < 50
        else:
            ratio = paced_run(db, settings, args, log)
            ok = rate >= 300 and abs(ratio - 1) <= 0.05 and max(peak) - rss_start < 50
    finally:
        standin.terminate()
        standin.wait(timeout=30)
        db.dispose()
        if args.database_url is None:
            cleanup = Database(PG)
            with cleanup.engine.begin() as conn:
                conn.execute(text(f'DROP SCHEMA IF EXISTS "{SCHEMA}" CASCADE'))
            cleanup.dispose()
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
