"""When a call ends (Twilio's status callback): nothing the caller asked for is lost (P-REC-1).

A caller who chose a service and hung up before a ticket or a person took it gets a callback
ticket; a call that ends before its flow's end is counted as abandoned. Calls the IVR did not
answer as a hotline (outbound survey calls) are the surveys' to settle.
"""
from __future__ import annotations

import logging

from sqlalchemy.orm import Session

from app.errors import ValidationFailed
from app.escalations.services import raise_escalation
from app.database import begin_write
from app.ivr.calls import Runtime, find_call, hotline_flow
from app.ivr.models import IvrCall
from app.ivr.prompts import fill
from app.ivr.routing import CallParams, caller_number
from app.surveys.services import voice_call_ended
from app.tickets.services import NewTicket, create_ticket

log = logging.getLogger(__name__)
FINAL_STATUSES = frozenset({"completed", "busy", "no-answer", "failed", "canceled"})


def call_ended(session: Session, rt: Runtime, params: CallParams) -> None:
    """Take a status callback: record the end, count an abandoned call, leave a callback ticket if owed."""
    begin_write(session)
    call = find_call(session, params.call_sid)
    inbound = call.direction == "inbound" if call is not None else params.direction in ("", "inbound")
    if not inbound:
        _survey_call_ended(session, rt, params)
        if call is not None and params.call_status in FINAL_STATUSES and call.ended_at is None:
            call.ended_at, call.end_status = rt.now, params.call_status
        return
    if params.call_status not in FINAL_STATUSES:
        return
    if call is None:
        call = _hung_up_in_welcome(session, rt, params)
    if call.ended_at is not None:
        return  # a repeated callback
    call.ended_at, call.end_status = rt.now, params.call_status
    call.abandoned = not call.finished
    if call.service and not call.service_done:
        leave_callback(session, rt, call)


def _hung_up_in_welcome(session: Session, rt: Runtime, params: CallParams) -> IvrCall:
    """The welcome is not stored; a call that ends there is recorded now, to be counted."""
    flow = hotline_flow(rt, params)
    call = IvrCall(call_sid=params.call_sid, direction="inbound", flow=flow.name, product_line=flow.product_line,
                   caller=caller_number(params.from_), lang=flow.languages[0], node=flow.start, step=1, data={},
                   service=None, service_done=False, finished=False, last_response="", started_at=rt.now,
                   updated_at=rt.now, abandoned=True)
    session.add(call)
    return call


def leave_callback(session: Session, rt: Runtime, call: IvrCall) -> None:
    """A callback ticket for the service the caller chose; without a number, a task for staff instead."""
    variables = (call.data or {}).get("vars", {})
    flow = rt.flows.get(call.flow)
    lang = flow.languages[0] if flow else "zh"
    words = (lambda name: flow.word(name, lang)) if flow else (lambda name: name)
    summary = fill(words("callback_summary"), {"service": words(f"service_{call.service}"),
                                               "call_sid": call.call_sid}.get)
    phone = variables.get("contact_phone") or call.caller
    if phone and call.product_line:
        request = NewTicket(kind="callback", product_line=call.product_line, phone=phone, summary=summary,
                            source="ivr", idempotency_key=f"call:{call.call_sid}:callback")
        try:
            result = create_ticket(session, request, actor="ivr", now=rt.now, signature=rt.settings.sms_signature)
        except ValidationFailed as exc:
            log.warning("ivr %s: callback ticket refused: %s", call.call_sid, exc.message)
        else:
            if result.created and not variables.get("caller_known"):
                result.ticket.needs_verification_call = True
            call.callback_ticket_id = result.ticket.id
            call.service_done = True
            return
    raise_escalation(session, reason="ivr_no_callback_number", queue="staff_inbox", now=rt.now,
                     dedupe_key=f"call:{call.call_sid}:no_number", detail=summary)


def _survey_call_ended(session: Session, rt: Runtime, params: CallParams) -> bool:
    return voice_call_ended(session, call_sid=params.call_sid, call_status=params.call_status, now=rt.now)
