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
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.config import PROJECT_ROOT
from app.customers.phone_numbers import mask_phone
from app.messaging.aliyun_templates import NotRegistered, registry
from app.messaging.models import Message
from app.messaging.policy import SendingPolicy
from app.messaging.quiet_hours import QUIET_CATEGORIES
from app.messaging.routes import session_routes
from app.messaging.suppressions import SUPPRESSIBLE, is_suppressed, suppressed_among, text_blocks
from app.messaging.templates import PreparedTemplate, SmsTemplates

log = logging.getLogger(__name__)

CATEGORIES = {"transactional": 0, "survey": 1, "reminder": 5, "marketing": 9}  # -> priority
# Statuses of texts that went, or may yet go, to the carrier: what the identical-text rule counts.
_COUNTED = ("queued", "sending", "sent", "delivered", "undelivered", "needs_reconciliation")

__all__ = ["CATEGORIES", "SUPPRESSIBLE", "TextItem", "is_suppressed", "latest_texts", "queue_text", "queue_texts",
           "sms_templates"]


@lru_cache(maxsize=8)
def sms_templates(signature: str = "【志高】", root: Path = PROJECT_ROOT / "sms_templates",
                  allow_urls: bool = False) -> SmsTemplates:
    """The shipped templates (cached: they are files that change only on deploy)."""
    return SmsTemplates(root, signature=signature, allow_urls=allow_urls)


