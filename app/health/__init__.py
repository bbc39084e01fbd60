"""`GET /healthz`: 200 when the database answers (for load balancers; no auth)."""
from __future__ import annotations

from flask import Blueprint, jsonify
from sqlalchemy import text

from app.web import db_session

health = Blueprint("health", __name__)


@health.get("/healthz")
def healthz():
    try:
        db_session().execute(text("SELECT 1"))
    except Exception:  # any database failure means "not healthy", never a 500 page
        return jsonify(status="unavailable", database="down"), 503
    return jsonify(status="ok", database="up")
