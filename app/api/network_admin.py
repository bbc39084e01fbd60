"""Keeping the service network current (admin): outlets (P-NET-1) and technicians (P-NET-2)."""
from __future__ import annotations

from flask import jsonify

from app.api import api
from app.api.auth import require_role
from app.api.params import (body_date, body_id, choice, json_object, optional_text, present,
                            required_text)
from app.api.presenters import outlet_json, technician_json
from app.customers.phone_numbers import InvalidPhoneNumber, normalise_phone
from app.errors import ValidationFailed
from app.network import services
from app.product_lines import PRODUCT_LINES
from app.web import business_tz, db_session, now


def _phone(data: dict, name: str) -> str | None:
    raw = optional_text(data, name, 64)
    if raw is None or not raw.strip():
        return None
    try:
        return normalise_phone(raw).e164
    except InvalidPhoneNumber as exc:
        raise ValidationFailed(str(exc), {name: str(exc)}) from None


def _lines(data: dict, name: str) -> list[str]:
    value = data.get(name)
    value = [] if value is None else value
    if not isinstance(value, list) or any(line not in PRODUCT_LINES for line in value):
        raise ValidationFailed(f"{name} must be a list of {', '.join(PRODUCT_LINES)}",
                               {name: f"a list of {', '.join(PRODUCT_LINES)} (empty: every line)"})
    return sorted(set(value))


_OUTLET = {
    "name": lambda d, n: required_text(d, n, 120).strip(), "province": lambda d, n: required_text(d, n, 40).strip(),
    "city": lambda d, n: required_text(d, n, 40).strip(), "phone": _phone,
    "contract_status": lambda d, n: choice(d, n, services.CONTRACT_STATUSES, required=True),
    "review_status": lambda d, n: choice(d, n, services.REVIEW_STATUSES, required=True),
    "contract_signed_on": body_date, "contract_ends_on": body_date, "reviewed_on": body_date,
}
_TECHNICIAN = {
    "outlet_id": lambda d, n: body_id(d, n, required=True), "name": lambda d, n: required_text(d, n, 80).strip(),
    "phone": _phone, "certificate_number": lambda d, n: (optional_text(d, n, 40) or "").strip() or None,
    "certificate_issued_on": body_date, "certificate_expires_on": body_date, "product_lines": _lines,
}


def _required(data: dict, names: tuple[str, ...]) -> None:
    missing = {name: "required" for name in names if data.get(name) is None}
    if missing:
        raise ValidationFailed(f"{', '.join(missing)} required", missing)


@api.post("/outlets")
@require_role("admin")
def post_outlet():
    data = json_object()
    _required(data, ("name", "province", "city"))
    session = db_session()
    outlet = services.create_outlet(session, present(data, _OUTLET))
    session.commit()
    return jsonify(outlet_json(outlet)), 201


@api.patch("/outlets/<int:outlet_id>")
@require_role("admin")
def patch_outlet(outlet_id: int):
    values = present(json_object(), _OUTLET)
    session = db_session()
    outlet = services.amend_outlet(session, outlet_id, values)
    session.commit()
    return jsonify(outlet_json(outlet))


@api.post("/technicians")
@require_role("admin")
def post_technician():
    data = json_object()
    _required(data, ("outlet_id", "name"))
    session = db_session()
    technician = services.create_technician(session, present(data, _TECHNICIAN))
    session.commit()
    return jsonify(technician_json(technician, now().astimezone(business_tz()).date())), 201


@api.patch("/technicians/<int:technician_id>")
@require_role("admin")
def patch_technician(technician_id: int):
    values = present(json_object(), _TECHNICIAN)
    session = db_session()
    technician = services.amend_technician(session, technician_id, values)
    session.commit()
    return jsonify(technician_json(technician, now().astimezone(business_tz()).date()))
