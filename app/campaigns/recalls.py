"""A recall's answers (P-CARE-3): an owner who texts 1 or 预约 back, or presses 1 in the recall call,
gets a repair ticket linked to the recall, once however often they answer.

The call's wording is data (`voice_prompts/recall.toml`); `call_words` renders it for one
recipient. The link is the recipient row's `ticket_id`; the ticket's idempotency key names the
recall and the row, so two answers at once (a text and a key) still make one ticket.
"""
from __future__ import annotations

import re
import tomllib
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from pathlib import Path

from jinja2 import Environment, StrictUndefined
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from app.campaigns.models import Campaign, CampaignRecipient
from app.campaigns.texts import compile_text, context_for, render_body
from app.config import PROJECT_ROOT
from app.messaging.models import Message
from app.tickets.models import Ticket
from app.tickets.services import NewTicket, create_ticket
from app.units.models import Unit

PROMPTS_FILE = PROJECT_ROOT / "voice_prompts" / "recall.toml"
PROMPT_KEYS = ("intro", "body", "prompt", "booked", "not_booked")
# The words that ask for the repair: what the recall text says (1, 预约) and what people also write.
ANSWER_WORDS = frozenset({"1", "预约", "预约维修", "维修", "我要预约"})
# A reply counts as an answer to a recall this long after its text or call.
REPLY_WINDOW = timedelta(days=60)
_NOISE = re.compile(r"[\s,.!?;:，。！？；：、~～]+")
_ENV = Environment(undefined=StrictUndefined, autoescape=False)


@dataclass(frozen=True)
class CallWords:
    """What the recall call says: the message inside the <Gather>, and the endings."""

    language: str
    message: str
    not_booked: str
    booked_template: str

    def booked(self, ticket_number: str) -> str:
        return _ENV.from_string(self.booked_template).render(ticket_number=ticket_number)


@lru_cache(maxsize=4)
def prompts(path: Path = PROMPTS_FILE) -> dict:
    """The call's wording file, read once per process (it changes only on deploy)."""
    with path.open("rb") as handle:
        data = tomllib.load(handle)
    missing = [key for key in PROMPT_KEYS if not isinstance(data.get(key), str)]
    if missing:
        raise ValueError(f"{path}: missing {', '.join(missing)}")
    return data


def is_answer(body: str) -> bool:
    """True when the whole text asks for the repair (half- or full-width, stray punctuation)."""
    return _NOISE.sub("", unicodedata.normalize("NFKC", body or "")).lower() in ANSWER_WORDS


def call_words(session: Session, recipient: CampaignRecipient, path: Path = PROMPTS_FILE) -> CallWords:
    """The recall call's wording for this recipient's unit, the campaign's own text in the middle."""
    data = prompts(path)
    campaign = session.get(Campaign, recipient.campaign_id)
    unit = session.get(Unit, recipient.unit_id)
    context = context_for(campaign.kind, unit.product_line, unit.serial)
    context["body"] = render_body(compile_text(campaign.template), campaign.kind, unit.product_line, unit.serial)
    spoken = [_ENV.from_string(data[key]).render(**context) for key in ("intro", "body", "prompt")]
    return CallWords(language=data.get("language", "zh-CN"), message="".join(spoken),
                     not_booked=_ENV.from_string(data["not_booked"]).render(**context),
                     booked_template=data["booked"])


def answer_recall(session: Session, recipient: CampaignRecipient, *, channel: str, now: datetime,
                  signature: str = "【志高】") -> Ticket:
    """The repair ticket for the recalled unit, created on the first answer and linked to the
    recipient row; a later answer returns the same ticket. The caller commits."""
    if recipient.ticket_id is not None:
        return session.get(Ticket, recipient.ticket_id)
    unit = session.get(Unit, recipient.unit_id)
    request = NewTicket(kind="repair", product_line=unit.product_line, phone=recipient.phone, serial=unit.serial,
                        summary=f"召回检修（{'短信回复' if channel == 'sms' else '来电按键'}）机身尾号{unit.serial[-4:]}",
                        source=channel, idempotency_key=f"recall:{recipient.campaign_id}:{recipient.id}")
    ticket = create_ticket(session, request, actor=f"customer:{channel}", now=now, signature=signature).ticket
    recipient.ticket_id, recipient.answered_at = ticket.id, now
    recipient.reached_at = recipient.reached_at or now
    session.flush()
    return ticket


def recall_for_reply(session: Session, phone: str, now: datetime) -> CampaignRecipient | None:
    """The latest recall that texted or called `phone` within the reply window, unless a survey
    asked the number something since (then a 1 is that survey's rating)."""
    since = now - REPLY_WINDOW
    contacted = or_(CampaignRecipient.queued_at >= since, CampaignRecipient.called_at >= since)
    recipient = session.scalar(
        select(CampaignRecipient).join(Campaign, Campaign.id == CampaignRecipient.campaign_id)
        .where(CampaignRecipient.phone == phone, Campaign.kind == "recall", contacted,
               or_(CampaignRecipient.status == "queued", CampaignRecipient.call_sid.is_not(None)))
        .order_by(CampaignRecipient.id.desc()).limit(1))
    if recipient is None:
        return None
    contacted_at = max(t for t in (recipient.queued_at, recipient.called_at) if t is not None)
    survey_since = session.scalar(select(Message.id).where(
        Message.phone == phone, Message.direction == "out", Message.template.like("survey%"),
        Message.created_at > contacted_at).limit(1))
    return None if survey_since is not None else recipient


def recall_reply_handler(signature: str = "【志高】"):
    """The SMS reply handler (app.messaging.inbound): 1 or 预约 after a recall logs the repair."""

    def answer_recall_by_text(session: Session, inbound) -> bool:
        if not is_answer(inbound.body):
            return False
        recipient = recall_for_reply(session, inbound.phone, inbound.now)
        if recipient is None:
            return False
        answer_recall(session, recipient, channel="sms", now=inbound.now, signature=signature)
        return True

    return answer_recall_by_text


def recipient_for_call(session: Session, recipient_id: int | None, call_sid: str) -> CampaignRecipient | None:
    """The recall row a call's webhook names (`?r=`), when it is a recall's and the CallSid is its own
    (or not yet recorded: Twilio may ask for the TwiML before the create's answer is committed)."""
    if recipient_id is None or not 1 <= recipient_id <= 2**31 - 1:
        return None
    recipient = session.get(CampaignRecipient, recipient_id)
    if recipient is None or recipient.call_sid not in (None, call_sid):
        return None
    campaign = session.get(Campaign, recipient.campaign_id)
    return recipient if campaign.kind == "recall" else None


def call_picked_up(session: Session, recipient: CampaignRecipient, *, now: datetime) -> None:
    """Twilio asked for the call's TwiML: someone picked up, the owner was reached."""
    recipient.reached_at = recipient.reached_at or now
    session.flush()
