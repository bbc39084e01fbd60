"""Texts in and out for a number, newest first."""
from __future__ import annotations

from flask import jsonify, request
from sqlalchemy import select

from app.api import api
from app.api.auth import STAFF, require_role
from app.api.params import page_of, paging
from app.api.presenters import message_json
from app.customers.phone_numbers import InvalidPhoneNumber, normalise_phone
from app.errors import ValidationFailed
from app.messaging.models import Message
from app.web import business_tz, db_session


@api.get("/messages")
@require_role(*STAFF)
def list_messages():
    page, per_page = paging()
    raw = request.args.get("phone")
    if not raw:
        raise ValidationFailed("phone is required", {"phone": "required"})
    try:
        phone = normalise_phone(raw).e164
    except InvalidPhoneNumber as exc:
        raise ValidationFailed(str(exc), {"phone": str(exc)}) from None
    rows = list(db_session().scalars(
        select(Message).where(Message.phone == phone).order_by(Message.created_at.desc(), Message.id.desc())
        .offset((page - 1) * per_page).limit(per_page + 1)
    ))
    tz = business_tz()
    return jsonify(page_of(rows, page, per_page, lambda m: message_json(m, tz)))
