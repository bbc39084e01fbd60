"""What each node kind of a flow file needs: its fields, their types, and how the engine treats it.

The registry is the schema that `ivr_flows/README.md` documents and `ivr check` enforces.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

# Field types.
PROMPT = "prompt"    # {lang: text}; "+xx" keys are asides said in language xx when the call is not in xx
TARGET = "target"    # a node id
OPTIONS = "options"  # {key: node id}, keys are one DTMF key 0-9 or #
PATH = "path"        # {goto: node id, say?: prompt, reasons?: {reason: prompt}}
INT = "int"
TEXT = "text"
BOOL = "bool"
WORDS = "words"      # {key: {lang: [spoken words]}}: speech that counts as that key
VALUES = "values"    # {key: text}: what the chosen key stores
NAME = "name"        # an identifier (a variable name)
LANG = "lang"        # a language code of the flow, or "next"

NODE_ID = re.compile(r"[a-z][a-z0-9_]{0,31}")
DTMF_KEY = re.compile(r"[0-9#]")

VALIDATORS = ("digits", "error_code", "serial", "ticket_number", "phone", "day")
TEXT_TEMPLATES = ("fee_card",)
TICKET_SOURCES = ("entered", "recent")
TICKET_KINDS = ("repair", "install", "complaint", "maintenance", "inquiry", "callback")


@dataclass(frozen=True)
class NodeKind:
    """One kind of node. `waits`: its TwiML waits for Twilio (input, recording, dial) or ends the call.

    `counted`: it counts timeouts and wrong input, so a loop through it is bounded.
    `writes`: it changes the database, so it may not run before the caller's first answer
    (the welcome is computed, not stored).
    """

    name: str
    required: dict[str, str]
    optional: dict[str, str] = field(default_factory=dict)
    waits: bool = False
    counted: bool = False
    writes: bool = False
    choices: dict[str, tuple[str, ...]] = field(default_factory=dict)  # allowed values of text fields


COMMON_OPTIONAL = {"service": NAME, "note": TEXT}
_MISSES = {"on_timeout": PATH, "on_invalid": PATH, "fallback": TARGET}
_INPUT_OPTIONAL = {"tries": INT, "timeout": INT}

KINDS: dict[str, NodeKind] = {k.name: k for k in (
    NodeKind("say", {"prompt": PROMPT, "next": TARGET}),
    NodeKind("menu", {"prompt": PROMPT, "options": OPTIONS, **_MISSES},
             {"intro": PROMPT, "intro_known": PROMPT, "store": NAME, "values": VALUES, "words": WORDS,
              **_INPUT_OPTIONAL}, waits=True, counted=True),
    NodeKind("collect", {"prompt": PROMPT, "validate": TEXT, "store": NAME, "next": TARGET, **_MISSES},
             {"min_digits": INT, "max_digits": INT, **_INPUT_OPTIONAL},
             waits=True, counted=True, choices={"validate": VALIDATORS}),
    NodeKind("choose_unit", {"prompt": PROMPT, "item": PROMPT, "last": PROMPT, "other_key": TEXT,
                             "next": TARGET, "other": TARGET, **_MISSES}, _INPUT_OPTIONAL,
             waits=True, counted=True, choices={"other_key": ("9", "0", "#")}),
    NodeKind("record", {"prompt": PROMPT, "store": NAME, "next": TARGET, "on_timeout": PATH, "fallback": TARGET},
             {"max_seconds": INT, "tries": INT}, waits=True, counted=True),
    NodeKind("lookup_caller", {"next": TARGET}),
    NodeKind("branch", {"test": TEXT, "then": TARGET, "else": TARGET}),
    NodeKind("set_language", {"lang": LANG, "next": TARGET}),
    NodeKind("call", {"sub": TARGET, "next": TARGET}),
    NodeKind("return", {}),
    NodeKind("check_warranty", {"next": TARGET}),
    NodeKind("fee_card", {"prompt": PROMPT, "item": PROMPT, "next": TARGET}),
    NodeKind("read_tickets", {"source": TEXT, "item": PROMPT, "none": PROMPT, "next": TARGET},
             choices={"source": TICKET_SOURCES}),
    NodeKind("create_ticket", {"ticket_kind": TEXT, "summary": TEXT, "next": TARGET, "on_error": TARGET},
             {"appointment": BOOL}, writes=True, choices={"ticket_kind": TICKET_KINDS}),
    NodeKind("send_text", {"template": TEXT, "next": TARGET}, writes=True, choices={"template": TEXT_TEMPLATES}),
    NodeKind("handoff", {"prompt": PROMPT, "closed": TARGET, "no_answer": TARGET, "next": TARGET}, waits=True),
    NodeKind("hangup", {}, {"prompt": PROMPT}, waits=True),
    NodeKind("survey_answer", {"store": NAME, "next": TARGET, "on_error": TARGET}, writes=True),
    NodeKind("find_open_repair", {"found": TARGET, "none": TARGET}),
    NodeKind("urge_ticket", {"next": TARGET}, writes=True),
    NodeKind("record_consent", {"next": TARGET}, writes=True),
)}


def edges(kind: NodeKind, fields: dict) -> list[tuple[str, str]]:
    """(label, target) of every way out of a node, read from its fields."""
    out: list[tuple[str, str]] = []
    for name, ftype in {**kind.required, **kind.optional}.items():
        value = fields.get(name)
        if value is None:
            continue
        if ftype == TARGET and isinstance(value, str):
            out.append((name, value))
        elif ftype == OPTIONS and isinstance(value, dict):
            out.extend((f"options.{k}", v) for k, v in value.items() if isinstance(v, str))
        elif ftype == PATH and isinstance(value, dict) and isinstance(value.get("goto"), str):
            out.append((f"{name}.goto", value["goto"]))
    return out


def field_problem(ftype: str, value) -> str | None:
    """Why `value` is not of type `ftype`, or None when it is."""
    if ftype == PROMPT:
        if not isinstance(value, dict) or not value or not all(isinstance(v, str) for v in value.values()):
            return "must be a table of language = text"
    elif ftype == TARGET:
        if not isinstance(value, str) or not NODE_ID.fullmatch(value):
            return "must be a node id"
    elif ftype == OPTIONS:
        if not isinstance(value, dict) or not value:
            return "must be a table of key = node id"
        for key, target in value.items():
            if not DTMF_KEY.fullmatch(key):
                return f"key {key!r} must be one of 0-9 or # (* always repeats)"
            if not isinstance(target, str):
                return f"key {key!r} must lead to a node id"
    elif ftype == PATH:
        if not isinstance(value, dict) or not isinstance(value.get("goto"), str):
            return "must be a table with goto = node id (and say = prompt)"
        unknown = set(value) - {"goto", "say", "reasons"}
        if unknown:
            return f"unknown field(s) {', '.join(sorted(unknown))}"
        if "say" in value and field_problem(PROMPT, value["say"]):
            return "say " + field_problem(PROMPT, value["say"])
        reasons = value.get("reasons", {})
        if not isinstance(reasons, dict) or any(field_problem(PROMPT, p) for p in reasons.values()):
            return "reasons must be a table of reason = prompt"
    elif ftype == INT:
        if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 600:
            return "must be a whole number from 1 to 600"
    elif ftype in (TEXT, LANG):
        if not isinstance(value, str) or not value:
            return "must be text"
    elif ftype == NAME:
        if not isinstance(value, str) or not NODE_ID.fullmatch(value):
            return "must be a lower-case name"
    elif ftype == BOOL:
        if not isinstance(value, bool):
            return "must be true or false"
    elif ftype == WORDS:
        if not isinstance(value, dict) or not all(
                isinstance(v, dict) and all(isinstance(w, list) and all(isinstance(x, str) for x in w)
                                            for w in v.values()) for v in value.values()):
            return "must be a table of key = {language = [words]}"
    elif ftype == VALUES:
        if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
            return "must be a table of key = text"
    return None


def prompts_of(kind: NodeKind, fields: dict) -> list[tuple[str, dict]]:
    """(field, prompt) of every prompt a node can say, path prompts included."""
    found = []
    for name, ftype in {**kind.required, **kind.optional}.items():
        value = fields.get(name)
        if ftype == PROMPT and isinstance(value, dict):
            found.append((name, value))
        elif ftype == PATH and isinstance(value, dict):
            if isinstance(value.get("say"), dict):
                found.append((f"{name}.say", value["say"]))
            for reason, prompt in (value.get("reasons") or {}).items():
                if isinstance(prompt, dict):
                    found.append((f"{name}.reasons.{reason}", prompt))
    return found
