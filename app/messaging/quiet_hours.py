"""Quiet hours: no reminder or marketing text between 20:00 and 08:00 business time.

Chinese carriers refuse marketing at night and customers mind reminders then. A text queued in
the quiet window waits for the morning, each at its own minute of the first hour (a
deterministic spread by message id), so the morning does not start with every text at 08:00:00.
Transactional texts and surveys are not held.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from app.daily_window import DailyWindow

# The categories quiet hours hold back (outbox.CATEGORIES names them).
QUIET_CATEGORIES = frozenset({"reminder", "marketing"})

# Multiples of the golden ratio (mod 1) spread consecutive ids evenly over the window.
_GOLDEN = 0.6180339887498949


@dataclass(frozen=True)
class QuietHours:
    """A nightly window [start, end) in `tz`; a window that ends before it starts runs past midnight."""

    start: time = time(20, 0)
    end: time = time(8, 0)
    tz: str = "Asia/Shanghai"
    spread: timedelta = timedelta(hours=1)

    @classmethod
    def parse(cls, text: str, tz: str = "Asia/Shanghai", spread_minutes: int = 60) -> "QuietHours | None":
        """Read "HH:MM-HH:MM" (SMS_QUIET_HOURS); "" or "off" means no quiet hours (None)."""
        text = (text or "").strip()
        if text.lower() in ("", "off", "none"):
            return None
        window = DailyWindow.parse(text, "SMS_QUIET_HOURS")
        if window.start == window.end:
            raise ValueError("SMS_QUIET_HOURS start and end must differ")
        return cls(start=window.start, end=window.end, tz=tz, spread=timedelta(minutes=spread_minutes))

    @property
    def window(self) -> DailyWindow:
        return DailyWindow(self.start, self.end)

    def is_quiet(self, when: datetime) -> bool:
        """True when `when` falls inside the window."""
        return self.window.contains(when.astimezone(ZoneInfo(self.tz)).time())

    def morning_after(self, when: datetime) -> datetime:
        """The end of the window that `when` is in (call only when `is_quiet(when)`)."""
        return self.window.end_after(when.astimezone(ZoneInfo(self.tz)))

    def release_time(self, when: datetime, message_id: int) -> datetime:
        """When a quiet-category text due at `when` may go: `when` itself outside the window,
        else the window's end plus this message's share of the spread."""
        if not self.is_quiet(when):
            return when
        seconds = int(self.spread.total_seconds())
        offset = int((message_id * _GOLDEN) % 1.0 * seconds)
        return self.morning_after(when) + timedelta(seconds=offset)
