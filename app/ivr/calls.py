"""A call through the IVR, one Twilio request at a time.

The welcome is computed, not stored: Twilio sends From, To and CallSid with every request, so the
first answer (step 1, whose URL names the flow) rebuilds the welcome's state and stores it. From
then on the state is a row of `ivr_calls`, and each answer names the step `n` it expects next; a
request with any other `n` is a retry and gets the stored answer again, so nothing is done twice.

A step reads the row without locking it and moves the call on optimistically: the row's UPDATE is
`... WHERE id = ? AND step = n` (`step` is the mapper's version column), so when a retry of the
same step got there first the UPDATE matches nothing, StaleDataError undoes the whole transaction
(ticket, text and all) and the webhook runs the step again, which then finds it answered. On
SQLite this keeps the database's single write lock off the step's reads and flow work.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime, timedelta, timezone
from datetime import tzinfo as TzInfo
from typing import Callable

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from app.config import Settings
from app.ivr import engine
from app.ivr.flows import Flow, FlowSet
from app.ivr.models import IvrCall
from app.ivr.routing import CallParams, caller_number, hotline_for
from app.ivr.step import Answer, Reader, Step
from app.ivr.turn import Turn

EVENTS = ("input", "timeout", "recorded", "dialled")


@dataclass(frozen=True)
class Runtime:
    """What the IVR takes from the app for one request: flows, settings and the clock."""

    flows: FlowSet
    settings: Settings
    now: datetime
    tz: TzInfo

    @property
    def voices(self) -> dict[str, str]:
        return {"zh": self.settings.ivr_voice_zh, "en": self.settings.ivr_voice_en}


class UnknownCall(LookupError):
    """A step for a call whose state is not here and cannot be rebuilt."""


def find_call(session: Session, call_sid: str) -> IvrCall | None:
    """The call's row, locked until commit (PostgreSQL): for the endings, which change it outside a step."""
    return session.scalar(select(IvrCall).where(IvrCall.call_sid == call_sid).with_for_update())


_CALL_BY_SID = select(IvrCall).where(IvrCall.call_sid == bindparam("sid"))


@dataclass
class CallState:
    """A call as the welcome computes it, before anything is stored: the columns of an `IvrCall`.

    The welcome runs on every call that rings, so it works on this plain object; the first answer
    stores the same state as a row (`stored()`).
    """

    call_sid: str
    direction: str
    flow: str
    product_line: str | None
    caller: str | None
    lang: str
    node: str
    step: int
    data: dict
    service: str | None
    service_done: bool
    finished: bool
    last_response: str
    started_at: datetime
    updated_at: datetime
    abandoned: bool

    def stored(self) -> IvrCall:
        """The row that holds this state from the first answer on."""
        return IvrCall(**asdict(self))


def _new_call(params: CallParams, flow: Flow, rt: Runtime, *, started_at: datetime) -> CallState:
    return CallState(
        call_sid=params.call_sid, direction="survey" if flow.kind == "survey" else "inbound", flow=flow.name,
        product_line=flow.product_line, caller=caller_number(params.to if flow.kind == "survey" else params.from_),
        lang=flow.languages[0], node=flow.start, step=1, data={}, service=None, service_done=False,
        finished=False, last_response="", started_at=started_at, updated_at=rt.now, abandoned=False)


def _welcome(open_session: Callable[[], Session], rt: Runtime, call: CallState, flow: Flow, query: dict,
             extra_vars: dict, reader: Reader | None = None) -> Turn:
    turn = Turn(step_no=1, voices=rt.voices, query=query)
    step = Step.of(call, turn, open_session=open_session, flows=rt.flows, flow=flow, settings=rt.settings, now=rt.now,
                   tz=rt.tz, reader=reader)
    step.vars.update(extra_vars)
    engine.run(step, flow.start)
    step.save()
    return turn


def hotline_flow(rt: Runtime, params: CallParams) -> Flow:
    line = hotline_for(rt.settings.hotlines, rt.settings.ivr_default_hotline, to=params.to,
                       forwarded_from=params.forwarded_from)
    flow = rt.flows.hotline(line)
    if flow is None:
        raise engine.FlowError(f"no flow answers the {line} hotline")
    return flow