@dataclass(frozen=True)
class TextItem:
    """One text of a batch for `queue_texts`: to whom, with what, and its own keys and time."""

    phone: str
    context: dict
    dedupe_key: str | None = None
    send_after: datetime | None = None
    ticket_id: int | None = None


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
    may not be sent (missing variable, link, too long). A batch of one of `queue_texts`.
    """
    item = TextItem(phone=phone, context=context, dedupe_key=dedupe_key, send_after=send_after, ticket_id=ticket_id)
    return queue_texts(session, [item], template=template, now=now, category=category, lang=lang,
                       signature=signature, policy=policy, new_keys=new_key)[0]


def queue_texts(session: Session, items: Sequence[TextItem], *, template: str, now: datetime,
                category: str = "transactional", lang: str = "zh", signature: str = "【志高】",
                policy: SendingPolicy | None = None, new_keys: bool = False) -> list[Message]:
    """Queue one text of `template` per item, in order, under the rules of `queue_text` (dedupe
    keys, refusals, blocked numbers, the identical-text limit, quiet hours), with a few queries
    and one flush for the whole batch: the campaign hand-over's path to a million texts.

    The template is prepared once per route of the batch and rendered per item with its context.
    An item whose `dedupe_key` exists (or came earlier in the batch) gets that row back; with
    `new_keys` the caller vouches no row holds them yet (see `queue_text`'s `new_key`). Raises
    TemplateError for a text that may not be sent; the caller's transaction then holds nothing."""
    if category not in CATEGORIES:
        raise ValueError(f"unknown text category {category!r}")
    if policy is None:
        routes, sign_name = session_routes(session)
        policy = SendingPolicy(signature=signature, routes=routes, aliyun_sign_name=sign_name)
    known = {} if new_keys else _existing(session, [item.dedupe_key for item in items if item.dedupe_key])
    fresh = [item for item in items if item.dedupe_key not in known]
    batch = _Refusals.read(session, {item.phone for item in fresh}, category, now, policy)
    renderers: dict[str, PreparedTemplate] = {}
    out: list[Message] = []
    added: list[Message] = []
    for item in items:
        if item.dedupe_key is not None and item.dedupe_key in known:
            out.append(known[item.dedupe_key])
            continue
        provider = policy.routes.backend_for(item.phone)
        if provider not in renderers:  # found and compiled once per route of the batch
            renderers[provider] = sms_templates(policy.signature_for(provider),
                                                allow_urls=policy.allow_urls).prepare(template, lang)
        rendered = renderers[provider].render(marketing=category == "marketing",
                                              opt_out=policy.routes.opt_out(item.phone),
                                              opt_out_key=policy.routes.opt_out_key(item.phone), **item.context)
        status, note = batch.verdict(item.phone, rendered.body, category, policy)
        params = None
        if provider == "aliyun" and status == "queued":
            try:
                _code, params = registry().registration(rendered.lang, template, item.context,
                                                        policy.aliyun_sign_name or "", rendered.body)
            except NotRegistered as exc:
                status, note = "refused", f"Alibaba can send registered templates only: {exc}"[:300]
        message = Message(
            direction="out", phone=item.phone, body=rendered.body, template=template, category=category,
            priority=CATEGORIES[category], status=status, error_message=note, ticket_id=item.ticket_id,
            dedupe_key=item.dedupe_key, attempts=0, created_at=now, send_after=item.send_after or now,
            segments=rendered.segments.segments, provider=policy.routes.recorded_for(item.phone),
            template_lang=rendered.lang, template_params=params,
        )
        session.add(message)
        batch.counted(item.phone, rendered.body, status)
        if item.dedupe_key is not None:
            known[item.dedupe_key] = message
        out.append(message)
        added.append(message)
    session.flush()
    for message in added:
        if message.status == "queued" and category in QUIET_CATEGORIES and policy.quiet_hours is not None:
            # The id spreads the morning's texts over the spread window (needs the flush above).
            message.send_after = policy.quiet_hours.release_time(message.send_after, message.id)
        elif message.status != "queued":
            log.info("text %s to %s not sent: %s", template, mask_phone(message.phone), message.status)
    return out


_CHUNK = 500  # numbers per IN (...) list: well inside every driver's limit on parameters


def _chunks(values: list) -> list[list]:
    return [values[i:i + _CHUNK] for i in range(0, len(values), _CHUNK)]


def _existing(session: Session, keys: list[str]) -> dict[str, Message]:
    """The rows already written under these dedupe keys."""
    found: dict[str, Message] = {}
    for chunk in _chunks(sorted(set(keys))):
        found.update((m.dedupe_key, m) for m in session.scalars(select(Message).where(Message.dedupe_key.in_(chunk))))
    return found


@dataclass
class _Refusals:
    """What a batch's numbers may not receive, read once: blocks, refusals, recent identical texts."""

    blocks: dict
    suppressed: set[str]
    identical: dict[tuple[str, str], int]

    @classmethod
    def read(cls, session: Session, phones: set[str], category: str, now: datetime,
             policy: SendingPolicy) -> "_Refusals":
        blocks, suppressed, identical = {}, set(), {}
        for chunk in _chunks(sorted(phones)):
            blocks.update(text_blocks(session, chunk))
            if category in SUPPRESSIBLE:
                suppressed |= suppressed_among(session, chunk)
            identical.update(((phone, body), count) for phone, body, count in session.execute(
                select(Message.phone, Message.body, func.count()).where(
                    Message.phone.in_(chunk), Message.direction == "out",
                    Message.created_at > now - policy.identical_window, Message.status.in_(_COUNTED))
                .group_by(Message.phone, Message.body)))
        return cls(blocks, suppressed, identical)

    def verdict(self, phone: str, body: str, category: str, policy: SendingPolicy) -> tuple[str, str | None]:
        """`queued` and no note, or why the text must not go."""
        block = self.blocks.get(phone)
        if block is not None:
            return "refused", f"no text can reach this number ({block.reason}, Twilio {block.error_code}): call instead"
        if category in SUPPRESSIBLE and phone in self.suppressed:
            return "suppressed", f"the number opted out: no {category} texts"
        identical = self.identical.get((phone, body), 0)
        if identical >= policy.identical_limit:
            hours = int(policy.identical_window.total_seconds() // 3600)
            return "refused", (f"would be identical text number {identical + 1} to this number within {hours} hours; "
                               f"carriers reject more than {policy.identical_limit}")
        return "queued", None

    def counted(self, phone: str, body: str, status: str) -> None:
        """A text of this batch counts toward the identical-text limit of the texts after it."""
        if status in _COUNTED:
            self.identical[(phone, body)] = self.identical.get((phone, body), 0) + 1


def latest_texts(session: Session, *, phone: str | None = None, limit: int = 20) -> list[Message]:
    """The newest outbound texts (to `phone`, an E.164 number, when given), newest first:
    what `sms outbox` shows, whatever became of them (queued, sent, refused...)."""
    query = select(Message).where(Message.direction == "out")
    if phone is not None:
        query = query.where(Message.phone == phone)
    return list(session.scalars(query.order_by(Message.created_at.desc(), Message.id.desc()).limit(limit)))
