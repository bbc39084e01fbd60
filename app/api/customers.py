"""Customers and their units (staff), their marketing consent (P-PRIV-1), export and erasure (P-PRIV-3)."""
from __future__ import annotations

from flask import jsonify, request

from app.api import api
from app.api.auth import STAFF, current_user, require_role
from app.api.params import (body_date, boolean, choice, json_object, optional_text, page_of, paging,
                            present, required_text)
from app.api.presenters import customer_json
from app.customers import records
from app.errors import ValidationFailed
from app.privacy.erase import erase_customer
from app.privacy.export import export_customer
from app.product_lines import PRODUCT_LINES
from app.web import business_tz, db_session, now

# Plain <int:>: a converter bound that fails makes werkzeug answer 405 for one method and 404 for another.
_CUSTOMER = "/customers/<int:customer_id>"


def _text(max_len: int, *, required: bool = True):
    if required:
        return lambda data, name: required_text(data, name, max_len)
    return lambda data, name: optional_text(data, name, max_len) or ""


_AMENDABLE = {"name": _text(120), "province": _text(40), "city": _text(40), "address": _text(200, required=False)}


@api.get("/customers")
@require_role(*STAFF)
def list_customers():
    """Search by number (however typed), name prefix (`q`) or serial; numbers masked in the list."""
    page, per_page = paging()
    filters = {key: request.args.get(arg) or None for key, arg in (("phone", "phone"), ("name", "q"), ("serial", "serial"))}
    for key, arg, limit in (("name", "q", 120), ("serial", "serial", 40)):
        if filters[key] is not None and len(filters[key]) > limit:
            raise ValidationFailed(f"{arg} is at most {limit} characters", {arg: f"at most {limit} characters"})
    session = db_session()
    rows = records.find_customers(session, **filters, limit=per_page + 1, offset=(page - 1) * per_page)
    return jsonify(page_of(rows, page, per_page,
                           lambda c: customer_json(c, records.units_of(session, c), masked=True)))


@api.post("/customers")
@require_role(*STAFF)
def post_customer():
    data = json_object()
    new = records.NewCustomer(name=required_text(data, "name", 120), phone=required_text(data, "phone", 64),
                              province=required_text(data, "province", 40), city=required_text(data, "city", 40),
                              address=optional_text(data, "address", 200) or "")
    session = db_session()
    customer = records.create_customer(session, new, actor=current_user().name, now=now())
    session.commit()
    return jsonify(customer_json(customer, [], masked=False)), 201


@api.get(_CUSTOMER)
@require_role(*STAFF)
def read_customer(customer_id: int):
    session = db_session()
    customer = records.get_customer(session, customer_id)
    return jsonify(customer_json(customer, records.units_of(session, customer), masked=False))


@api.patch(_CUSTOMER)
@require_role(*STAFF)
def patch_customer(customer_id: int):
    values = present(json_object(), _AMENDABLE)
    session = db_session()
    customer = records.get_customer(session, customer_id)
    records.amend_customer(session, customer, values, actor=current_user().name, now=now())
    session.commit()
    return jsonify(customer_json(customer, records.units_of(session, customer), masked=False))


@api.post(f"{_CUSTOMER}/units")
@require_role(*STAFF)
def post_unit(customer_id: int):
    data = json_object()
    new = records.NewUnit(serial=required_text(data, "serial", 40), model=required_text(data, "model", 60),
                          product_line=choice(data, "product_line", PRODUCT_LINES, required=True),
                          installed_on=body_date(data, "installed_on"))
    session = db_session()
    customer = records.get_customer(session, customer_id)
    records.add_unit(session, customer, new, actor=current_user().name, now=now())
    session.commit()
    return jsonify(customer_json(customer, records.units_of(session, customer), masked=False)), 201


@api.put(f"{_CUSTOMER}/consent")
@require_role(*STAFF)
def put_consent(customer_id: int):
    """The customer's own word on marketing texts, with how it was given (P-PRIV-1); never implied."""
    data = json_object()
    marketing = boolean(data, "marketing", required=True)
    source = choice(data, "source", records.STAFF_CONSENT_SOURCES, required=True)
    note = optional_text(data, "note", 500) or ""
    session = db_session()
    customer = records.get_customer(session, customer_id)
    records.record_consent(session, customer, marketing=marketing, source=source, note=note,
                           actor=current_user().name, now=now())
    session.commit()
    return jsonify(customer_json(customer, records.units_of(session, customer), masked=False))


@api.get(f"{_CUSTOMER}/export")
@require_role(*STAFF)
def export(customer_id: int):
    """Everything held about the customer (PIPL access request); the export itself is audited."""
    session = db_session()
    customer = records.get_customer(session, customer_id)
    document = export_customer(session, customer, actor=current_user().name, now=now(), tz=business_tz())
    session.commit()
    return jsonify(document)


@api.post(f"{_CUSTOMER}/erase")
@require_role("admin")
def erase(customer_id: int):
    """Anonymise the customer (admin); tickets and settlement stay, a refusal stays as a hash."""
    session = db_session()
    customer = records.get_customer(session, customer_id)
    counts = erase_customer(session, customer, actor=current_user().name, now=now())
    session.commit()
    return jsonify({"customer": customer_json(customer, records.units_of(session, customer), masked=False),
                    "anonymised": counts})
