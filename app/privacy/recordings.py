"""Call recordings are kept for a set time only (P-PRIV-3): past RECORDING_RETENTION_DAYS each one
is deleted at Twilio, and the link to it in the ticket and the call is replaced by a note saying so.
A recording Twilio no longer has counts as deleted; one it fails to delete stays linked and is
tried again on the next run.
"""
from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import String, cast, select
from sqlalchemy.orm import Session

from app.ivr.models import IvrCall
from app.tickets.models import Ticket

log = logging.getLogger(__name__)

RECORDING_URL = re.compile(r"https?://[^\s，。；]*/Recordings/(RE[0-9a-fA-F]{32})[^\s，。；]*")
DELETED_NOTE = "（录音已按保留期删除）"


@dataclass
class RetentionResult:
    deleted: int = 0
    failed: int = 0


def _scrubbed(text: str, delete: Callable[[str], None], result: RetentionResult, done: dict[str, bool]) -> str:
    def replace(match: re.Match) -> str:
        sid = match.group(1)
        if sid not in done:
            try:
                delete(sid)
                done[sid] = True
                result.deleted += 1
            except Exception as exc:  # the link stays, and the next run tries again
                log.warning("recording %s could not be deleted: %s", sid, exc)
                done[sid] = False
                result.failed += 1
        return DELETED_NOTE if done[sid] else match.group(0)

    return RECORDING_URL.sub(replace, text)


def expire_recordings(session: Session, *, now: datetime, retention: timedelta,
                      delete: Callable[[str], None]) -> RetentionResult:
    """Delete the recordings of tickets and calls older than `retention`; the caller commits."""
    cutoff, result, done = now - retention, RetentionResult(), {}
    for ticket in session.scalars(select(Ticket).where(Ticket.created_at < cutoff,
                                                       Ticket.summary.contains("/Recordings/RE"))):
        ticket.summary = _scrubbed(ticket.summary, delete, result, done)
    for call in session.scalars(select(IvrCall).where(IvrCall.started_at < cutoff,
                                                      cast(IvrCall.data, String).contains("/Recordings/RE"))):
        variables = (call.data or {}).get("vars") or {}
        stale = {k: v for k, v in variables.items() if isinstance(v, str) and RECORDING_URL.search(v)}
        if stale:
            call.data = {**call.data, "vars": {**variables, **{k: _scrubbed(v, delete, result, done)
                                                                for k, v in stale.items()}}}
    session.flush()
    return result
