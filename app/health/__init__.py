"""`GET /healthz`: 200 when the database answers (for load balancers; no auth).

`GET /healthz?deep=1` tells the parts apart, for a pager as much as for a load balancer: the
database (503 when it does not answer: this node cannot serve), the scheduler leader's heartbeat
(the newest job run in the ledger; `outbox_dispatch` runs every 10 s) and the outbox's lag, and
the callers this node's fallback spool still holds. A stale scheduler or a lagging outbox is
`degraded` with 200: the node still answers calls, and a load balancer must not take it out.
"""
from __future__ import annotations

from flask import Blueprint, jsonify, request
from sqlalchemy import text

from app.fallback.spool import waiting
from app.observability.state import leader_heartbeat, outbox_lag
from app.web import db_session, now, settings

health = Blueprint("health", __name__)
HEARTBEAT_STALE_SECONDS = 60.0  # six missed outbox passes: no scheduler leads
OUTBOX_LAGGING_SECONDS = 300.0  # a due text waiting five minutes: the dispatch is stuck or Twilio is down


@health.get("/healthz")
def healthz():
    if request.args.get("deep") in ("1", "true", "yes"):
        return deep_health()
    try:
        db_session().execute(text("SELECT 1"))
    except Exception:  # any database failure means "not healthy", never a 500 page
        return jsonify(status="unavailable", database="down"), 503
    return jsonify(status="ok", database="up")


def _spool() -> dict:
    try:
        return {"waiting": waiting(settings().fallback_spool)}
    except OSError:
        return {"waiting": None, "status": "unreadable"}


def deep_health():
    at = now()
    session = db_session()
    try:
        session.execute(text("SELECT 1"))
        beat = leader_heartbeat(session)
        lag = outbox_lag(session, at)
    except Exception:  # the database, or a table of it, does not answer
        return jsonify(status="unavailable", database={"status": "down"}, scheduler={"status": "unknown"},
                       outbox={"status": "unknown"}, fallback_spool=_spool()), 503
    age = beat.age_seconds(at)
    scheduler = {"status": "unknown" if age is None else "ok" if age <= HEARTBEAT_STALE_SECONDS else "stale",
                 "leader": beat.runner, "last_job": beat.job,
                 "last_run_at": beat.at.isoformat() if beat.at else None, "age_seconds": age}
    outbox = {"status": "lagging" if lag.oldest_due_seconds > OUTBOX_LAGGING_SECONDS else "ok", "depth": lag.depth,
              "due": lag.due, "oldest_due_seconds": lag.oldest_due_seconds}
    healthy = scheduler["status"] == "ok" and outbox["status"] == "ok"
    return jsonify(status="ok" if healthy else "degraded", database={"status": "up"}, scheduler=scheduler,
                   outbox=outbox, fallback_spool=_spool())
