"""Customers found by number (typed any way), name or serial; numbers masked, shown whole on request (audited)."""
from __future__ import annotations

import re

from flask import render_template, request
from flask_login import current_user

from app.api.auth import STAFF
from app.console import console
from app.console.auth import requires
from app.console.extensions import csrf
from app.customers import records
from app.customers.phone_numbers import InvalidPhoneNumber, normalise_phone
from app.errors import ValidationFailed
from app.web import db_session, now

PER_PAGE = 50
MAX_QUERY = 120
# Serials are letters then digits (HA02026000); a name is anything else that is not a number.
SERIAL = re.compile(r"[A-Za-z]{1,4}[0-9A-Za-z-]{4,36}")


def search_filters(q: str) -> dict:
    """What the one search box means: a phone number if it parses as one, a serial by its shape, else a name prefix."""
    if len(q) > MAX_QUERY:
        raise ValidationFailed(f"the search is at most {MAX_QUERY} characters", {"q": f"at most {MAX_QUERY}"})
    try:
        normalise_phone(q)
        return {"phone": q}
    except InvalidPhoneNumber:
        pass
    if SERIAL.fullmatch(q) and any(ch.isdigit() for ch in q):
        return {"serial": q}
    return {"name": q}


def _found(q: str, reveal_id: int | None = None, revealed: list[str] | None = None):
    session = db_session()
    rows, how = [], None
    if q:
        filters = search_filters(q)
        how = next(iter(filters))
        rows = records.find_customers(session, **filters, limit=PER_PAGE)
    people = [{"customer": c, "units": records.units_of(session, c)} for c in rows]
    return render_template("customers.html", q=q, how=how, people=people, reveal_id=reveal_id,
                           revealed=revealed or [])


@console.get("/customers")
@requires(*STAFF)
def customers():
    return _found((request.args.get("q") or "").strip())


@console.post("/customers/<int:customer_id>/reveal")
@requires(*STAFF)
def reveal(customer_id: int):
    """The full numbers of one customer, for this page only; the look is written to the customer's audit."""
    csrf.protect()
    session = db_session()
    customer = records.get_customer(session, customer_id)
    phones = records.reveal_phones(session, customer, actor=current_user.name, now=now())
    session.commit()
    return _found((request.form.get("q") or "").strip(), reveal_id=customer.id, revealed=phones)
