"""What one request of a call works with: the call row, its flow, the TwiML being built, the clock.

Node executors read and change the call only through a `Step`; `save()` writes the working
copies back to the row in one assignment so SQLAlchemy sees the JSON change.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from datetime import tzinfo as TzInfo
from typing import Callable

from sqlalchemy.orm import Session

from app.config import Settings
from app.customers.phone_numbers import InvalidPhoneNumber, normalise_phone
from app.ivr.flows import Flow, FlowSet, Node
from app.ivr.models import IvrCall
from app.ivr.prompts import fill, spoken_value
from app.ivr.turn import Turn

MAX_STACK = 8
Reader = Callable[[object, dict], list]  # a statement and its parameters -> rows (`Database.read`)


@dataclass(frozen=True)
class Answer:
    """What Twilio reports for the waiting node: keys, speech, a recording or a dial result."""

    event: str  # input | timeout | recorded | dialled
    digits: str = ""
    speech: str = ""
    recording_url: str = ""
    recording_seconds: int = 0
    dial_status: str = ""


@dataclass
class Step:
    # How to get the unit of work's session: the welcome, which may read nothing through the ORM,
    # opens one only when a node asks (`session`); later steps hand theirs in.
    open_session: Callable[[], Session]
    flows: FlowSet
    flow: Flow
    settings: Settings
    now: datetime
    tz: TzInfo
    call: IvrCall  # or, during the welcome, the unstored `calls.CallState` with the same attributes
    turn: Turn
    vars: dict = field(default_factory=dict)
    counters: dict = field(default_factory=dict)
    stack: list = field(default_factory=list)
    # The welcome's reads go through the app's reader (`Database.read`): nothing is written before
    # the first answer, so they need no transaction. Later steps read in their own transaction.
    reader: Reader | None = None
    _session: Session | None = field(default=None, repr=False)

    @classmethod
    def of(cls, call: IvrCall, turn: Turn, *, session: Session | None = None,
           open_session: Callable[[], Session] | None = None, flows, flow, settings, now, tz, reader=None) -> "Step":
        """The step of `call`: pass its `session`, or (the welcome) how to open one if a node needs it."""
        if open_session is None:
            if session is None:
                raise TypeError("a step needs a session or a way to open one")
            open_session = lambda: session  # noqa: E731
        data = call.data or {}
        return cls(open_session=open_session, flows=flows, flow=flow, settings=settings, now=now, tz=tz, call=call,
                   turn=turn, vars=dict(data.get("vars", {})), counters=dict(data.get("counters", {})),
                   stack=list(data.get("stack", [])), reader=reader, _session=session)

    @property
    def session(self) -> Session:
        """The session of this unit of work, opened on first use."""
        if self._session is None:
            self._session = self.open_session()
        return self._session

    def read(self, statement, params: dict) -> list:
        """The rows of a Core statement that only reads."""
        if self.reader is not None:
            return self.reader(statement, params)
        return self.session.connection().execute(statement, params).all()

    def save(self) -> None:
        self.call.data = {"vars": self.vars, "counters": self.counters, "stack": self.stack}

    # --- speaking -----------------------------------------------------------------------

    def word(self, name: str) -> str:
        return self.flow.word(name, self.call.lang)

    def text(self, prompt: dict, extra: dict | None = None, lang: str | None = None) -> str:
        """`prompt` in the call's language with its placeholders filled."""
        lang = lang or self.call.lang
        raw = prompt.get(lang, prompt.get(self.flow.languages[0], ""))
        return fill(raw, lambda name: self._value(name, extra or {}, lang))

    def say(self, prompt: dict | None, extra: dict | None = None) -> None:
        """Queue `prompt`, then its asides ("+en": said in English when the call is not in English)."""
        if not prompt:
            return
        self.turn.say(self.text(prompt, extra), self.call.lang)
        for key, _ in prompt.items():
            if key.startswith("+") and key[1:] != self.call.lang:
                self.turn.say(fill(prompt[key], lambda n: self._value(n, extra or {}, key[1:])), key[1:])

    def _value(self, name: str, extra: dict, lang: str):
        if name in extra:
            return extra[name]
        spoken = spoken_value(name, self.vars, lambda w: self.flow.word(w, lang))
        if spoken is not None:
            return spoken
        if name in self.vars:
            value = self.vars[name]
            return value if isinstance(value, (str, int)) and not isinstance(value, bool) else ""
        if name in self.flow.words:
            return self.flow.word(name, lang)
        return ""

    # --- counters and the sub-flow stack ---------------------------------------------------

    def bump(self, name: str) -> int:
        self.counters[name] = self.counters.get(name, 0) + 1
        return self.counters[name]

    def reset_misses(self, node: Node) -> None:
        for path in ("on_timeout", "on_invalid"):
            self.counters.pop(f"{path}:{node.id}", None)

    def visits(self, node: Node) -> int:
        return self.counters.get(f"visits:{node.id}", 0)

    def tries(self, node: Node) -> int:
        return node.get("tries", self.flow.tries)

    def timeout(self, node: Node) -> int:
        return node.get("timeout", self.flow.timeout)

    def push(self, node_id: str) -> None:
        if len(self.stack) >= MAX_STACK:
            raise RuntimeError(f"sub-flows nested deeper than {MAX_STACK}")
        self.stack.append(node_id)

    def pop(self) -> str:
        if not self.stack:
            raise RuntimeError("a return node was reached outside any sub-flow")
        return self.stack.pop()

    # --- the caller ---------------------------------------------------------------------

    def contact_phone(self) -> str | None:
        """The number to call or text back: the one the caller typed, else caller ID."""
        return self.vars.get("contact_phone") or self.call.caller

    def contact_is_mobile(self) -> bool:
        phone = self.contact_phone()
        if not phone:
            return False
        try:
            return normalise_phone(phone).is_mobile
        except InvalidPhoneNumber:
            return False


Enter = Callable[[Node, Step], "str | None"]
Resume = Callable[[Node, Step, Answer], str]
ENTER: dict[str, Enter] = {}
RESUME: dict[str, Resume] = {}


def enters(kind: str):
    """Register the executor that runs when a node of `kind` is entered (returns the next node, or None to wait)."""
    def register(fn: Enter) -> Enter:
        ENTER[kind] = fn
        return fn
    return register


def resumes(kind: str):
    """Register the executor that takes Twilio's answer for a waiting node of `kind` (returns the next node)."""
    def register(fn: Resume) -> Resume:
        RESUME[kind] = fn
        return fn
    return register