def answer_call(open_session: Callable[[], Session], rt: Runtime, params: CallParams, *,
                reader: Reader | None = None) -> str:
    """The welcome and main menu of the dialled hotline (nothing is written).

    `reader` runs the welcome's reads outside any transaction (`Database.read`); without it they
    run on the session, which `open_session` opens only if a node needs one.
    """
    flow = hotline_flow(rt, params)
    call = _new_call(params, flow, rt, started_at=rt.now)
    return _welcome(open_session, rt, call, flow, {"f": flow.name, "t": int(rt.now.timestamp())}, {}, reader).xml()


def answer_survey_call(open_session: Callable[[], Session], rt: Runtime, params: CallParams, survey_id: int, *,
                       reader: Reader | None = None) -> str:
    """The survey question of an outbound survey call (issue 5 places the call)."""
    flow = rt.flows.get("survey")
    if flow is None or flow.kind != "survey":
        raise engine.FlowError("no survey flow")
    call = _new_call(params, flow, rt, started_at=rt.now)
    query = {"f": flow.name, "t": int(rt.now.timestamp()), "sv": survey_id}
    return _welcome(open_session, rt, call, flow, query, {"survey_id": survey_id}, reader).xml()


def _rebuild(session: Session, rt: Runtime, params: CallParams, query: dict) -> IvrCall:
    """The state of a call at its first answer: the welcome run again, as the step-1 URL describes it."""
    flow = rt.flows.get(str(query.get("f") or ""))
    if flow is None:
        raise UnknownCall(f"no state for call {params.call_sid} and no flow named in the step URL")
    started_at = rt.now
    try:
        started = datetime.fromtimestamp(int(query.get("t") or 0), timezone.utc)
        if rt.now - timedelta(hours=4) <= started <= rt.now:
            started_at = started
    except (ValueError, OverflowError, OSError):
        pass
    extra = {}
    if flow.kind == "survey":
        try:
            extra["survey_id"] = int(query.get("sv") or "")
        except ValueError:
            raise UnknownCall("a survey call without its survey id") from None
    state = _new_call(params, flow, rt, started_at=started_at)
    _welcome(lambda: session, rt, state, flow, {}, extra)
    call = state.stored()
    session.add(call)
    session.flush()  # a concurrent first answer for the same CallSid fails here, and is retried
    return call


def take_step(session: Session, rt: Runtime, params: CallParams, *, n: int | None, event: str, query: dict) -> str:
    """Give Twilio's answer for step `n` to the call, and answer with what comes next.

    Raises StaleDataError when another request moved the call on first (see the module's notes).
    """
    call = session.scalar(_CALL_BY_SID, {"sid": params.call_sid})
    if call is None:
        if n != 1:
            raise UnknownCall(f"no state for call {params.call_sid} at step {n}")
        call = _rebuild(session, rt, params, query)
    if n != call.step:
        if not call.last_response:
            raise UnknownCall(f"call {params.call_sid} has no answer stored for step {n}")
        return call.last_response  # a retry of an answered step: the same answer, nothing done again
    flow = rt.flows.get(call.flow)
    if flow is None:
        raise UnknownCall(f"call {call.call_sid} is in flow {call.flow!r}, which is not loaded")
    turn = Turn(step_no=n + 1, voices=rt.voices)
    step = Step.of(call, turn, session=session, flows=rt.flows, flow=flow, settings=rt.settings, now=rt.now, tz=rt.tz)
    too_long = (rt.now - call.started_at).total_seconds() > rt.settings.ivr_max_call_seconds
    if too_long and flow.on_max_length and not step.vars.get("max_length_reached"):
        step.vars["max_length_reached"] = True
        engine.run(step, flow.on_max_length)
    else:
        answer = Answer(event=event if event in EVENTS else "timeout", digits=params.digits, speech=params.speech,
                        recording_url=params.recording_url, recording_seconds=params.recording_seconds,
                        dial_status=params.dial_status)
        engine.resume(step, answer)
    step.save()
    xml = turn.xml()
    _move_on(session, call, n, xml, rt.now)
    return xml


def _move_on(session: Session, call: IvrCall, n: int, xml: str, now: datetime) -> None:
    """Store step `n`'s answer and expect step n + 1, if the call still waits for step `n`.

    One UPDATE of the row's changes guarded by `step = n` (the version column): StaleDataError
    when another request took step `n` meanwhile.
    """
    call.step, call.last_response, call.updated_at = n + 1, xml, now
    session.flush()
