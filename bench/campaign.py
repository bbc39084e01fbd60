"""Campaigns at a million owners: materialising recipients, handing texts to the outbox, sending at the rate.

Fills a PostgreSQL schema of its own with N customers (default 1,000,000) across 31 provinces,
one mobile each (every 50th a landline), one unit each and a second for every 10th, every 3rd
with marketing consent and every 97th number suppressed; then, in one run:

1. baseline: a plain `INSERT ... SELECT` of one row per number (units joined to phones, grouped);
   then the nationwide pre-season campaign's materialisation (the exclusions included): seconds,
   rows/s, its ratio to the baseline, and this process's peak resident memory;
2. hand-over: campaign_dispatch handing every text of that campaign (about 970,000 at a million
   customers; `--handover` caps it) to the outbox in batches of 500 through `queue_texts`, at a
   send time each spaced by the campaign's rate (`--rate`, default 6,000/min): texts/s and peak RSS;
3. drain: the outbox dispatcher (2 workers) sends those texts to the Twilio stand-in process;
   once the backlog whose send time passed during the hand-over is sent, the rate is measured over
   a window (default 300 s) against the set rate. The rest of the campaign is then cancelled.

    /work/venv/bin/python bench/campaign.py [--customers 1000000] [--handover N] [--rate 6000] [--window 300]
                                            [--materialise-only]

Runs take a while (about half an hour at a million): the fill, 970,000 texts handed over, the
catch-up and the window. The machine is shared: figures vary with what else runs.
"""
from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import threading
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import func, select, text  # noqa: E402

from bench.outbox import PG, SENDER, SID, TOKEN, lines, run_workers, start_standin  # noqa: E402
from app.messaging.models import Message  # noqa: E402
from app.campaigns.audience import Audience, Rules, materialise  # noqa: E402
from app.campaigns.models import CampaignRecipient  # noqa: E402
from app.campaigns.policy import CampaignPolicy  # noqa: E402
from app.campaigns.sending import campaign_step  # noqa: E402
from app.campaigns.services import Draft, draft_campaign, move  # noqa: E402
from app.config import Settings  # noqa: E402
from app.database import Database  # noqa: E402
from app.migrations import upgrade_database  # noqa: E402

SCHEMA = "bench_campaign"
PROVINCES = ("北京市", "天津市", "河北省", "山西省", "内蒙古自治区", "辽宁省", "吉林省", "黑龙江省", "上海市", "江苏省",
             "浙江省", "安徽省", "福建省", "江西省", "山东省", "河南省", "湖北省", "湖南省", "广东省", "广西壮族自治区",
             "海南省", "重庆市", "四川省", "贵州省", "云南省", "西藏自治区", "陕西省", "甘肃省", "青海省",
             "宁夏回族自治区", "新疆维吾尔自治区")
FILL = [
    "INSERT INTO customers (id, name, created_at, marketing_consent) "
    "SELECT g, '客户' || g, now(), g % 3 = 0 FROM generate_series(1, :n) g",
    "INSERT INTO customer_phones (customer_id, e164, kind) SELECT g, '+86139' || lpad(g::text, 8, '0'), "
    "CASE WHEN g % 50 = 0 THEN 'fixed_line' ELSE 'mobile' END FROM generate_series(1, :n) g",
    "INSERT INTO addresses (id, customer_id, province, city, line) "
    "SELECT g, g, (CAST(:provinces AS text[]))[1 + g % 31], '市' || (g % 300), '' FROM generate_series(1, :n) g",
    "INSERT INTO units (serial, customer_id, address_id, product_line, model, installed_on, created_at) "
    "SELECT 'SN' || lpad(g::text, 10, '0'), g, g, (ARRAY['home_ac','commercial_ac','water_heater'])[1 + g % 3], "
    "'KFR-35GW', DATE '2019-01-01' + (g % 2500), now() FROM generate_series(1, :n) g",
    "INSERT INTO units (serial, customer_id, address_id, product_line, model, installed_on, created_at) "
    "SELECT 'SX' || lpad(g::text, 10, '0'), g, g, 'water_heater', 'KFRS-3.6', DATE '2021-01-01', now() "
    "FROM generate_series(10, :n, 10) g",
    "INSERT INTO suppressions (phone, source, reason, created_at) "
    "SELECT '+86139' || lpad(g::text, 8, '0'), 'sms', 'bench', now() FROM generate_series(97, :n, 97) g",
    "SELECT setval(pg_get_serial_sequence('customers', 'id'), :n)",
    "SELECT setval(pg_get_serial_sequence('addresses', 'id'), :n)",
]
PLAIN = ("INSERT INTO campaign_recipients (campaign_id, phone, customer_id, unit_id, status, capped) "
         "SELECT :cid, p.e164, u.customer_id, min(u.id), 'pending', true FROM units u "
         "JOIN customer_phones p ON p.customer_id = u.customer_id AND p.kind = 'mobile' GROUP BY p.e164, u.customer_id")


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def prepare(db_url: str, n: int) -> None:
    db = Database(PG)
    with db.engine.begin() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{SCHEMA}" CASCADE'))
        conn.execute(text(f'CREATE SCHEMA "{SCHEMA}"'))
    db.dispose()
    upgrade_database(db_url)
    db = Database(db_url)
    t0 = time.perf_counter()
    with db.engine.begin() as conn:
        for statement in FILL:
            conn.execute(text(statement), {"n": n, "provinces": list(PROVINCES)})
    with db.engine.connect() as conn:
        conn.execution_options(isolation_level="AUTOCOMMIT").execute(text("ANALYZE"))
    db.dispose()
    print(f"fill      {n:,} customers, 31 provinces: {time.perf_counter() - t0:.1f} s", flush=True)


