"""Twilio voice webhooks: the hotline IVR (`/twilio/voice`), its steps, the survey call and call status.

Every view is signed (403 and nothing changes otherwise), thin (parse, call app.ivr, commit once)
and answers valid TwiML whatever happens inside: a failure gives the apology and hand-off path,
never Twilio's "an application error has occurred".
"""
from __future__ import annotations

import logging
from typing import Callable

from flask import Blueprint, Response, current_app, request
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm.exc import StaleDataError
from twilio.twiml.voice_response import VoiceResponse

from app.fallback.replay import spool_caller, spool_hang_up
from app.ivr.calls import Runtime, answer_call, answer_survey_call, take_step
from app.ivr.endings import call_ended
from app.ivr.flows import FlowSet, load_flows
from app.ivr.rescue import mark_for_callback, rescue_dialled, rescue_twiml
from app.ivr.routing import CallParams
from app.web import business_tz, database, db_session, now, settings
from app.webhooks.signature import twilio_signed

log = logging.getLogger(__name__)
voice = Blueprint("voice", __name__)
# A step that meets a concurrent retry of itself (unique key, lock, stale row) is run again once
# the other has committed: it then finds the step answered and repeats that answer.
_CLASHES = (IntegrityError, OperationalError, StaleDataError)
_ATTEMPTS = 3


def flows() -> FlowSet:
    """The app's flows, loaded once per process (the files change only on deploy)."""
    loaded = current_app.extensions.get("ivr_flows")
    if loaded is None:
        loaded = current_app.extensions["ivr_flows"] = load_flows(settings().ivr_flows_dir)
    return loaded


def _runtime() -> Runtime:
    return Runtime(flows=flows(), settings=settings(), now=now(), tz=business_tz())


def _twiml(xml: str) -> Response:
    return Response(xml, mimetype="text/xml")


def _rescue(rt: Runtime, params: CallParams) -> Response:
    """The apology. The call is marked to leave a callback ticket at its end; when the database
    cannot even take that, the caller goes to the fallback spool instead (P-REC-1)."""
    try:
        with database().session() as session:
            mark_for_callback(session, rt, params)
            session.commit()
    except Exception:  # the caller's apology does not depend on it
        log.exception("ivr %s: could not mark the call for a callback; spooling the caller", params.call_sid)
        try:
            spool_caller(settings().fallback_spool, request.form, now=rt.now)
        except OSError:
            log.exception("ivr %s: could not spool the caller either", params.call_sid)
    return _twiml(rescue_twiml(rt, params))


def _answer_read_only(work: Callable[..., str]) -> Response:
    """Run `work`, which only reads (the welcome: `ivr check` refuses writes before the first answer).

    Its reads go through `Database.read`, one round trip each; a node that needs the ORM opens the
    request's session, rolled back at teardown. Any failure is rescued.
    """
    rt = _runtime()
    params = CallParams.from_form(request.form)
    if not params.sid_ok:
        log.warning("voice webhook on %s without a valid CallSid", request.path)
        return _rescue(rt, params)
    try:
        return _twiml(work(db_session, rt, params, reader=database().read))
    except Exception:
        log.exception("ivr %s: step failed on %s", params.call_sid, request.path)
        return _rescue(rt, params)


def _answer(work: Callable[[object, Runtime, CallParams], str], on_failure=_rescue) -> Response:
    """Run `work` and commit once; clashes with a retry are run again; any other failure is rescued."""
    rt = _runtime()
    params = CallParams.from_form(request.form)
    if not params.sid_ok:
        log.warning("voice webhook on %s without a valid CallSid", request.path)
        return on_failure(rt, params)
    session = db_session()
    for attempt in range(1, _ATTEMPTS + 1):
        try:
            xml = work(session, rt, params)
            session.commit()
            return _twiml(xml)
        except _CLASHES:
            session.rollback()
            if attempt == _ATTEMPTS:
                log.exception("ivr %s: step still clashing after %d attempts", params.call_sid, attempt)
        except Exception:
            session.rollback()
            log.exception("ivr %s: step failed on %s", params.call_sid, request.path)
            break
    return on_failure(rt, params)


@voice.errorhandler(Exception)
def _unverified(exc: Exception):
    # Only the signature check and the body it reads run outside `_answer` (which rescues its own
    # failures): a request that fails there was never verified, so it is refused like a bad signature.
    log.warning("voice webhook on %s could not be verified: %s", request.path, exc)
    return Response("request could not be verified", status=403, mimetype="text/plain")


@voice.post("/twilio/voice")
@twilio_signed
def incoming_call():
    """A call arrives on a hotline: the welcome and the main menu, in one <Gather>."""
    return _answer_read_only(answer_call)


@voice.post("/twilio/voice/survey")
@twilio_signed
def survey_call():
    """An outbound survey call was answered: ask for the rating (P-CARE-2)."""
    survey_id = request.args.get("survey_id", type=int)
    if survey_id is None:
        return _twiml(rescue_twiml(_runtime(), CallParams.from_form(request.form)))
    return _answer_read_only(
        lambda open_session, rt, params, reader: answer_survey_call(open_session, rt, params, survey_id,
                                                                    reader=reader))


@voice.post("/twilio/voice/step")
@twilio_signed
def call_step():
    """The caller's answer to step `n` (keys, silence, a recording, a dial result)."""
    n = request.args.get("n", type=int)
    event = request.args.get("ev", "timeout")
    query = {key: request.args.get(key, "") for key in ("f", "t", "sv")}
    return _answer(lambda session, rt, params: take_step(session, rt, params, n=n, event=event, query=query))


@voice.post("/twilio/voice/rescue")
@twilio_signed
def rescue_step():
    """After the apology path's <Dial>."""
    return _answer(rescue_dialled)


@voice.post("/twilio/voice/status")
@twilio_signed
def call_status():
    """A call's status changed; at its end P-REC-1 is settled (callback ticket, abandoned count)."""
    def settle(session, rt, params) -> str:
        call_ended(session, rt, params)
        return str(VoiceResponse())

    def failed(rt, params) -> Response:
        # Twilio does not call again: a hang-up the database could not take waits in the spool.
        try:
            if spool_hang_up(settings().fallback_spool, params, now=rt.now):
                log.warning("ivr %s: status %s spooled for fallback_replay", params.call_sid, params.call_status)
        except OSError:
            log.exception("ivr %s: could not spool the status callback", params.call_sid)
        return _twiml(str(VoiceResponse()))  # Twilio reads nothing from this answer; the error is logged

    return _answer(settle, on_failure=failed)
