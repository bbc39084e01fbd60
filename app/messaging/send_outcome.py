"""What became of one attempt to send a text; the kinds are described in backends.py."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SendOutcome:
    """What became of one attempt to send (see the module docstring for the kinds)."""

    kind: str
    sid: str | None = None
    twilio_status: str | None = None
    error_code: int | None = None
    error_message: str | None = None
    provider_ref: str | None = None  # Alibaba's BizId
    refusal: str | None = None  # what a provider's refusal says about the number: unsubscribed, invalid
