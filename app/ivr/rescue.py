"""The apology path: when a step fails inside, the caller hears an apology and goes to a person.

Built from the flow's words with nothing that can fail in turn: no flow node, no database read
(marking the call for a callback is best effort in its own session). Outside staffed hours the
caller is promised a callback, which the status callback then leaves as a ticket (P-REC-1).
"""
from __future__ import annotations

import logging

from sqlalchemy.orm import Session
from twilio.twiml.voice_response import Dial, VoiceResponse

from app.database import begin_write
from app.ivr.calls import Runtime, find_call
from app.ivr.flows import Flow
from app.ivr.models import IvrCall
from app.ivr.routing import CallParams, caller_number, hotline_for
from app.ivr.staffing import is_staffed
from app.ivr.turn import RESCUE_PATH, SAY_LANGUAGES

log = logging.getLogger(__name__)


def _flow_for(rt: Runtime, params: CallParams) -> Flow | None:
    line = hotline_for(rt.settings.hotlines, rt.settings.ivr_default_hotline, to=params.to,
                       forwarded_from=params.forwarded_from)
    return rt.flows.hotline(line) or next(iter(rt.flows.flows.values()), None)


def _say(response, flow: Flow | None, word: str, rt: Runtime, lang: str = "zh") -> None:
    text = flow.word(word, lang) if flow else ""
    if text:
        voice = rt.voices.get(lang)
        response.say(text, language=SAY_LANGUAGES.get(lang, lang), **({"voice": voice} if voice else {}))


def rescue_twiml(rt: Runtime, params: CallParams) -> str:
    """Apology, then the staff phones when someone is there; otherwise the callback promise."""
    try:
        flow = _flow_for(rt, params)
    except Exception:  # the apology must not fail on top of whatever failed first
        flow = None
    response = VoiceResponse()
    s = rt.settings
    if is_staffed(s.ivr_staffed_hours, s.ivr_staff_numbers, rt.now, rt.tz):
        _say(response, flow, "apology", rt)
        dial = Dial(action=RESCUE_PATH, method="POST", timeout=s.ivr_handoff_timeout)
        for number in s.ivr_staff_numbers:
            dial.number(number)
        response.append(dial)
    else:
        _say(response, flow, "apology_closed", rt)
        response.hangup()
    return str(response)


def mark_for_callback(session: Session, rt: Runtime, params: CallParams) -> None:
    """Note on the call that it still owes the caller something, so its end leaves a callback ticket."""
    if not params.sid_ok:
        return
    begin_write(session)
    call = find_call(session, params.call_sid)
    if call is None:
        flow = _flow_for(rt, params)
        if flow is None or flow.kind != "hotline":
            return
        call = IvrCall(call_sid=params.call_sid, direction="inbound", flow=flow.name, product_line=flow.product_line,
                       caller=caller_number(params.from_), lang=flow.languages[0], node=flow.start, step=0,
                       data={}, service=None, service_done=False, finished=False, last_response="",
                       started_at=rt.now, updated_at=rt.now, abandoned=False)
        session.add(call)
    if call.direction == "inbound" and not (call.service and not call.service_done):
        call.service, call.service_done = "rescue", False
    call.finished = False
    call.updated_at = rt.now


def rescue_dialled(session: Session, rt: Runtime, params: CallParams) -> str:
    """After the apology's <Dial>: a person took the call, or the callback promise and goodbye."""
    response = VoiceResponse()
    if params.dial_status == "completed":
        begin_write(session)
        call = find_call(session, params.call_sid)
        if call is not None:
            call.service_done, call.finished, call.updated_at = True, True, rt.now
    else:
        _say(response, _flow_for(rt, params), "apology_closed", rt)
    response.hangup()
    return str(response)
