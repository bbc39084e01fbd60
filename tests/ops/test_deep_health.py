"""`/healthz?deep=1`: the database, the scheduler leader's heartbeat and the outbox lag, told apart."""
from __future__ import annotations

from datetime import date, timedelta

from scheduler.ledger import claim_slot
from tests.conftest import postgresql_only
from tests.factories import make_customer, make_unit
from tests.ivr.conftest import KNOWN, Phone
from tests.ops.conftest import UNREACHABLE


def leader_ran(app, at, runner="web-1:4242") -> None:
    claim_slot(app.extensions["database"], "outbox_dispatch", at, runner=runner, now=at)


def queue_a_text(client, session) -> None:
    """A caller's repair: the ticket's confirmation text waits in the outbox."""
    customer = make_customer(session, phone=KNOWN)
    make_unit(session, customer, product_line="home_ac", serial="HA00001111", installed_on=date(2024, 5, 1))
    session.commit()
    phone = Phone(client)
    phone.dial()
    phone.press("1")
    phone.press("1")
    phone.press("1")


def test_deep_health_is_ok_with_a_fresh_heartbeat_and_an_empty_outbox(app, client, clock):
    leader_ran(app, clock.now() - timedelta(seconds=8))
    reply = client.get("/healthz?deep=1")
    assert reply.status_code == 200 and reply.json["status"] == "ok"
    assert reply.json["database"] == {"status": "up"}
    assert reply.json["scheduler"] | {"last_run_at": None} == {
        "status": "ok", "leader": "web-1:4242", "last_job": "outbox_dispatch", "last_run_at": None, "age_seconds": 8.0}
    assert reply.json["outbox"] == {"status": "ok", "depth": 0, "due": 0, "oldest_due_seconds": 0.0}


def test_a_silent_scheduler_is_reported_stale_but_the_node_stays_in_service(app, client, clock):
    leader_ran(app, clock.now() - timedelta(minutes=5))
    reply = client.get("/healthz?deep=1")
    assert reply.status_code == 200 and reply.json["status"] == "degraded"
    assert reply.json["scheduler"]["status"] == "stale" and reply.json["outbox"]["status"] == "ok"


def test_no_scheduler_run_at_all_is_reported_unknown(client):
    assert client.get("/healthz?deep=1").json["scheduler"]["status"] == "unknown"


def test_a_due_text_waiting_minutes_is_reported_as_outbox_lag(app, client, session, clock):
    queue_a_text(client, session)
    clock.advance(minutes=6)
    leader_ran(app, clock.now())
    reply = client.get("/healthz?deep=1")
    assert reply.status_code == 200 and reply.json["status"] == "degraded"
    assert reply.json["scheduler"]["status"] == "ok"
    assert reply.json["outbox"] == {"status": "lagging", "depth": 1, "due": 1, "oldest_due_seconds": 360.0}


@postgresql_only
def test_deep_health_answers_503_when_the_database_does_not_answer(make_app):
    reply = make_app(database_url=UNREACHABLE).test_client().get("/healthz?deep=1")
    assert reply.status_code == 503
    assert reply.json["status"] == "unavailable" and reply.json["database"] == {"status": "down"}


def test_deep_health_counts_the_callers_the_fallback_spool_holds(make_app, tmp_path):
    spool = tmp_path / "spool.jsonl"
    spool.write_text('{"key": "a"}\n{"key": "b"}\n', encoding="utf-8")
    assert make_app(fallback_spool=spool).test_client().get("/healthz?deep=1").json["fallback_spool"] == {"waiting": 2}