def new_campaign(session, now, *, kind="pre_season_heating", rate=60_000, template="志高提醒：{{ season_label }}季节将到，请试机。"):
    campaign = draft_campaign(session, Draft(kind=kind, name="bench", template=template, audience=Audience(),
                                             starts_at=now, ends_by=now + timedelta(days=2), rate_per_minute=rate),
                              actor="marketer", now=now, quiet=None)
    move(session, campaign, "approve", actor="boss", role="supervisor", now=now)
    session.commit()
    return campaign


def bench_materialise(db: Database, policy: CampaignPolicy, rate: int) -> int:
    """The baseline and the campaign's materialisation; returns the campaign, left running at `rate`."""
    now = datetime.now(timezone.utc)
    with db.session() as session:
        plain_id = new_campaign(session, now).id
        t0 = time.perf_counter()
        plain_rows = session.execute(text(PLAIN), {"cid": plain_id}).rowcount
        session.commit()
        plain = time.perf_counter() - t0
        campaign = new_campaign(session, now, rate=rate)
        t0 = time.perf_counter()
        rules = Rules(kind=campaign.kind, now=now, today=now.date(), cap_days=policy.cap_days, campaign_id=campaign.id)
        rows = materialise(session, campaign, rules)
        campaign.materialised_at, campaign.status, campaign.next_slot_at = now, "running", now
        session.commit()
        took = time.perf_counter() - t0
        pending = session.scalar(select(func.count()).where(CampaignRecipient.campaign_id == campaign.id,
                                                            CampaignRecipient.status == "pending"))
        session.execute(text("DELETE FROM campaign_recipients WHERE campaign_id = :c"), {"c": plain_id})
        session.execute(text("UPDATE campaigns SET status = 'cancelled' WHERE id = :a"), {"a": plain_id})
        session.commit()
        campaign_id = campaign.id
    print(f"baseline  plain INSERT ... SELECT: {plain_rows:,} rows in {plain:.1f} s ({plain_rows / plain:,.0f} rows/s)")
    print(f"campaign  materialised {rows:,} rows ({pending:,} to text) in {took:.1f} s ({rows / took:,.0f} rows/s): "
          f"{took / plain:.2f}x the plain INSERT; peak RSS of this process {peak_rss_mb():.0f} MB", flush=True)
    return campaign_id


def bench_handover(db: Database, policy: CampaignPolicy, campaign_id: int, limit: int | None) -> None:
    """campaign_dispatch's steps until every text of the campaign is in the outbox (or `limit`)."""
    with db.session() as session:
        session.execute(text("UPDATE campaigns SET next_slot_at = :t WHERE id = :c"),
                        {"t": datetime.now(timezone.utc), "c": campaign_id})
        session.commit()
        t0, queued, steps = time.perf_counter(), 0, 0
        while limit is None or queued < limit:
            step = campaign_step(session, now=datetime.now(timezone.utc), policy=policy)
            session.commit()
            session.expunge_all()  # a long-lived session must not keep a million rows in its identity map
            if not step.worked:
                break
            queued, steps = queued + step.queued, steps + 1
            if steps % 200 == 0:
                print(f"  ... {queued:,} texts handed over, {queued / (time.perf_counter() - t0):,.0f}/s", flush=True)
        took = time.perf_counter() - t0
        if limit is not None:  # stop handing over: what is in the outbox is drained
            session.execute(text("UPDATE campaigns SET status = 'paused' WHERE id = :c"), {"c": campaign_id})
            session.commit()
    print(f"hand-over campaign_dispatch: {queued:,} texts in {took:.0f} s, {queued / took:,.0f} texts/s "
          f"(batches of {policy.batch_size} through queue_texts); peak RSS {peak_rss_mb():.0f} MB", flush=True)


