"""Executors of the nodes that steer a call: say, branch, language, sub-flows, hand-off, hang-up."""
from __future__ import annotations

from app.ivr.flows import Node
from app.ivr.predicates import TESTS
from app.ivr.staffing import is_staffed
from app.ivr.step import Answer, Step, enters, resumes


@enters("say")
def enter_say(node: Node, step: Step) -> str:
    step.say(node["prompt"])
    return node["next"]


@enters("branch")
def enter_branch(node: Node, step: Step) -> str:
    test = TESTS.get(node["test"])
    if test is None:
        raise RuntimeError(f"{node.file}:{node.id}: unknown test {node['test']!r}")
    return node["then"] if test(step) else node["else"]


@enters("set_language")
def enter_set_language(node: Node, step: Step) -> str:
    languages = step.flow.languages
    wanted = node["lang"]
    if wanted == "next":
        current = languages.index(step.call.lang) if step.call.lang in languages else -1
        wanted = languages[(current + 1) % len(languages)]
    if wanted in languages:
        step.call.lang = wanted
    return node["next"]


@enters("call")
def enter_call(node: Node, step: Step) -> str:
    step.push(node["next"])
    return node["sub"]


@enters("return")
def enter_return(node: Node, step: Step) -> str:
    return step.pop()


@enters("hangup")
def enter_hangup(node: Node, step: Step) -> None:
    step.say(node.get("prompt"))
    step.turn.hangup()
    step.call.finished = True
    return None


@enters("handoff")
def enter_handoff(node: Node, step: Step) -> str | None:
    """Ring the staff phones when someone is there; otherwise the `closed` path (a callback ticket)."""
    settings = step.settings
    if not is_staffed(settings.ivr_staffed_hours, settings.ivr_staff_numbers, step.now, step.tz):
        return node["closed"]
    step.say(node["prompt"])
    step.turn.dial(settings.ivr_staff_numbers, timeout=settings.ivr_handoff_timeout)
    return None


@resumes("handoff")
def resume_handoff(node: Node, step: Step, answer: Answer) -> str:
    if answer.event == "dialled" and answer.dial_status == "completed":
        # A person spoke with the caller: the request is in human hands.
        step.call.service_done = True
        step.call.finished = True
        return node["next"]
    return node["no_answer"]
