"""Running a flow: enter nodes until one waits for the caller, and resume it with Twilio's answer."""
from __future__ import annotations

from app.ivr import nodes_flow, nodes_input, nodes_service  # noqa: F401  (register the executors)
from app.ivr.step import ENTER, RESUME, Answer, Step

# More nodes than this without waiting for the caller is a loop the check should have refused.
MAX_HOPS = 80


class FlowError(RuntimeError):
    """The flow cannot go on (a missing node, a loop): the caller gets the apology path."""


def run(step: Step, node_id: str) -> None:
    """Enter `node_id` and follow the flow until a node waits; that node is where the call now stands."""
    for _ in range(MAX_HOPS):
        try:
            node = step.flow.node(node_id)
        except KeyError:
            raise FlowError(f"{step.flow.name}: no node {node_id!r}") from None
        enter = ENTER.get(node.kind)
        if enter is None:
            raise FlowError(f"{node.file}:{node.id}: unknown kind {node.kind!r}")
        step.counters[f"visits:{node.id}"] = step.visits(node) + 1
        if node.get("service"):
            # The caller chose a service: until a ticket or a person takes it, a hang-up owes a callback.
            step.call.service, step.call.service_done = node["service"], False
        following = enter(node, step)
        if following is None:
            step.call.node = node.id
            return
        node_id = following
    raise FlowError(f"{step.flow.name}: more than {MAX_HOPS} nodes without the caller (a loop?)")


def resume(step: Step, answer: Answer) -> None:
    """Give `answer` to the node the call waits at, then run on from where it leads."""
    try:
        node = step.flow.node(step.call.node)
    except KeyError:
        raise FlowError(f"{step.flow.name}: the call waits at unknown node {step.call.node!r}") from None
    take = RESUME.get(node.kind)
    if take is None:
        run(step, node.id)  # a node that takes no answer (e.g. a hang-up) is simply said again
        return
    run(step, take(node, step, answer))
