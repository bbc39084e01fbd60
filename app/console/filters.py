"""What the console's templates format: masked numbers, times in business time, a ticket's changes."""
from __future__ import annotations

from datetime import datetime

from flask_babel import get_locale

from app.console import console
from app.console.actions import shown_phone
from app.web import business_tz


@console.app_template_filter("masked")
def masked(e164: str | None) -> str:
    return shown_phone(e164)


@console.app_template_filter("local")
def local(value: datetime | str | None) -> str:
    """A time as staff read it: business time to the minute (ISO text from a presenter is parsed first)."""
    if value is None or value == "":
        return "—"
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.astimezone(business_tz()).strftime("%Y-%m-%d %H:%M")


@console.app_template_filter("utc_iso")
def utc_iso(value: datetime) -> str:
    """The instant for the countdown script (milliseconds since the epoch would do as well)."""
    return value.isoformat()


@console.app_template_global("html_lang")
def html_lang() -> str:
    locale = get_locale()
    return "en" if locale is not None and locale.language == "en" else "zh-CN"
