"""The IVR player for flow authors (`/console/ivr`): a call to any hotline, played in the browser.

Each step is a request signed as Twilio signs it (the SDK's RequestValidator, the configured auth
token) and posted to the real `/twilio/voice` webhooks through the app's own test client, so the
flows, the engine and the database are the real ones. The call's state is the IVR's own (in the
database); the browser's session keeps only the CallSid and what the call waits for, so any worker
can take the next key.
"""
from __future__ import annotations

import secrets

from flask import current_app, render_template, session
from flask_babel import gettext as _
from twilio.request_validator import RequestValidator

from app.console import console
from app.console.actions import field
from app.console.auth import requires
from app.console.extensions import csrf
from app.customers.phone_numbers import InvalidPhoneNumber, normalise_phone
from app.ivr.simulator import FAKE_RECORDING, MAX_REQUESTS, Turn, read_turn, resolve_url, tickets_of_call
from app.web import db_session, settings

PLAYERS = ("agent", "supervisor", "admin")
MAX_REDIRECTS = 20
KEYPAD = ("1", "2", "3", "4", "5", "6", "7", "8", "9", "*", "0", "#")
BASE = "http://localhost"


def _base() -> str:
    return (settings().public_base_url or BASE).rstrip("/")


def _post(path: str, extra: dict) -> str:
    """Sign and post one webhook step; the TwiML text (a RuntimeError for anything but 200)."""
    call = session["ivr"]
    params = {"CallSid": call["sid"], "AccountSid": settings().twilio_account_sid or "AC" + "0" * 32,
              "From": call["from"], "To": call["to"], "Direction": "inbound", "CallStatus": "in-progress", **extra}
    signature = RequestValidator(settings().twilio_auth_token).compute_signature(_base() + path, params)
    app = current_app._get_current_object()
    # A fresh app context: the webhook's own database session and teardown, apart from this page's.
    with app.app_context():
        response = app.test_client().post(path, data=params, headers={"X-Twilio-Signature": signature},
                                          base_url=_base())
    if response.status_code != 200:
        raise RuntimeError(f"{path} answered {response.status_code}")
    return response.get_data(as_text=True)


def _resolve(current: str, target: str | None) -> str:
    return resolve_url(_base(), current, target)


def _play(path: str, extra: dict) -> Turn:
    """Post a step and follow bare redirects until the call waits for the caller or ends."""
    prompts: list[str] = []
    for _hop in range(MAX_REDIRECTS):
        turn = read_turn(_post(path, extra))
        prompts.extend(turn.prompts)
        if turn.redirect is None:
            break
        path, extra = _resolve(path, turn.redirect), {}
    turn.prompts = prompts
    call = session["ivr"]
    call["steps"] = call.get("steps", 0) + 1
    call["waits_for"] = turn.waits_for
    call["action"] = _resolve(path, turn.action) if turn.waits_for else None
    call["silence"] = _resolve(path, turn.silence) if turn.silence else None
    call["path"] = path
    session.modified = True
    return turn


def _page(turn: Turn | None = None, error: str | None = None, status: int = 200):
    call = session.get("ivr")
    tickets = tickets_of_call(db_session(), call["sid"]) if call else []
    return render_template("ivr.html", hotlines=settings().hotlines, call=call, turn=turn, keypad=KEYPAD,
                           tickets=tickets, error=error, can_sign=bool(settings().twilio_auth_token)), status


@console.get("/ivr")
@requires(*PLAYERS)
def ivr():
    return _page()[0]


@console.post("/ivr/start")
@requires(*PLAYERS)
def ivr_start():
    """Dial a hotline from a caller's number: the welcome of its flow."""
    csrf.protect()
    if not settings().twilio_auth_token:
        return _page(error=_("未设置 TWILIO_AUTH_TOKEN：语音 webhook 会拒绝每个请求，播放器无法签名。"), status=409)
    to, caller = field("to"), field("from")
    if to not in settings().hotlines:
        return _page(error=_("请选择一条热线。"), status=400)
    if caller != "anonymous":
        try:
            caller = normalise_phone(caller).e164
        except InvalidPhoneNumber as exc:
            return _page(error=str(exc), status=400)
    session["ivr"] = {"sid": "CA" + secrets.token_hex(16), "to": to, "from": caller, "keys": []}
    return _page(_play("/twilio/voice", {}))


@console.post("/ivr/answer")
@requires(*PLAYERS)
def ivr_answer():
    """The caller's answer to what the call waits for: keys, words (a recording), staff picking up, or silence."""
    csrf.protect()
    call = session.get("ivr")
    if not call or not call.get("waits_for"):
        return _page(error=_("没有进行中的通话，请先拨打热线。"), status=409)
    if call.get("steps", 0) >= MAX_REQUESTS:
        return _page(error=_("通话步骤过多，已停止。"), status=409)
    answer = field("answer")
    call["keys"] = [*call.get("keys", []), answer or "—"][-30:]
    if not answer:
        if not call.get("silence"):
            return _hang_up(_("（静音）通话结束。"))
        return _page(_play(call["silence"], {}))
    kind = call["waits_for"]
    if kind == "gather":
        if not all(ch in "0123456789*#" for ch in answer) or len(answer) > 40:
            return _page(error=_("只能按 0-9、* 和 #。"), status=400)
        extra = {"Digits": answer}
    elif kind == "record":
        extra = {"RecordingUrl": FAKE_RECORDING + secrets.token_hex(16), "RecordingDuration": "7"}
    else:
        extra = {"DialCallStatus": "completed" if answer == "answer" else "no-answer"}
    return _page(_play(call["action"], extra))


@console.post("/ivr/hangup")
@requires(*PLAYERS)
def ivr_hangup():
    csrf.protect()
    if not session.get("ivr"):
        return _page(error=_("没有进行中的通话。"), status=409)
    return _hang_up(_("您挂断了电话。"))


def _hang_up(message: str):
    call = session["ivr"]
    _post("/twilio/voice/status", {"CallStatus": "completed"})
    call["waits_for"], call["ended"] = None, True
    session.modified = True
    return _page(Turn(prompts=[message]))
