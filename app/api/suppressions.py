"""Staff set and lift suppression of a number (a customer who asked on the phone not to be texted).

A number that refused texts itself (退订, STOP) is lifted only by an admin recording the
customer's request (P-PRIV-2, `app.messaging.suppressions.lift_for_staff`).
"""
from __future__ import annotations

from flask import jsonify

from app.api import api
from app.api.auth import STAFF, current_user, require_role
from app.api.params import optional_json_object, optional_text
from app.api.presenters import iso
from app.customers.phone_numbers import InvalidPhoneNumber, normalise_phone
from app.errors import ValidationFailed
from app.messaging.models import Suppression
from app.messaging.suppressions import MAX_NOTE, lift_for_staff, suppress, text_block
from app.web import business_tz, db_session, now


def _phone(raw: str) -> str:
    try:
        return normalise_phone(raw).e164
    except InvalidPhoneNumber as exc:
        raise ValidationFailed(str(exc), {"phone": str(exc)}) from None


def _suppression_json(phone: str) -> dict:
    session = db_session()
    entry = session.get(Suppression, phone)
    block = text_block(session, phone)
    return {
        "phone": phone, "suppressed": entry is not None,
        "source": entry.source if entry else None, "reason": entry.reason if entry else None,
        "created_at": iso(entry.created_at, business_tz()) if entry else None,
        "blocked": block.reason if block else None,
    }


@api.get("/suppressions/<phone>")
@require_role(*STAFF)
def read_suppression(phone: str):
    """Whether the number is suppressed (and whether texts can reach it at all)."""
    return jsonify(_suppression_json(_phone(phone)))


@api.put("/suppressions/<phone>")
@require_role(*STAFF)
def put_suppression(phone: str):
    """Suppress the number: 201 when new, 200 when it already was (the first reason stands)."""
    e164 = _phone(phone)
    reason = optional_text(optional_json_object(), "reason", 150) or "asked staff"
    session = db_session()
    _entry, created = suppress(session, e164, source="staff", reason=f"{reason} (by {current_user().name})",
                               now=now())
    session.commit()
    return jsonify(_suppression_json(e164)), 201 if created else 200


@api.delete("/suppressions/<phone>")
@require_role(*STAFF)
def delete_suppression(phone: str):
    """Lift the suppression, with a `note` of the customer's request; 404 when the number was not
    suppressed, 403 when the customer's own refusal is not an admin's to lift here."""
    e164 = _phone(phone)
    note = optional_text(optional_json_object(), "note", MAX_NOTE) or ""
    session = db_session()
    user = current_user()
    lift_for_staff(session, e164, user=user.name, role=user.role, note=note, now=now())
    session.commit()
    return jsonify(_suppression_json(e164))
