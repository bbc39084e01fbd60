"""Which hotline a call is for and who is calling, from what Twilio posts.

The dialled number picks the flow: `ForwardedFrom` when the carrier forwarded a 400 number to a
Twilio number, else `To`; the mapping is configuration (Settings.hotlines, HOTLINE_NUMBERS).
"""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from functools import lru_cache

from app.customers.phone_numbers import InvalidPhoneNumber, mask_phone, normalise_phone

log = logging.getLogger(__name__)
CALL_SID = re.compile(r"CA[0-9a-fA-F]{32}")
MAX_FIELD = 200


@dataclass(frozen=True)
class CallParams:
    """The fields of a Twilio voice webhook the IVR reads, cut to sane lengths."""

    call_sid: str
    from_: str = ""
    to: str = ""
    forwarded_from: str = ""
    direction: str = ""
    call_status: str = ""
    digits: str = ""
    speech: str = ""
    recording_url: str = ""
    recording_seconds: int = 0
    dial_status: str = ""

    @classmethod
    def from_form(cls, form) -> "CallParams":
        def get(name: str, limit: int = MAX_FIELD) -> str:
            value = form.get(name, "")
            return value[:limit] if isinstance(value, str) else ""

        try:
            seconds = int(get("RecordingDuration", 10) or 0)
        except ValueError:
            seconds = 0
        recording = get("RecordingUrl", 400)
        if not recording.startswith(("https://", "http://")):
            recording = ""
        # Digits longer than any keypad entry are kept just long enough to be refused as wrong input.
        return cls(call_sid=get("CallSid", 64), from_=get("From", 64), to=get("To", 64),
                   forwarded_from=get("ForwardedFrom", 64), direction=get("Direction", 32),
                   call_status=get("CallStatus", 32), digits=get("Digits", 64), speech=get("SpeechResult", 500),
                   recording_url=recording, recording_seconds=seconds, dial_status=get("DialCallStatus", 32))

    @property
    def sid_ok(self) -> bool:
        return bool(CALL_SID.fullmatch(self.call_sid))


@lru_cache(maxsize=256)
def _e164(raw: str) -> str | None:
    try:
        return normalise_phone(raw).e164
    except InvalidPhoneNumber:
        return None


def hotline_for(hotlines: dict[str, str], default: str, *, to: str, forwarded_from: str = "") -> str:
    """The product line of the dialled hotline: ForwardedFrom first, then To, as written or as E.164."""
    for raw in (forwarded_from, to):
        raw = (raw or "").strip()
        if not raw:
            continue
        line = hotlines.get(raw) or hotlines.get(_e164(raw) or "")
        if line:
            return line
    log.warning("no hotline is configured for To=%s ForwardedFrom=%s; answering as %s",
                mask_phone(to), mask_phone(forwarded_from), default)
    return default


@lru_cache(maxsize=4096)  # callers call again; parsing a number is the dearest part of a welcome
def caller_number(raw: str) -> str | None:
    """The caller's number as E.164, or None when withheld ("anonymous", "+266696687") or not a number."""
    raw = (raw or "").strip()
    if not raw or len(raw) > 32:
        return None
    try:
        return normalise_phone(raw).e164
    except InvalidPhoneNumber:
        return None
