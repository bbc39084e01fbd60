"""The service network: outlets and their technicians (P-NET)."""
from __future__ import annotations

from flask import jsonify, request
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.api import api
from app.api.auth import EVERYONE, require_role
from app.api.params import page_of, paging, query_id
from app.api.presenters import outlet_json, technician_json
from app.errors import ValidationFailed
from app.network.models import Outlet, Technician
from app.web import business_tz, db_session, now


@api.get("/outlets")
@require_role(*EVERYONE)
def list_outlets():
    page, per_page = paging()
    rows = list(db_session().scalars(select(Outlet).order_by(Outlet.id).offset((page - 1) * per_page).limit(per_page + 1)))
    return jsonify(page_of(rows, page, per_page, outlet_json))


@api.get("/technicians")
@require_role(*EVERYONE)
def list_technicians():
    """Technicians, by outlet id and by whether their certificate is valid today (P-NET-2)."""
    page, per_page = paging()
    query = select(Technician).options(selectinload(Technician.outlet)).order_by(Technician.id)
    outlet = query_id("outlet")
    if outlet is not None:
        query = query.where(Technician.outlet_id == outlet)
    certified = request.args.get("certified")
    if certified not in (None, "", "true", "false"):
        raise ValidationFailed("certified must be true or false", {"certified": "true or false"})
    today = now().astimezone(business_tz()).date()
    if certified in ("true", "false"):
        # As Technician.certified_on: a blank certificate number is no certificate.
        valid = (Technician.certificate_number.is_not(None) & (Technician.certificate_number != "")
                 & (Technician.certificate_expires_on >= today))
        query = query.where(valid if certified == "true" else ~valid | Technician.certificate_expires_on.is_(None))
    rows = list(db_session().scalars(query.offset((page - 1) * per_page).limit(per_page + 1)))
    return jsonify(page_of(rows, page, per_page, lambda t: technician_json(t, today)))
