"""`ivr call`: a caller in the terminal, walking a hotline through the real app.

Each request is signed as Twilio signs it and goes through the Flask test client in-process, so
the flows, the engine, the database and the signature check are all the real ones. The caller
hears the <Say> texts, types keys at each <Gather>, speaks (types) at each <Record>, and decides
whether staff pick up at each <Dial>. With scripted keys the caller hangs up when they run out.
"""
from __future__ import annotations

import secrets
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from typing import Callable, Iterator
from urllib.parse import urljoin, urlsplit

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session
from twilio.request_validator import RequestValidator

from app.ivr.models import IvrCall
from app.tickets.models import Ticket

MAX_REQUESTS = 300  # a walk longer than this is a loop; the simulator stops rather than spin
SILENCE = ("", "-")
HANG_UP = ("q", "hangup")
FAKE_RECORDING = "https://api.twilio.com/2010-04-01/Accounts/AC0/Recordings/RE"


@dataclass
class Walk:
    """What a simulated call did: the lines it printed and how it ended."""

    call_sid: str
    lines: list[str] = field(default_factory=list)
    ended_by: str = ""
    requests: int = 0


class Caller:
    """Posts signed webhooks for one call and follows the TwiML answers."""

    def __init__(self, app: Flask, *, to: str, from_: str, token: str, base: str,
                 keys: Iterator[str] | None, ask: Callable[[str], str], say: Callable[[str], None]) -> None:
        self.client = app.test_client()
        self.validator = RequestValidator(token)
        self.base = base.rstrip("/")
        self.params = {"CallSid": "CA" + secrets.token_hex(16), "AccountSid": "AC" + "0" * 32, "From": from_,
                       "To": to, "Direction": "inbound", "CallStatus": "in-progress"}
        self.keys = keys
        self.ask, self.say = ask, say
        self.walk = Walk(self.params["CallSid"])

    def post(self, path: str, extra: dict | None = None) -> str:
        """Sign and post to `path`; returns the TwiML text (or raises on anything but 200)."""
        self.walk.requests += 1
        params = {**self.params, **(extra or {})}
        signature = self.validator.compute_signature(self.base + path, params)
        response = self.client.post(path, data=params, headers={"X-Twilio-Signature": signature})
        if response.status_code != 200:
            raise RuntimeError(f"{path} answered {response.status_code}: {response.get_data(as_text=True)[:200]}")
        return response.get_data(as_text=True)

    def _next(self, question: str) -> str | None:
        if self.keys is None:
            return self.ask(question).strip()
        return next(self.keys, None)

    def _print(self, line: str) -> None:
        self.walk.lines.append(line)
        self.say(line)

    def run(self) -> Walk:
        path, xml = "/twilio/voice", self.post("/twilio/voice")
        while self.walk.requests < MAX_REQUESTS:
            following = self._follow(path, ET.fromstring(xml))
            if following is None:
                break
            path, extra = following
            xml = self.post(path, extra)
        else:
            self._print("(the simulator stops: too many steps)")
        self.post("/twilio/voice/status", {"CallStatus": "completed"})
        return self.walk

    def _follow(self, current: str, root: ET.Element) -> tuple[str, dict] | None:
        """Play one TwiML document; the next request to make, or None when the call is over."""
        for verb in root:
            if verb.tag == "Say":
                self._print(f"  [{verb.get('language', '')}] {verb.text or ''}")
            elif verb.tag == "Gather":
                for inner in verb:
                    if inner.tag == "Say":
                        self._print(f"  [{inner.get('language', '')}] {inner.text or ''}")
                keys = self._next("keys (Enter: silence, q: hang up) > ")
                if keys is None or keys in HANG_UP:
                    return self._hang_up()
                if keys not in SILENCE:
                    self._print(f"> {keys}")
                    return self._resolve(current, verb.get("action")), {"Digits": keys}
                self._print("> (silence)")
            elif verb.tag == "Record":
                self._print("  (beep: recording)")
                words = self._next("say something (Enter: silence, q: hang up) > ")
                if words is None or words in HANG_UP:
                    return self._hang_up()
                if words not in SILENCE:
                    self._print(f"> (says) {words}")
                    return self._resolve(current, verb.get("action")), {
                        "RecordingUrl": FAKE_RECORDING + secrets.token_hex(16), "RecordingDuration": "7"}
                self._print("> (silence)")
            elif verb.tag == "Dial":
                numbers = ", ".join(n.text or "" for n in verb)
                self._print(f"  (ringing staff: {numbers})")
                pick = self._next("does staff answer? (y/N, q: hang up) > ")
                if pick is None or pick in HANG_UP:
                    return self._hang_up()
                status = "completed" if pick.lower() in ("y", "yes", "answer") else "no-answer"
                self._print(f"> (staff {'answer' if status == 'completed' else 'do not answer'})")
                return self._resolve(current, verb.get("action")), {"DialCallStatus": status}
            elif verb.tag == "Redirect":
                return self._resolve(current, verb.text or ""), {}
            elif verb.tag == "Hangup":
                self._print("(the line goes dead)")
                self.walk.ended_by = "ivr"
                return None
        self.walk.ended_by = "ivr"
        return None

    def _hang_up(self) -> None:
        self._print("(you hang up)")
        self.walk.ended_by = "caller"
        return None

    def _resolve(self, current: str, target: str | None) -> str:
        return resolve_url(self.base, current, target)


