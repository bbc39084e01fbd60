"""The kinds of campaign and the rules each is sent under (P-PRIV-1, 2, 5), as one table.

- service notices (pre-season warnings, power-off reminders): the `reminder` category; registered
  mobiles without consent; refusals honoured; quiet hours; the frequency cap;
- marketing (the cleaning drive, `custom` promotions): recorded consent only (P-PRIV-1), the
  route's refusal wording (P-PRIV-2), quiet hours and the frequency cap (P-PRIV-5);
- recalls: safety notices that must reach every owner: no cap, no consent, a refusal of texts
  does not leave the owner out (the recipient is marked `needs_call`); quiet hours still hold.
"""
from __future__ import annotations

from dataclasses import dataclass

from app.messaging.routes import opt_out_wording


@dataclass(frozen=True)
class Kind:
    name: str
    category: str  # the outbox category its texts are queued under
    needs_consent: bool
    capped: bool  # counts toward, and is held by, the frequency cap
    safety: bool = False  # a refusal or a missing mobile makes a call, not an exclusion


KINDS: dict[str, Kind] = {k.name: k for k in (
    Kind("pre_season_cooling", "reminder", needs_consent=False, capped=True),
    Kind("pre_season_heating", "reminder", needs_consent=False, capped=True),
    Kind("idle_poweroff", "reminder", needs_consent=False, capped=True),
    Kind("cleaning_drive", "marketing", needs_consent=True, capped=True),
    Kind("custom", "marketing", needs_consent=True, capped=True),
    Kind("recall", "transactional", needs_consent=False, capped=False, safety=True),
)}

def refusal_line(route: str = "twilio") -> str:
    """How a marketing text on `route` says to refuse (P-PRIV-2), as the routes word it."""
    return opt_out_wording(route)[0]
