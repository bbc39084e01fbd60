"""Whether a person can take a call now: staffed hours (business time) and configured phones."""
from __future__ import annotations

import re
from datetime import datetime, time
from datetime import tzinfo as TzInfo

_HOURS = re.compile(r"([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-4]):([0-5]\d)")


def parse_hours(raw: str) -> tuple[time, time] | None:
    """ "08:00-20:00" -> (08:00, 20:00); "" -> None (never staffed); "20:00-08:00" runs past midnight."""
    raw = (raw or "").strip()
    if not raw:
        return None
    match = _HOURS.fullmatch(raw)
    if not match:
        raise ValueError(f"staffed hours must read HH:MM-HH:MM (e.g. 08:00-20:00), not {raw!r}")
    h1, m1, h2, m2 = (int(g) for g in match.groups())
    if h2 == 24 and m2 != 0:
        raise ValueError(f"staffed hours: 24:{m2:02d} is not a time")
    end = time.max if h2 == 24 else time(h2, m2)
    return time(h1, m1), end


def is_staffed(hours: str, staff_numbers: tuple[str, ...], now: datetime, tz: TzInfo) -> bool:
    """True when `now` falls in the staffed hours and there is at least one phone to ring."""
    window = parse_hours(hours)
    if window is None or not staff_numbers:
        return False
    start, end = window
    local = now.astimezone(tz).time()
    if start <= end:
        return start <= local < end
    return local >= start or local < end  # e.g. 20:00-08:00
