"""Keep phone numbers out of logs: a filter that masks anything shaped like one.

Request lines (werkzeug's access log) carry `?phone=...`; masking at the log record is the one
place that also catches numbers a future log call forgets to mask.
"""
from __future__ import annotations

import logging
import re

from app.customers.phone_numbers import mask_phone

# 11+ digits, optionally with +, spaces or dashes, or URL-encoded plus (%2B): E.164 or national forms.
_PHONE_SHAPED = re.compile(r"(?:\+|%2B)?\d(?:[\d \-]{9,18})\d")


def redact(text: str) -> str:
    """`text` with every phone-shaped run masked."""
    return _PHONE_SHAPED.sub(lambda m: mask_phone(m.group(0).replace("%2B", "+")), text)


class PhoneRedactingFilter(logging.Filter):
    """Rewrites a record's message with phone numbers masked (never drops the record)."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string is the caller's bug; leave the record alone
            return True
        redacted = redact(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        return True


def install(loggers: tuple[str, ...] = ("werkzeug", "gunicorn.access", "gunicorn.error", "app", "scheduler")) -> None:
    """Attach the filter once to each named logger (idempotent)."""
    for name in loggers:
        logger = logging.getLogger(name)
        if not any(isinstance(f, PhoneRedactingFilter) for f in logger.filters):
            logger.addFilter(PhoneRedactingFilter())