def _overdue(db: Database) -> int:
    """Texts whose send time is more than 2 s past and that are not sent yet."""
    with db.session() as session:
        return session.scalar(select(func.count()).select_from(Message).where(
            Message.status == "queued", Message.direction == "out",
            Message.send_after < datetime.now(timezone.utc) - timedelta(seconds=2)))


def bench_drain(db: Database, db_url: str, campaign_id: int, rate: int, window: float) -> None:
    """The outbox dispatcher sends the campaign's texts at their send times; measured once caught up."""
    log = Path(tempfile.mkdtemp()) / "standin.jsonl"
    log.touch()
    standin, api_url = start_standin(log)
    settings = Settings(database_url=db_url, twilio_account_sid=SID, twilio_auth_token=TOKEN, twilio_api_url=api_url,
                        sms_backend="twilio", sms_from=SENDER, public_base_url="https://cc.example.com",
                        sms_rate_per_second=0, sms_quiet_hours="")
    stop = threading.Event()
    threads = []
    try:
        t0 = time.perf_counter()
        threads = run_workers(db, settings, 2, stop, until_idle=False)
        backlog = _overdue(db)
        print(f"drain     {backlog:,} texts whose send time passed during the hand-over: sending them first",
              flush=True)
        while backlog > rate / 60 / 2:  # caught up: less than half a second's worth behind
            time.sleep(2)
            backlog = _overdue(db)
        print(f"          caught up after {time.perf_counter() - t0:.0f} s ({lines(log):,} sent)", flush=True)
        time.sleep(10)  # what was left of the backlog goes before the window opens
        before, t0 = lines(log), time.perf_counter()
        time.sleep(window)
        sent, elapsed = lines(log) - before, time.perf_counter() - t0
        measured = sent / elapsed * 60
        print(f"drain     set {rate:,}/min, measured {measured:,.0f}/min over {elapsed:.0f} s "
              f"({measured / rate:.3f}x; {sent:,} texts); still behind at the end: {_overdue(db):,}", flush=True)
    finally:
        stop.set()
        for t in threads:
            t.join()
        standin.terminate()
        standin.wait(timeout=30)
    with db.session() as session:
        session.execute(text("UPDATE campaigns SET status = 'cancelled' WHERE id = :c"), {"c": campaign_id})
        session.execute(text("UPDATE messages SET status = 'expired' WHERE status = 'queued'"))
        session.commit()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--handover", type=int, default=None, help="texts to hand over (default: all)")
    parser.add_argument("--rate", type=int, default=6000, help="the campaign's rate, texts a minute")
    parser.add_argument("--window", type=float, default=300.0, help="seconds the drain is measured over")
    parser.add_argument("--materialise-only", action="store_true", help="fill, then only the baseline and "
                        "the materialisation (a rerun on a quieter machine)")
    args = parser.parse_args()
    db_url = f"{PG}?options=-csearch_path%3D{SCHEMA}"
    print(f"machine: {os.cpu_count()} cores; PostgreSQL; schema {SCHEMA}", flush=True)
    prepare(db_url, args.customers)
    db = Database(db_url)
    # Quiet hours off (the bench runs at any hour); the whole campaign handed over at once: each
    # text's send time still follows the rate, and the outbox sends it then.
    policy = CampaignPolicy(sending=CampaignPolicy().sending.__class__(quiet_hours=None),
                            lookahead=timedelta(days=30), batch_size=500)
    campaign_id = bench_materialise(db, policy, args.rate)
    if args.materialise_only:
        db.dispose()
        return 0
    bench_handover(db, policy, campaign_id, args.handover)
    bench_drain(db, db_url, campaign_id, args.rate, args.window)
    db.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
