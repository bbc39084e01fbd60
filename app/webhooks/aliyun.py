"""Alibaba Cloud SMS pushes: `/aliyun/sms/report` (delivery reports) and `/aliyun/sms/reply` (上行短信).

Each push is a JSON array, guarded by `?token=ALIYUN_PUSH_TOKEN` (anything else: 403, nothing
changes) and answered `{"code": 0, "msg": "成功"}` once what it carries is recorded. Alibaba
retries a push it got no such answer to, repeats and reorders them, so each is recorded first,
in one commit, and worked on after:

- reports are recorded as early statuses (`sms_early_statuses`, keyed "<OutId>/<number>", as the
  sent row's `sid`), then applied to their rows (delivery.py: only forward, the first final status
  stands); one whose row is not recorded yet waits there for the dispatcher;
- replies are stored as inbound texts once per `sequence_id` (status `pending`), then go through
  the same inbound handling as Twilio's (refusals 退订/R/拒收, survey answers, 预约, the inbox).
  A reply whose handling fails goes to the staff inbox; one left `pending` by a worker that died
  is handled by the next push.
"""
from __future__ import annotations

import hmac
import logging
import random
from datetime import timedelta

from flask import Blueprint, current_app, jsonify, request
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from app.customers.phone_numbers import mask_phone
from app.escalations.services import raise_escalation
from app.messaging.aliyun_backend import aliyun_sid
from app.messaging.delivery import RANK, apply_early_statuses
from app.messaging.inbound import act_on_text, store_text
from app.messaging.models import EarlyStatus, Message
from app.messaging.policy import DispatchPolicy, SendingPolicy
from app.product_lines import HOTLINE_BY_LINE
from app.storable_text import fit
from app.web import db_session, now, settings

log = logging.getLogger(__name__)

aliyun_webhooks = Blueprint("aliyun_webhooks", __name__)
OK = {"code": 0, "msg": "成功"}
MAX_ITEMS = 1000
PENDING_AFTER = timedelta(minutes=1)  # a `pending` reply this old was left by a worker that died


def _refused(status: int, why: str):
    return jsonify({"code": 1, "msg": why}), status


def _token_ok() -> bool:
    expected = settings().aliyun_push_token
    given = request.args.get("token", "")
    return bool(expected) and hmac.compare_digest(given.encode(), expected.encode())


def _items() -> list[dict] | None:
    data = request.get_json(silent=True, force=True)
    if not isinstance(data, list) or len(data) > MAX_ITEMS or not all(isinstance(i, dict) for i in data):
        return None
    return data


def _text(item: dict, key: str, width: int = 200) -> str:
    value = item.get(key)
    return fit(str(value), width) if value is not None else ""


def _phone(national: str) -> str:
    return f"+86{national}" if national.isdigit() and len(national) == 11 else national


@aliyun_webhooks.post("/aliyun/sms/report")
def delivery_reports():
    """Record every report as an early status, then apply those whose row is known."""
    if not _token_ok():
        return _refused(403, "token")
    items = _items()
    if items is None:
        return _refused(400, "a JSON array of reports is required")
    session, at = db_session(), now()
    reports = {}
    for item in items:
        key = _report_key(session, item)
        if key:
            status = "delivered" if item.get("success") in (True, "true") else "undelivered"
            if RANK[status] > RANK.get(reports.get(key, ("", ""))[0], 0):  # of two final ones the first stands
                reports[key] = (status, _text(item, "err_code", 60))
    for attempt in (1, 2):
        try:
            _record_reports(session, reports, at)
            break
        except IntegrityError:  # the same report twice at once: the second sees the first
            session.rollback()
            if attempt == 2:
                raise
    known = list(session.scalars(select(Message.sid).where(Message.sid.in_(list(reports)))))
    applied = apply_early_statuses(session, known, now=at, policy=DispatchPolicy.from_settings(settings()),
                                   rng=random.Random())
    for key, (status, code) in reports.items():
        if status == "undelivered" and code:
            message = session.scalar(select(Message).where(Message.sid == key))
            if message is not None and message.status == "undelivered" and not message.error_message:
                message.error_message = f"Alibaba report {code}"
    session.commit()
    log.info("Alibaba delivery reports: %d received, %d applied", len(items), applied)
    return jsonify(OK)


