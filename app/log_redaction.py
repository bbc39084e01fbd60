"""Keep phone numbers and tokens out of every log line, tracebacks included (P-PRIV-4).

Masking happens where each record is made (the logging module's record factory), not in a filter
on some loggers: a filter on `app` never sees the records of `app.api.errors`, and a handler's
filter runs before its formatter renders the traceback. So the factory renders the message and
the traceback once, masked, and every handler of every logger writes that text. SQL parameters
never reach a message at all (the engines are made with `hide_parameters`), and PostgreSQL's
DETAIL line, which quotes the failing row, is dropped.
"""
from __future__ import annotations

import logging
import re
import traceback

from app.customers.phone_numbers import mask_phone

# 11+ digits, optionally with +, spaces or dashes, or URL-encoded plus (%2B): E.164 or national forms.
_PHONE_SHAPED = re.compile(r"(?:\+|%2B)?\d(?:[\d \-]{9,18})\d")
# A bearer token, a `token=` query parameter (push endpoints), a Twilio auth token in a setting.
_TOKEN_SHAPED = re.compile(r"(?i)(bearer\s+|[?&]token=|auth_token['\"]?\s*[:=]\s*['\"]?)[^\s&'\",]+")
# PostgreSQL's own error detail quotes the row or key ("Failing row contains (..., +86139..., 空调...)").
_SERVER_DETAIL = re.compile(r"^(DETAIL:\s*).*$", re.MULTILINE)
REDACTED = "[redacted]"


def redact(text: str) -> str:
    """`text` with every phone-shaped run masked and every token-shaped value replaced."""
    text = _TOKEN_SHAPED.sub(lambda m: m.group(1) + REDACTED, text)
    text = _SERVER_DETAIL.sub(lambda m: m.group(1) + REDACTED, text)
    return _PHONE_SHAPED.sub(lambda m: mask_phone(m.group(0).replace("%2B", "+")), text)


def redact_record(record: logging.LogRecord) -> logging.LogRecord:
    """Render `record`'s message and traceback masked, so no formatter renders them unmasked."""
    try:
        message = record.getMessage()
    except Exception:  # a broken format string is the caller's bug; mask what there is
        message = str(record.msg)
    redacted = redact(message)
    if redacted != message or record.args:
        record.msg, record.args = redacted, None
    if record.exc_info and record.exc_info[0] is not None and not record.exc_text:
        record.exc_text = redact("".join(traceback.format_exception(*record.exc_info)).rstrip("\n"))
    if record.stack_info:
        record.stack_info = redact(record.stack_info)
    return record


class PhoneRedactingFilter(logging.Filter):
    """For handlers fed records made elsewhere (another process's queue): masks as the factory does."""

    def filter(self, record: logging.LogRecord) -> bool:
        redact_record(record)
        return True


_made_by_logging = logging.getLogRecordFactory()


def _redacting_factory(*args, **kwargs) -> logging.LogRecord:
    return redact_record(_made_by_logging(*args, **kwargs))


def install() -> None:
    """Mask every record this process makes from now on (idempotent)."""
    if logging.getLogRecordFactory() is not _redacting_factory:
        logging.setLogRecordFactory(_redacting_factory)
