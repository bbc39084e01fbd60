"""`fallback_replay`: every caller the voice fallback spooled becomes a callback ticket, once.

Two kinds of line: a caller (the fallback URL, or a step whose database failed), which becomes a
callback ticket; and a call's final status callback that found the database gone, which is taken
now as it would have been then (`call_ended` as of the line's time: a callback ticket only when the
call still owed the caller something).

Each spooled line is settled in its own transaction, under an idempotency key: the call's own
callback key (`call:<CallSid>:callback`, the one the call's status callback would use), or the
line's key when Twilio gave no valid CallSid. A drain interrupted halfway (the database going away
again, the process killed) replays its whole batch later, and the lines already settled find their
ticket and make no second one.
"""
from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from app.customers.phone_numbers import mask_phone
from app.database import Database
from app.errors import ValidationFailed
from app.escalations.services import raise_escalation
from app.fallback.spool import append, drain
from app.ivr.calls import Runtime
from app.ivr.endings import FINAL_STATUSES, call_ended
from app.ivr.flows import load_flows
from app.ivr.routing import CALL_SID, CallParams, caller_number, hotline_for
from app.tickets.services import NewTicket, create_ticket

log = logging.getLogger(__name__)
SUMMARY = "来电时系统故障，来电人已听到致歉并等待回电（{at}）。通话{call_sid}"


@dataclass
class ReplayResult:
    callers: int = 0
    tickets: int = 0  # new callback tickets
    already: int = 0  # lines whose ticket existed (a replayed batch, or the call's own callback)
    to_staff: int = 0  # no usable number: a task in the staff inbox instead
    hang_ups: int = 0  # status callbacks taken late
    busy: bool = False  # another process was draining the spool


def spool_caller(spool, form, *, now: datetime) -> None:
    """Append the caller of a failed webhook (the fallback's form) to the spool."""
    append(spool, {"key": uuid.uuid4().hex, "at": now.isoformat(), "call_sid": form.get("CallSid", "")[:64],
                   "from": form.get("From", "")[:64], "to": form.get("To", "")[:64],
                   "forwarded_from": form.get("ForwardedFrom", "")[:64]})


def spool_hang_up(spool, params: CallParams, *, now: datetime) -> bool:
    """Append a call's final status callback that could not be taken; False when there is nothing to keep."""
    if not params.sid_ok or params.call_status not in FINAL_STATUSES:
        return False
    append(spool, {"kind": "status", "key": uuid.uuid4().hex, "at": now.isoformat(), "call_sid": params.call_sid,
                   "from": params.from_, "to": params.to, "forwarded_from": params.forwarded_from,
                   "direction": params.direction, "call_status": params.call_status})
    return True


def _key(entry: dict) -> str:
    sid = str(entry.get("call_sid") or "")
    return f"call:{sid}:callback" if CALL_SID.fullmatch(sid) else f"fallback:{str(entry.get('key'))[:40]}"


def _settle(session, entry: dict, settings, now: datetime, result: ReplayResult) -> None:
    line = hotline_for(settings.hotlines, settings.ivr_default_hotline, to=str(entry.get("to") or ""),
                       forwarded_from=str(entry.get("forwarded_from") or ""))
    summary = SUMMARY.format(at=entry.get("at", ""), call_sid=entry.get("call_sid") or "-")
    phone = caller_number(str(entry.get("from") or ""))
    if phone:
        request = NewTicket(kind="callback", product_line=line, phone=phone, summary=summary, source="ivr",
                            idempotency_key=_key(entry))
        try:
            made = create_ticket(session, request, actor="ivr", now=now, signature=settings.sms_signature)
        except ValidationFailed as exc:
            log.warning("fallback caller %s: callback ticket refused: %s", mask_phone(phone), exc.message)
        else:
            if made.created:
                result.tickets += 1
            else:
                result.already += 1
            return
    raise_escalation(session, reason="ivr_no_callback_number", queue="staff_inbox", now=now,
                     dedupe_key=_key(entry).replace(":callback", ":no_number"), detail=summary)
    result.to_staff += 1


def _hang_up(session, entry: dict, settings, now: datetime, flows) -> None:
    try:
        at = datetime.fromisoformat(str(entry.get("at")))
    except ValueError:
        at = now
    params = CallParams(call_sid=str(entry.get("call_sid", "")), from_=str(entry.get("from", "")),
                        to=str(entry.get("to", "")), forwarded_from=str(entry.get("forwarded_from", "")),
                        direction=str(entry.get("direction", "")), call_status=str(entry.get("call_status", "")))
    if params.sid_ok:
        call_ended(session, Runtime(flows=flows(), settings=settings, now=at, tz=ZoneInfo(settings.tz_name)), params)


def replay_spool(database: Database, settings, *, now: datetime) -> ReplayResult:
    """Turn the spooled callers into callback tickets; raises (keeping the batch) when the database fails."""
    result = ReplayResult()
    loaded = []

    def flows():
        if not loaded:
            loaded.append(load_flows(settings.ivr_flows_dir))
        return loaded[0]

    def replay(entries: list[dict]) -> None:
        for entry in entries:
            with database.session() as session:
                if entry.get("kind") == "status":
                    _hang_up(session, entry, settings, now, flows)
                    result.hang_ups += 1
                else:
                    _settle(session, entry, settings, now, result)
                    result.callers += 1
                session.commit()

    if drain(settings.fallback_spool, replay) is None:
        result.busy = True
    return result