def _record_reports(session, reports: dict, at) -> None:
    """Keep each report as an early status (the first final one stands), committed."""
    for key, (status, _code) in reports.items():
        early = session.get(EarlyStatus, key)
        if early is None:
            session.add(EarlyStatus(sid=key, status=status, error_code=None, received_at=at))
        elif early.status not in ("delivered", "undelivered"):
            early.status, early.received_at = status, at
    session.commit()  # recorded: from here on a failure loses nothing


def _report_key(session, item: dict) -> str:
    """The sent row's key: "<OutId>/<number>", or the row found by BizId when the OutId is missing."""
    national, out_id = _text(item, "phone_number", 20), _text(item, "out_id", 32)
    if out_id:
        return fit(aliyun_sid(out_id, _phone(national)), 40)
    biz_id = _text(item, "biz_id", 40)
    sid = session.scalar(select(Message.sid).where(Message.provider_ref == biz_id, Message.phone == _phone(national)))
    return sid or ""


@aliyun_webhooks.post("/aliyun/sms/reply")
def replies():
    """Store every reply once, then handle each as any inbound text."""
    if not _token_ok():
        return _refused(403, "token")
    items = _items()
    if items is None:
        return _refused(400, "a JSON array of replies is required")
    session, at = db_session(), now()
    for attempt in (1, 2):
        try:
            stored = _store_replies(session, items, at)
            break
        except IntegrityError:  # the same push twice at once: the second sees the first's rows
            session.rollback()
            if attempt == 2:
                raise
    left = list(session.scalars(select(Message.id).where(Message.direction == "in", Message.status == "pending",
                                                         Message.created_at < at - PENDING_AFTER).limit(20)))
    for message_id in left:  # claimed one by one, so two pushes never handle the same leftover
        taken = session.execute(update(Message).where(Message.id == message_id, Message.status == "pending")
                                .values(status="handling")).rowcount
        session.commit()
        if taken:
            stored.append(message_id)
    for message_id in stored:
        _handle(session, message_id)
    return jsonify(OK)


def _store_replies(session, items: list[dict], at) -> list[int]:
    """Store each reply once per sequence_id, committed; the ids of the new ones."""
    stored = []
    for item in items:
        sid = fit(f"aliyun:{_text(item, 'sequence_id', 30) or _text(item, 'send_time', 30)}", 40)
        message = store_text(session, sid=sid, from_=_phone(_text(item, "phone_number", 20)),
                             body=_text(item, "content", 2000), now=at, status="pending")
        if message is not None:
            stored.append(message.id)
    session.commit()
    return stored


def _handle(session, message_id: int) -> None:
    """One reply through the inbound handling; a failure leaves it with staff, never lost."""
    policy = SendingPolicy.from_settings(settings())
    handlers = current_app.extensions.get("sms_reply_handlers", [])
    message = session.get(Message, message_id)
    try:
        result = act_on_text(session, message, now=now(), hotline=HOTLINE_BY_LINE["home_ac"], handlers=handlers,
                             policy=policy)
        session.commit()
        log.info("reply %s from %s: %s", message.sid, mask_phone(message.phone), result.outcome)
    except Exception:
        session.rollback()
        log.exception("reply %s could not be processed; kept for staff", message_id)
        message = session.get(Message, message_id)
        message.status = "received"
        raise_escalation(session, reason="sms_unprocessed", queue="staff_inbox", now=now(),
                         dedupe_key=f"sms:{message.sid}",
                         detail=f"text from {message.phone} could not be processed: {message.body}"[:2000])
        session.commit()