def resolve_url(base: str, current: str, target: str | None) -> str:
    """A TwiML URL resolved against the request's URL as Twilio does, as a path with its query."""
    parts = urlsplit(urljoin(base + current, target or current))
    return parts.path + (f"?{parts.query}" if parts.query else "")


def walk_call(app: Flask, *, to: str, from_: str, keys: list[str] | None, ask: Callable[[str], str],
              say: Callable[[str], None]) -> Walk:
    """Walk one call through `app` (whose settings must hold an auth token to sign with)."""
    settings = app.extensions["settings"]
    base = settings.public_base_url or "http://localhost"
    caller = Caller(app, to=to, from_=from_, token=settings.twilio_auth_token, base=base,
                    keys=iter(keys) if keys is not None else None, ask=ask, say=say)
    return caller.run()


@dataclass
class Turn:
    """One TwiML answer as a person at a screen meets it: the prompts, then what the call waits for.

    `waits_for` is gather, record, dial or None (the call is over); `action` is where the answer
    goes, `silence` where the call goes when the caller gives none (the verb after the Gather)."""

    prompts: list[str] = field(default_factory=list)
    waits_for: str | None = None
    action: str | None = None
    silence: str | None = None
    redirect: str | None = None
    dialled: list[str] = field(default_factory=list)


def read_turn(xml: str) -> Turn:
    """Read a TwiML document into a Turn (a bare <Redirect> becomes `redirect`, for the caller to follow)."""
    turn = Turn()
    for verb in ET.fromstring(xml):
        if turn.waits_for is not None:
            if verb.tag == "Redirect":
                turn.silence = verb.text or ""
            break
        if verb.tag == "Say":
            turn.prompts.append(verb.text or "")
        elif verb.tag == "Gather":
            turn.prompts.extend(inner.text or "" for inner in verb if inner.tag == "Say")
            turn.waits_for, turn.action = "gather", verb.get("action")
        elif verb.tag == "Record":
            turn.waits_for, turn.action = "record", verb.get("action")
        elif verb.tag == "Dial":
            turn.waits_for, turn.action = "dial", verb.get("action")
            turn.dialled = [n.text or "" for n in verb]
        elif verb.tag == "Redirect":
            turn.redirect = verb.text or ""
            break
        elif verb.tag == "Hangup":
            break
    return turn


def tickets_of_call(session: Session, call_sid: str) -> list[Ticket]:
    """The tickets a call left: those its flow made, and the callback ticket of a call that needed one."""
    row = session.scalar(select(IvrCall).where(IvrCall.call_sid == call_sid))
    if row is None:
        return []
    numbers = list((row.data or {}).get("vars", {}).get("tickets", []))
    tickets = [t for t in (session.scalar(select(Ticket).where(Ticket.number == n)) for n in numbers) if t is not None]
    if row.callback_ticket_id:
        tickets.append(session.get(Ticket, row.callback_ticket_id))
    return tickets
