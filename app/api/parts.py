"""Parts on a repair (P-REP-3): request them from a depot, due 2 days later; mark them shipped."""
from __future__ import annotations

from flask import jsonify

from app.api import api
from app.api.auth import STAFF, current_user, require_role
from app.api.params import MAX_ID, json_object, optional_text, required_text
from app.api.presenters import parts_request_json
from app.api.tickets import load_ticket
from app.errors import ValidationFailed
from app.sla_watch.parts import MAX_CODE, MAX_DEPOT, MAX_PART, MAX_QUANTITY, request_parts, ship_parts
from app.tickets.work_lines import whole_number
from app.web import business_tz, db_session, now


@api.post("/tickets/<number>/parts")
@require_role(*STAFF)
def post_parts_request(number: str):
    """`{"part", "quantity"?, "code"?, "depot"?}`: 201 and the request, owed by `ship_by` (2 days)."""
    data = json_object()
    part = required_text(data, "part", MAX_PART)
    quantity = 1 if data.get("quantity") is None else whole_number(data["quantity"])
    if quantity is None or not 1 <= quantity <= MAX_QUANTITY:
        raise ValidationFailed(f"quantity must be a whole number from 1 to {MAX_QUANTITY}",
                               {"quantity": f"a whole number from 1 to {MAX_QUANTITY}"})
    code = optional_text(data, "code", MAX_CODE) or ""
    depot = optional_text(data, "depot", MAX_DEPOT) or ""
    session, at = db_session(), now()
    ticket = load_ticket(number)
    request = request_parts(session, ticket, part_name=part, quantity=quantity, part_code=code, depot=depot,
                            actor=current_user().name, now=at)
    session.commit()
    return jsonify(parts_request_json(request, ticket, business_tz())), 201


@api.post(f"/tickets/<number>/parts/<int(max={MAX_ID}):request_id>/ship")
@require_role(*STAFF)
def post_parts_shipped(number: str, request_id: int):
    session, at = db_session(), now()
    ticket = load_ticket(number)
    request = ship_parts(session, ticket, request_id, actor=current_user().name, now=at)
    session.commit()
    return jsonify(parts_request_json(request, ticket, business_tz()))
