"""Whether a person can take a call now: staffed hours (business time) and configured phones."""
from __future__ import annotations

from datetime import datetime
from datetime import tzinfo as TzInfo

from app.daily_window import DailyWindow


def parse_hours(raw: str) -> DailyWindow | None:
    """ "08:00-20:00" -> that window; "" -> None (never staffed); "20:00-08:00" runs past midnight."""
    if not (raw or "").strip():
        return None
    return DailyWindow.parse(raw, "staffed hours")


def is_staffed(hours: str, staff_numbers: tuple[str, ...], now: datetime, tz: TzInfo) -> bool:
    """True when `now` falls in the staffed hours and there is at least one phone to ring."""
    window = parse_hours(hours)
    if window is None or not staff_numbers:
        return False
    return window.contains(now.astimezone(tz).time())
