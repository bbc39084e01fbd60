"""The escalation queue: open items oldest first, claiming one (a lease), releasing it, resolving it."""
from __future__ import annotations

from datetime import timedelta

from flask import jsonify, request
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.api import api
from app.api.auth import STAFF, current_user, require_role
from app.api.params import MAX_ID, json_object, optional_json_object, page_of, paging, required_text
from app.api.presenters import escalation_json
from app.errors import ValidationFailed
from app.escalations.claims import MAX_LEASE, claim_escalation, release_escalation
from app.escalations.models import Escalation
from app.escalations.services import LEASE, QUEUES, resolve_escalation
from app.tickets.work_lines import whole_number
from app.web import business_tz, db_session, now

MAX_LEASE_MINUTES = int(MAX_LEASE.total_seconds() // 60)


@api.get("/escalations")
@require_role(*STAFF)
def list_escalations():
    page, per_page = paging()
    query = select(Escalation).where(Escalation.status == "open").options(selectinload(Escalation.ticket))
    queue = request.args.get("queue")
    if queue:
        if queue not in QUEUES:
            raise ValidationFailed(f"unknown queue {queue!r}", {"queue": f"one of {', '.join(QUEUES)}"})
        query = query.where(Escalation.queue == queue)
    rows = list(db_session().scalars(query.order_by(Escalation.created_at, Escalation.id)
                                     .offset((page - 1) * per_page).limit(per_page + 1)))
    tz, at = business_tz(), now()
    return jsonify(page_of(rows, page, per_page, lambda e: escalation_json(e, tz, at)))


def _lease(data: dict) -> timedelta:
    """`minutes` of the body (1 to 60; default 15): how long the claim holds."""
    if data.get("minutes") is None:
        return LEASE
    minutes = whole_number(data["minutes"])
    if minutes is None or not 1 <= minutes <= MAX_LEASE_MINUTES:
        raise ValidationFailed(f"minutes must be a whole number from 1 to {MAX_LEASE_MINUTES}",
                               {"minutes": f"a whole number from 1 to {MAX_LEASE_MINUTES}"})
    return timedelta(minutes=minutes)


@api.post(f"/escalations/<int(max={MAX_ID}):escalation_id>/claim")
@require_role(*STAFF)
def post_claim_escalation(escalation_id: int):
    """Hold the item (renewing one's own claim); 409 naming the holder while another's claim holds."""
    lease = _lease(optional_json_object())
    session, user, at = db_session(), current_user(), now()
    escalation = claim_escalation(session, escalation_id, actor=user.name, role=user.role, now=at, lease=lease)
    session.commit()
    return jsonify(escalation_json(escalation, business_tz(), at))


@api.post(f"/escalations/<int(max={MAX_ID}):escalation_id>/release")
@require_role(*STAFF)
def post_release_escalation(escalation_id: int):
    session, user, at = db_session(), current_user(), now()
    escalation = release_escalation(session, escalation_id, actor=user.name, role=user.role, now=at)
    session.commit()
    return jsonify(escalation_json(escalation, business_tz(), at))


@api.post(f"/escalations/<int(max={MAX_ID}):escalation_id>/resolve")
@require_role(*STAFF)
def post_resolve_escalation(escalation_id: int):
    data = json_object()
    session, user, at = db_session(), current_user(), now()
    escalation = resolve_escalation(session, escalation_id, actor=user.name, role=user.role,
                                    note=required_text(data, "note", 2000), now=at)
    session.commit()
    return jsonify(escalation_json(escalation, business_tz(), at))
