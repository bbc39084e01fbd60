"""Executors of the nodes that wait for the caller: menu, collect, choose_unit, record.

Each counts silence (on_timeout) and wrong input (on_invalid) per node; at the node's `tries`
the call takes the `fallback` path. `*` repeats the prompt and costs no try. Keys Twilio never
sends (letters, emoji, 500 characters) are wrong input like any other, never an error.
"""
from __future__ import annotations

import re

from app.ivr.flows import Node
from app.ivr.step import Answer, Step, enters, resumes
from app.ivr.validators import check

MAX_UNITS = 8  # keys 1..8 for the caller's units
_KEYS = re.compile(r"[0-9*#]{1,40}")


def missed(node: Node, step: Step, path: str, reason: str | None = None) -> str:
    """Count a silence or a wrong answer at `node`; its path, or the fallback once the tries are used."""
    if step.bump(f"{path}:{node.id}") >= step.tries(node):
        return node["fallback"]
    where = node[path]
    prompt = (where.get("reasons") or {}).get(reason) or where.get("say")
    step.say(prompt)
    return where["goto"]


def typed(answer: Answer) -> str | None:
    """The keys of an answer without the finishing #, or None when they are not keys at all."""
    digits = answer.digits.strip()
    if not _KEYS.fullmatch(digits):
        return None
    return digits[:-1] if digits.endswith("#") and len(digits) > 1 else digits


# --- menu -------------------------------------------------------------------------------

@enters("menu")
def enter_menu(node: Node, step: Step) -> None:
    if step.visits(node) == 1:
        intro = node.get("intro_known") if step.vars.get("caller_known") and node.get("intro_known") else node.get("intro")
        step.say(intro)
    step.say(node["prompt"])
    words = node.get("words") or {}
    hints = ",".join(w for per_key in words.values() for w in per_key.get(step.call.lang, []))
    step.turn.gather(timeout=step.timeout(node), num_digits=1,
                     speech_lang=step.call.lang if words else None, hints=hints or None)
    return None


def _spoken_key(node: Node, step: Step, speech: str) -> str | None:
    heard = speech.strip().lower()
    for key, per_lang in (node.get("words") or {}).items():
        if any(word.lower() in heard for word in per_lang.get(step.call.lang, []) if word):
            return key
    return None


@resumes("menu")
def resume_menu(node: Node, step: Step, answer: Answer) -> str:
    if answer.event != "input":
        return missed(node, step, "on_timeout")
    key = typed(answer) if answer.digits else _spoken_key(node, step, answer.speech)
    if key == "*":
        return node.id
    options = node["options"]
    if key not in options:
        return missed(node, step, "on_invalid")
    step.reset_misses(node)
    if node.get("store"):
        step.vars[node["store"]] = (node.get("values") or {}).get(key, key)
    return options[key]


# --- collect ----------------------------------------------------------------------------

@enters("collect")
def enter_collect(node: Node, step: Step) -> None:
    step.say(node["prompt"])
    low, high = node.get("min_digits"), node.get("max_digits")
    step.turn.gather(timeout=step.timeout(node), finish_on_key="#",
                     num_digits=high if low and low == high else None)
    return None


@resumes("collect")
def resume_collect(node: Node, step: Step, answer: Answer) -> str:
    if answer.event != "input":
        return missed(node, step, "on_timeout")
    digits = typed(answer)
    if digits == "*":
        return node.id
    low, high = node.get("min_digits", 1), node.get("max_digits", 40)
    if digits is None or not digits.isdigit() or not low <= len(digits) <= high:
        return missed(node, step, "on_invalid", "malformed")
    checked = check(node["validate"], digits, step)
    if not checked.ok:
        return missed(node, step, "on_invalid", checked.reason)
    step.reset_misses(node)
    step.vars[node["store"]] = checked.value
    return node["next"]


# --- choose_unit ------------------------------------------------------------------------

@enters("choose_unit")
def enter_choose_unit(node: Node, step: Step) -> str | None:
    """Offer the caller's units of this line by model and serial tail: nothing personal is read out."""
    units = (step.vars.get("units") or [])[:MAX_UNITS]
    if not units:
        return node["other"]
    step.say(node["prompt"])
    for key, unit in enumerate(units, start=1):
        step.say(node["item"], {"key": key, "model": unit["model"], "serial_tail": " ".join(unit["serial_tail"])})
    step.say(node["last"], {"key": node["other_key"]})
    step.turn.gather(timeout=step.timeout(node), num_digits=1)
    return None


@resumes("choose_unit")
def resume_choose_unit(node: Node, step: Step, answer: Answer) -> str:
    if answer.event != "input":
        return missed(node, step, "on_timeout")
    key = typed(answer)
    units = (step.vars.get("units") or [])[:MAX_UNITS]
    if key == "*":
        return node.id
    if key == node["other_key"]:
        step.reset_misses(node)
        return node["other"]
    if key is None or not key.isdigit() or not 1 <= int(key) <= len(units):
        return missed(node, step, "on_invalid")
    step.reset_misses(node)
    step.vars["unit_id"] = units[int(key) - 1]["id"]
    return node["next"]


# --- record -----------------------------------------------------------------------------

@enters("record")
def enter_record(node: Node, step: Step) -> None:
    step.say(node["prompt"])
    step.turn.record(max_seconds=node.get("max_seconds", 60))
    return None


@resumes("record")
def resume_record(node: Node, step: Step, answer: Answer) -> str:
    url = answer.recording_url
    if answer.event != "recorded" or not url or answer.recording_seconds <= 0:
        return missed(node, step, "on_timeout")
    step.reset_misses(node)
    step.vars[node["store"]] = url
    return node["next"]
