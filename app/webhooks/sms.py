"""Twilio's SMS webhooks: `/twilio/sms` (a text arrives) and `/twilio/sms/status` (delivery status).

Both are signed (403 otherwise) and idempotent on MessageSid. The inbound webhook always answers
an empty `<Response/>`: replies go through the outbox, so they obey suppression and pacing.
"""
from __future__ import annotations

import logging
import random

from flask import Blueprint, Response, current_app, request
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from twilio.twiml.messaging_response import MessagingResponse

from app.customers.phone_numbers import mask_phone
from app.escalations.services import raise_escalation
from app.messaging.delivery import status_callback
from app.messaging.inbound import receive_text, sender_phone
from app.messaging.models import Message
from app.messaging.policy import DispatchPolicy, SendingPolicy
from app.storable_text import fit
from app.product_lines import HOTLINE_BY_LINE
from app.web import db_session, now, settings
from app.webhooks.signature import twilio_signed

log = logging.getLogger(__name__)

SID_WIDTH = 40  # messages.sid; Twilio's own are 34 characters
STATUS_WIDTH = 16  # messages.twilio_status
MAX_ERROR_CODE = 2**31 - 1  # an INTEGER column; Twilio's codes have five digits

sms_webhooks = Blueprint("sms_webhooks", __name__)


def _empty_twiml() -> Response:
    return Response(str(MessagingResponse()), mimetype="text/xml")


def _hotline() -> str:
    """The hotline the customer texted (To, or ForwardedFrom for a forwarded 400 number), as printed."""
    lines = settings().hotlines
    for number in (request.form.get("ForwardedFrom"), request.form.get("To")):
        if number in lines:
            return HOTLINE_BY_LINE[lines[number]]
    return HOTLINE_BY_LINE["home_ac"]


def _message_sid() -> str:
    return fit(request.form.get("MessageSid") or request.form.get("SmsSid") or "", SID_WIDTH)


def _error_code(raw: str) -> int | None:
    """Twilio's ErrorCode as a number; anything else (`²`, eleven digits) is recorded as none."""
    if raw.isascii() and raw.isdigit() and int(raw) <= MAX_ERROR_CODE:
        return int(raw)
    return None


@sms_webhooks.post("/twilio/sms")
@twilio_signed
def inbound_text():
    """Store the text and act on it; a retry of the same MessageSid changes nothing."""
    form = request.form
    sid = _message_sid()
    if not sid:
        return Response("MessageSid is required", status=400, mimetype="text/plain")
    session = db_session()
    handlers = current_app.extensions.get("sms_reply_handlers", [])
    for attempt in (1, 2):
        try:
            result = receive_text(session, sid=sid, from_=form.get("From", ""), body=form.get("Body", ""),
                                  now=now(), hotline=_hotline(), handlers=handlers,
                                  policy=SendingPolicy.from_settings(settings()))
            session.commit()
            log.info("text %s from %s: %s", sid, mask_phone(form.get("From", "")), result.outcome)
            return _empty_twiml()
        except IntegrityError:
            # A concurrent delivery of the same sid (or the same STOP) won the race: try once more,
            # now it is a duplicate or an existing suppression.
            session.rollback()
            if attempt == 2:
                raise
        except Exception:
            session.rollback()
            log.exception("text %s from %s could not be processed; kept for staff", sid, mask_phone(form.get("From", "")))
            _keep_for_staff(session, sid)
            return _empty_twiml()
    return _empty_twiml()


def _keep_for_staff(session, sid: str) -> None:
    """Nothing lost: store the text and put it in the staff inbox even when processing failed."""
    form, at = request.form, now()
    phone = sender_phone(form.get("From", ""))
    message_id = session.scalar(select(Message.id).where(Message.sid == sid))
    if message_id is None:
        message = Message(direction="in", phone=phone, body=form.get("Body", ""), category="inbound", priority=0,
                          status="received", sid=sid, attempts=0, created_at=at, send_after=at, segments=1)
        session.add(message)
        session.flush()
        message_id = message.id
    raise_escalation(session, reason="sms_unprocessed", queue="staff_inbox", now=at, dedupe_key=f"sms:{sid}",
                     detail=f"text from {phone} could not be processed: {form.get('Body', '')}"[:2000],
                     phone=phone, message_id=message_id)
    session.commit()


@sms_webhooks.post("/twilio/sms/status")
@twilio_signed
def message_status():
    """Apply a delivery status; repeats and out-of-order callbacks change nothing; always 200 when signed."""
    form = request.form
    sid = _message_sid()
    status = fit(form.get("MessageStatus") or form.get("SmsStatus") or "", STATUS_WIDTH)
    if not sid or not status:
        return Response("MessageSid and MessageStatus are required", status=400, mimetype="text/plain")
    error_code = _error_code(form.get("ErrorCode") or "")
    session = db_session()
    for attempt in (1, 2):
        try:
            outcome = status_callback(session, sid=sid, twilio_status=status, error_code=error_code, now=now(),
                                      policy=DispatchPolicy.from_settings(settings()), rng=random.Random(),
                                      to=form.get("To", ""))
            session.commit()
            log.info("status %s for %s: %s", status, sid, outcome)
            break
        except IntegrityError:  # two callbacks for one unknown sid at once: the second sees the first
            session.rollback()
            if attempt == 2:
                raise
    return Response("", status=200, mimetype="text/plain")
