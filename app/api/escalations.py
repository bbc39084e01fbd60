"""The escalation queue: open items oldest first, and resolving one."""
from __future__ import annotations

from flask import jsonify, request
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.api import api
from app.api.auth import STAFF, current_user, require_role
from app.api.params import MAX_ID, json_object, page_of, paging, required_text
from app.api.presenters import escalation_json
from app.errors import ValidationFailed
from app.escalations.models import Escalation
from app.escalations.services import QUEUES, resolve_escalation
from app.web import business_tz, db_session, now


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
    tz = business_tz()
    return jsonify(page_of(rows, page, per_page, lambda e: escalation_json(e, tz)))


@api.post(f"/escalations/<int(max={MAX_ID}):escalation_id>/resolve")
@require_role(*STAFF)
def post_resolve_escalation(escalation_id: int):
    data = json_object()
    session = db_session()
    user = current_user()
    escalation = resolve_escalation(session, escalation_id, actor=user.name, role=user.role,
                                    note=required_text(data, "note", 2000), now=now())
    session.commit()
    return jsonify(escalation_json(escalation, business_tz()))
