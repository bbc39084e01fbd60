"""A window of each day in business time, such as staffed hours or quiet hours.

One reading of "HH:MM-HH:MM" and one rule for "inside": the window includes its start and
excludes its end, and a window that ends before it starts runs past midnight (20:00-08:00).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta

_WINDOW = re.compile(r"([01]\d|2[0-3]):([0-5]\d)\s*-\s*([01]\d|2[0-4]):([0-5]\d)")


@dataclass(frozen=True)
class DailyWindow:
    """[start, end) each day; `end` is `time.max` for a window that runs to 24:00."""

    start: time
    end: time

    @classmethod
    def parse(cls, raw: str, what: str = "the window") -> "DailyWindow":
        """ "08:00-20:00" -> 08:00 to 20:00; "00:00-24:00" is the whole day. Raises ValueError naming `what`."""
        text = (raw or "").strip()
        match = _WINDOW.fullmatch(text)
        if not match or (match.group(3) == "24" and match.group(4) != "00"):
            raise ValueError(f"{what} must read HH:MM-HH:MM (e.g. 08:00-20:00), not {raw!r}")
        h1, m1, h2, m2 = (int(g) for g in match.groups())
        return cls(time(h1, m1), time.max if h2 == 24 else time(h2, m2))

    def contains(self, local: time) -> bool:
        """True when the local time of day `local` falls inside the window."""
        if self.start <= self.end:
            return self.start <= local < self.end
        return local >= self.start or local < self.end

    def end_after(self, local: datetime) -> datetime:
        """The end of the window that the local datetime `local` is in (call only when inside)."""
        day = local.date()
        if local.time() >= self.end and self.start > self.end:
            day += timedelta(days=1)  # evening: the window ends tomorrow
        return datetime.combine(day, self.end, tzinfo=local.tzinfo)
