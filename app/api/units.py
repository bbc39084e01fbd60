"""The warranty view of a unit (P-WAR-1..8)."""
from __future__ import annotations

from flask import jsonify, request
from sqlalchemy import select

from app.api import api
from app.api.auth import STAFF, require_role
from app.api.params import parse_date
from app.api.presenters import warranty_json
from app.errors import NotFound
from app.units.models import Unit, WarrantyRestartRecord
from app.warranty.ledger import unit_warranty
from app.web import business_tz, db_session, now


@api.get("/units/<serial>/warranty")
@require_role(*STAFF)
def unit_warranty_view(serial: str):
    """The cover of each part on `on` (default today), with end dates and the deciding rule ids."""
    tz = business_tz()
    on = parse_date(request.args.get("on"), "on") or now().astimezone(tz).date()
    session = db_session()
    unit = session.scalar(select(Unit).where(Unit.serial == serial.strip().upper()))
    if unit is None:
        raise NotFound(f"no unit with serial {serial!r}")
    status = unit_warranty(session, unit, on=on, tz=tz)
    recorded = [
        {"restarted_on": r.restarted_on.isoformat(), "ticket_number": r.ticket_number, "reason": r.reason}
        for r in session.scalars(select(WarrantyRestartRecord).where(WarrantyRestartRecord.unit_id == unit.id)
                                 .order_by(WarrantyRestartRecord.restarted_on))
    ]
    return jsonify(warranty_json(unit.serial, status, recorded))
