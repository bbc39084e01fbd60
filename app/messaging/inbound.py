"""Texts customers send to a hotline number.

Every text is stored as a `Message(direction="in")`, once per MessageSid (a webhook Twilio
retries creates nothing twice). Then, by its words:

- an opt-out word (STOP, UNSUBSCRIBE, T, TD, R, N, 退订, 拒收, 取消; any case, half- or full-width,
  surrounding spaces and punctuation ignored) puts the number on the suppression list and
  queues one confirmation (only when the number was not suppressed already); it also withdraws
  the owner's marketing consent (P-PRIV-1), recorded with source `sms`;
- START or 订阅 takes it off again, with one confirmation; 订阅 (subscribe) also records the
  owner's marketing consent, source `sms` (START only lifts the refusal);
- HELP or 帮助 is answered with the hotlines;
- anything else is offered to each reply handler in `app.extensions["sms_reply_handlers"]`
  (the survey service answers replies to its surveys); a text no handler consumes becomes a
  `staff_inbox` escalation, so a person reads it.

Replies go through the outbox like any text, so they obey suppression, pacing and quiet hours.
"""
from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.customers.phone_numbers import InvalidPhoneNumber, mask_phone, normalise_phone
from app.customers.records import consent_by_phone
from app.escalations.services import raise_escalation
from app.messaging.models import Message
from app.messaging.outbox import queue_text
from app.messaging.policy import SendingPolicy
from app.messaging.segments import count_segments
from app.messaging.suppressions import lift_suppression, suppress

log = logging.getLogger(__name__)

OPT_OUT_WORDS = frozenset({"stop", "unsubscribe", "t", "td", "r", "n", "退订", "拒收", "取消"})
OPT_IN_WORDS = frozenset({"start", "订阅"})
CONSENT_WORDS = frozenset({"订阅"})  # opt-in words that also give marketing consent
CONSENT_ACTOR = "customer:sms"
HELP_WORDS = frozenset({"help", "帮助"})
# Anything but letters and digits (CJK included) at either end: spaces, 。！!, quotes, emoji.
_EDGES = re.compile(r"^[\W_]+|[\W_]+$")


@dataclass(frozen=True)
class InboundText:
    """What a reply handler is given: the sender's number (E.164), the text, our row id, when."""

    phone: str
    body: str
    message_id: int
    sid: str
    now: datetime


# handler(session, inbound) -> True when it consumed the text (it may queue replies, flush, not commit).
ReplyHandler = Callable[[Session, InboundText], bool]


@dataclass(frozen=True)
class InboundResult:
    """What became of an inbound text: duplicate, opted_out, already_opted_out, opted_in,
    not_opted_out, help, consumed or escalated."""

    outcome: str
    message: Message | None


def keyword(body: str) -> str:
    """The text as a keyword: NFKC (full-width to half-width), edges trimmed, case folded."""
    return _EDGES.sub("", unicodedata.normalize("NFKC", body or "")).casefold()


def classify(body: str) -> str:
    """"opt_out", "opt_in", "help" or "other"."""
    word = keyword(body)
    if word in OPT_OUT_WORDS:
        return "opt_out"
    if word in OPT_IN_WORDS:
        return "opt_in"
    if word in HELP_WORDS:
        return "help"
    return "other"


def sender_phone(raw: str) -> str:
    """The sender's number in E.164 when it is one; otherwise as given (short codes, names)."""
    try:
        return normalise_phone(raw).e164
    except InvalidPhoneNumber:
        return (raw or "").strip()[:20]


def receive_text(session: Session, *, sid: str, from_: str, body: str, now: datetime, hotline: str,
                 handlers: Sequence[ReplyHandler] = (), policy: SendingPolicy | None = None) -> InboundResult:
    """Store and act on one inbound text; the caller commits."""
    message = store_text(session, sid=sid, from_=from_, body=body, now=now)
    if message is None:
        return InboundResult("duplicate", None)
    return act_on_text(session, message, now=now, hotline=hotline, handlers=handlers, policy=policy)


def store_text(session: Session, *, sid: str, from_: str, body: str, now: datetime,
               status: str = "received") -> Message | None:
    """Store one inbound text once per `sid`; None when it is a duplicate. The caller commits."""
    if session.scalar(select(Message.id).where(Message.sid == sid)) is not None:
        return None
    message = Message(direction="in", phone=sender_phone(from_), body=body, category="inbound", priority=0,
                      status=status, sid=sid, attempts=0, created_at=now, send_after=now,
                      segments=max(1, count_segments(body).segments))
    session.add(message)
    session.flush()
    return message


def act_on_text(session: Session, message: Message, *, now: datetime, hotline: str,
                handlers: Sequence[ReplyHandler] = (), policy: SendingPolicy | None = None) -> InboundResult:
    """Act on a stored inbound text by its words (see the module docstring); the caller commits."""
    phone, body, sid = message.phone, message.body, message.sid or ""
    message.status = "received"
    policy = policy or SendingPolicy()
    kind = classify(body)
    if kind == "opt_out":
        _entry, new = suppress(session, phone, source="sms", reason=f"replied {keyword(body)!r}", now=now)
        consent_by_phone(session, phone, marketing=False, source="sms", actor=CONSENT_ACTOR, now=now,
                         note=f"replied {keyword(body)!r}")
        if new:
            _reply(session, phone, sid, "opt_out_confirmed", {"hotline": hotline}, now, policy)
        return InboundResult("opted_out" if new else "already_opted_out", message)
    if kind == "opt_in":
        lifted = lift_suppression(session, phone, by="customer", how="opt_in_text", now=now,
                                  note=f"replied {keyword(body)!r}")
        if keyword(body) in CONSENT_WORDS:
            consent_by_phone(session, phone, marketing=True, source="sms", actor=CONSENT_ACTOR, now=now,
                             note=f"replied {keyword(body)!r}")
        if lifted:
            _reply(session, phone, sid, "opt_in_confirmed", {}, now, policy)
        return InboundResult("opted_in" if lifted else "not_opted_out", message)
    if kind == "help":
        _reply(session, phone, sid, "help_reply", {}, now, policy)
        return InboundResult("help", message)
    inbound = InboundText(phone=phone, body=body, message_id=message.id, sid=sid, now=now)
    for handler in handlers:
        if _offer(session, handler, inbound):
            return InboundResult("consumed", message)
    raise_escalation(session, reason="sms_inbound", queue="staff_inbox", now=now, dedupe_key=f"sms:{sid}",
                     detail=f"text from {phone}: {body}"[:2000], phone=phone, message_id=message.id)
    return InboundResult("escalated", message)


def _reply(session: Session, phone: str, sid: str, template: str, context: dict, now: datetime,
           policy: SendingPolicy) -> None:
    queue_text(session, phone=phone, template=template, context=context, now=now, category="transactional",
               dedupe_key=f"sms:{sid}:{template}", policy=policy)


def _offer(session: Session, handler: ReplyHandler, inbound: InboundText) -> bool:
    """Give the text to one handler inside a savepoint: a handler that fails changes nothing."""
    try:
        with session.begin_nested():
            return bool(handler(session, inbound))
    except Exception:  # one broken handler must not lose the text: the next one, or staff, get it
        log.exception("SMS reply handler %s failed on a text from %s",
                      getattr(handler, "__name__", handler), mask_phone(inbound.phone))
        return False
