"""Where texts go: the `log` backend (recorded as sent, nothing leaves the machine), Twilio, or
Alibaba Cloud SMS (aliyun_backend.py), several of them by route (`RoutedBackend`, SMS_ROUTES).

Every backend sends a group of claimed texts in one call (`send_group`: one text for Twilio and
the log, up to a SendBatchSms for Alibaba) and tells which backend serves a text (`for_text`).

A backend turns one send into a `SendOutcome` whose `kind` decides what the dispatcher does:

- `sent`: Twilio has the text (sid and first status kept);
- `retry`: proved not created (HTTP 429 / 20429, a 30003 at create, or no connection made):
  try again later with backoff;
- `failed`: refused for good (21610, 21211, 21614, 30006 or any other 4xx): never again;
- `unknown`: the request may have created the text (HTTP 5xx, timeout, cut connection):
  reconciliation looks for it at Twilio before anything is resent;
- `halt`: our configuration is wrong (credentials, account): the text goes back to the queue
  untouched and the dispatcher stops.
"""
from __future__ import annotations

import logging
from datetime import datetime

from app.config import Settings
from app.customers.phone_numbers import mask_phone
from app.integrations.twilio_gateway import (
    ListedMessage,
    TwilioSendError,
    make_twilio_client,
    messages_created_since,
    send_sms,
)
from app.messaging.aliyun_backend import AliyunBackend
from app.messaging.claims import ClaimedText
from app.messaging.send_outcome import SendOutcome
from app.messaging.pacing import Sender
from app.messaging.routes import SmsRoutes
from app.messaging.suppressions import PERMANENT_CODES

log = logging.getLogger(__name__)

_PROVED_NOT_CREATED = frozenset({20429, 30003})
_CONFIGURATION_STATUSES = frozenset({401, 403, 404})


def outcome_of_error(error: TwilioSendError) -> SendOutcome:
    """Classify a refused or unanswered create."""
    message = str(error)[:300]
    if error.code in PERMANENT_CODES:
        kind = "failed"
    elif error.code in _PROVED_NOT_CREATED or error.status == 429:
        kind = "retry"
    elif error.status == 0:
        kind = "unknown" if error.ambiguous else "retry"  # not ambiguous: no connection was made
    elif error.status >= 500:
        kind = "unknown"  # Twilio may have created it before failing: not idempotent
    elif error.status in _CONFIGURATION_STATUSES:
        kind = "halt"
    else:
        kind = "failed"
    return SendOutcome(kind, error_code=error.code, error_message=message)


class LogBackend:
    """Records texts as sent; nothing leaves the machine, so nothing can be lost in between."""

    name = "log"
    can_look_up = False
    paced = True

    def for_text(self, text: ClaimedText) -> "LogBackend":
        """One backend serves every text."""
        return self

    def send_group(self, texts: list[ClaimedText]) -> list[SendOutcome]:
        """Texts are sent one at a time."""
        return [self.send(text.phone, text.body) for text in texts]

    def send(self, phone: str, body: str) -> SendOutcome:
        """Record the text as sent (only its length is logged)."""
        log.info("SMS (log backend) to %s: %d characters", mask_phone(phone), len(body))
        return SendOutcome("sent", twilio_status="sent")

    def created_since(self, phone: str, since: datetime) -> list[ListedMessage]:
        """Nothing is ever created anywhere."""
        return []


class TwilioBackend:
    """Sends through the real SDK (`messages.create`) with our status callback URL."""

    name = "twilio"
    can_look_up = True
    paced = True  # by the configured Twilio sender (pacing.py)

    def __init__(self, settings: Settings, sender: Sender, *, timeout: float) -> None:
        self.client = make_twilio_client(settings.twilio_account_sid, settings.twilio_auth_token,
                                         api_url=settings.twilio_api_url, timeout=timeout)
        self.sender = sender
        base = settings.public_base_url
        self.status_callback = f"{base}/twilio/sms/status" if base else None
        if not base:
            log.warning("PUBLIC_BASE_URL is not set: texts are sent without a status callback")

    def send(self, phone: str, body: str) -> SendOutcome:
        """One `messages.create`, classified; never raises for Twilio's or the network's failures."""
        try:
            sent = send_sms(self.client, to=phone, body=body, from_=self.sender.from_,
                            messaging_service_sid=self.sender.messaging_service_sid,
                            status_callback=self.status_callback)
        except TwilioSendError as exc:
            outcome = outcome_of_error(exc)
            shown = str(exc).replace(phone, mask_phone(phone)).replace(phone.lstrip("+"), mask_phone(phone))
            log.warning("SMS to %s: %s -> %s", mask_phone(phone), shown, outcome.kind)
            return outcome
        return SendOutcome("sent", sid=sent.sid, twilio_status=sent.status, error_code=sent.error_code)

    def created_since(self, phone: str, since: datetime) -> list[ListedMessage]:
        """Messages Twilio created to `phone` since `since` (raises TwilioSendError)."""
        return messages_created_since(self.client, to=phone, since=since)

    def for_text(self, text: ClaimedText) -> "TwilioBackend":
        """One backend serves every text."""
        return self

    def send_group(self, texts: list[ClaimedText]) -> list[SendOutcome]:
        """Texts are sent one at a time (`messages.create` takes one)."""
        return [self.send(text.phone, text.body) for text in texts]


class RoutedBackend:
    """Several backends, each text to the one its row names (`messages.provider`, from SMS_ROUTES)."""

    can_look_up = True

    def __init__(self, backends: dict, default: str) -> None:
        self.backends, self.default = backends, default
        self.name = default

    def for_text(self, text: ClaimedText):
        """The backend of the text's route; rows queued before the routes were set go the default way."""
        return self.backends.get(text.provider or "", self.backends[self.default])

    def send_group(self, texts: list[ClaimedText]) -> list[SendOutcome]:
        """A group always shares one route (dispatch.py groups by it)."""
        return self.for_text(texts[0]).send_group(texts)


def _single(name: str, settings: Settings, sender: Sender, timeout: float):
    if name == "twilio":
        return TwilioBackend(settings, sender, timeout=timeout)
    if name == "aliyun":
        return AliyunBackend(settings, timeout=timeout)
    return LogBackend()


def make_backend(settings: Settings, sender: Sender, *, timeout: float):
    """The backend SMS_BACKEND names, or one per route when SMS_ROUTES names several."""
    routes = SmsRoutes.from_settings(settings)
    names = routes.backends() | {settings.sms_backend}
    if len(names) == 1:
        return _single(settings.sms_backend, settings, sender, timeout)
    default = routes.backend_for("*") if any(p == "*" for p, _b in settings.sms_routes) else settings.sms_backend
    return RoutedBackend({name: _single(name, settings, sender, timeout) for name in names}, default or "log")
