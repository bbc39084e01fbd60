"""The outbox: a text to a customer is a row written in the same transaction as its cause.

Nothing here talks to the network; the dispatcher sends committed rows later. What a row's
status says when it is written:

- `queued`: it will be sent at `send_after` (reminders and marketing queued in quiet hours wait
  for the morning, spread over its first hour);
- `suppressed`: the number opted out and the category is not sent to such numbers (policy in
  app.messaging.suppressions); recorded, never sent;
- `refused`: no text may go: the number is a landline or invalid, or this would be the 4th
  identical text to the number within 24 hours (carriers reject it). Recorded with the reason,
  never silently dropped.
"""
from __future__ import annotations

import logging
from datetime import datetime
from functools import lru_cache
from pathlib import Path

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session

from app.config import PROJECT_ROOT
from app.customers.phone_numbers import mask_phone
from app.messaging.aliyun_templates import NotRegistered, registry
from app.messaging.models import Message, SmsBlock
from app.messaging.policy import SendingPolicy
from app.messaging.quiet_hours import QUIET_CATEGORIES
from app.messaging.routes import session_routes
from app.messaging.suppressions import SUPPRESSIBLE, is_suppressed
from app.messaging.templates import SmsTemplates

log = logging.getLogger(__name__)

CATEGORIES = {"transactional": 0, "survey": 1, "reminder": 5, "marketing": 9}  # -> priority
# Statuses of texts that went, or may yet go, to the carrier: what the identical-text rule counts.
_COUNTED = ("queued", "sending", "sent", "delivered", "undelivered", "needs_reconciliation")

__all__ = ["CATEGORIES", "SUPPRESSIBLE", "is_suppressed", "latest_texts", "queue_text", "sms_templates"]


@lru_cache(maxsize=8)
def sms_templates(signature: str = "【志高】", root: Path = PROJECT_ROOT / "sms_templates",
                  allow_urls: bool = False) -> SmsTemplates:
    """The shipped templates (cached: they are files that change only on deploy)."""
    return SmsTemplates(root, signature=signature, allow_urls=allow_urls)


def queue_text(
    session: Session,
    *,
    phone: str,
    template: str,
    context: dict,
    now: datetime,
    category: str = "transactional",
    ticket_id: int | None = None,
    dedupe_key: str | None = None,
    lang: str = "zh",
    signature: str = "【志高】",
    send_after: datetime | None = None,
    policy: SendingPolicy | None = None,
    new_key: bool = False,
) -> Message:
    """Render `template` and queue it for `phone`; a second call with the same `dedupe_key` returns the first row.

    `new_key`: the caller vouches that no row can hold `dedupe_key` yet (it names a row created in
    this transaction, such as a new ticket), so it is not looked up; the unique index still
    refuses a second row.

    `policy` (SendingPolicy.from_settings) carries the configured signature, link rule, quiet
    hours and routes; without it the defaults apply with `signature` and the routes the session's
    database was given (app.messaging.routes.use_routes). Raises TemplateError for a text that
    may not be sent (missing variable, link, too long).
    """
    if category not in CATEGORIES:
        raise ValueError(f"unknown text category {category!r}")
    if dedupe_key is not None and not new_key:
        existing = session.scalar(select(Message).where(Message.dedupe_key == dedupe_key))
        if existing is not None:
            return existing
    if policy is None:
        routes, sign_name = session_routes(session)
        policy = SendingPolicy(signature=signature, routes=routes, aliyun_sign_name=sign_name)
    provider = policy.routes.backend_for(phone)
    templates = sms_templates(policy.signature_for(provider), allow_urls=policy.allow_urls)
    rendered = templates.render(template, lang, marketing=category == "marketing", opt_out=policy.routes.opt_out(phone),
                                opt_out_key=policy.routes.opt_out_key(phone), **context)
    status, note = _refusal(session, phone, rendered.body, category, now, policy)
    params = None
    if provider == "aliyun" and status == "queued":
        try:
            _code, params = registry().registration(rendered.lang, template, context, policy.aliyun_sign_name or "",
                                                    rendered.body)
        except NotRegistered as exc:
            status, note = "refused", f"Alibaba can send registered templates only: {exc}"[:300]
    message = Message(
        direction="out", phone=phone, body=rendered.body, template=template, category=category,
        priority=CATEGORIES[category], status=status, error_message=note, ticket_id=ticket_id,
        dedupe_key=dedupe_key, attempts=0, created_at=now, send_after=send_after or now,
        segments=rendered.segments.segments, provider=policy.routes.recorded_for(phone), template_lang=rendered.lang, template_params=params,
    )
    session.add(message)
    session.flush()
    if status == "queued" and category in QUIET_CATEGORIES and policy.quiet_hours is not None:
        # The id spreads the morning's texts over the spread window (needs the flush above).
        message.send_after = policy.quiet_hours.release_time(message.send_after, message.id)
    elif status != "queued":
        log.info("text %s to %s not sent: %s", template, mask_phone(phone), status)
    return message


# The number's block and the count of identical texts in one round trip: every text asks both.
# Built once: the statement is the same for every text, only its values change.
_SENDING_CHECKS = select(
    select(SmsBlock.reason).where(SmsBlock.phone == bindparam("phone")).scalar_subquery(),
    select(SmsBlock.error_code).where(SmsBlock.phone == bindparam("phone")).scalar_subquery(),
    select(func.count()).select_from(Message).where(
        Message.phone == bindparam("phone"), Message.direction == "out", Message.body == bindparam("body"),
        Message.created_at > bindparam("since"), Message.status.in_(_COUNTED)).scalar_subquery(),
)


def _refusal(session: Session, phone: str, body: str, category: str, now: datetime,
             policy: SendingPolicy) -> tuple[str, str | None]:
    """`queued` and no note, or why the text must not go."""
    reason, error_code, identical = session.execute(
        _SENDING_CHECKS, {"phone": phone, "body": body, "since": now - policy.identical_window}).one()
    if reason is not None:
        return "refused", f"no text can reach this number ({reason}, Twilio {error_code}): call instead"
    if category in SUPPRESSIBLE and is_suppressed(session, phone):
        return "suppressed", f"the number opted out: no {category} texts"
    if identical >= policy.identical_limit:
        hours = int(policy.identical_window.total_seconds() // 3600)
        return "refused", (f"would be identical text number {identical + 1} to this number within {hours} hours; "
                           f"carriers reject more than {policy.identical_limit}")
    return "queued", None


def latest_texts(session: Session, *, phone: str | None = None, limit: int = 20) -> list[Message]:
    """The newest outbound texts (to `phone`, an E.164 number, when given), newest first:
    what `sms outbox` shows, whatever became of them (queued, sent, refused...)."""
    query = select(Message).where(Message.direction == "out")
    if phone is not None:
        query = query.where(Message.phone == phone)
    return list(session.scalars(query.order_by(Message.created_at.desc(), Message.id.desc()).limit(limit)))
