"""`ivr check`: every mistake a flow author can make, as `file:node: reason`, before a caller meets it.

Refused: a node that does not fit its kind's schema, a target that does not exist (dangling), a
node no call can reach, a menu without its timeout or invalid-key path, a prompt missing in one of
the flow's languages, an unknown placeholder, a loop that passes no counting node (it would spin
without the caller), and a write before the caller's first answer (the welcome is not stored).
"""
from __future__ import annotations

from pathlib import Path

from app.ivr.flows import Flow, FlowSet, Node, Problem, load_flows, schema_problems
from app.ivr.predicates import TESTS
from app.ivr.prompts import ITEM_NAMES, SPOKEN, VARIABLES, placeholders
from app.ivr.schema import KINDS, edges, prompts_of


def check_flows(root: Path) -> list[Problem]:
    """Every problem of the flows under `root`, each once, in a stable order."""
    return check_flowset(load_flows(root))


def check_flowset(flowset: FlowSet) -> list[Problem]:
    problems = list(flowset.problems)
    if not flowset.flows and not problems:
        problems.append(Problem(str(flowset.root), "file", "holds no flow files"))
    for flow in flowset.flows.values():
        problems.extend(_flow_problems(flow))
    unique = list(dict.fromkeys(problems))
    return unique


def _flow_problems(flow: Flow) -> list[Problem]:
    problems: list[Problem] = []
    for node in flow.nodes.values():
        problems.extend(Problem(node.file, node.id, reason) for reason in schema_problems(node))
    sound = {n.id: n for n in flow.nodes.values() if not schema_problems(n)}
    for node in sound.values():
        problems.extend(_node_problems(flow, node))
    problems.extend(_word_problems(flow))
    for field_name, target in (("start", flow.start), ("on_max_length", flow.on_max_length)):
        if target and target not in flow.nodes:
            problems.append(Problem(flow.file, "flow", f"{field_name} {target!r} is not a node"))
    problems.extend(_reach_problems(flow, sound))
    problems.extend(_loop_problems(flow, sound))
    problems.extend(_welcome_problems(flow, sound))
    return problems


def _node_problems(flow: Flow, node: Node) -> list[Problem]:
    kind = KINDS[node.kind]
    out = []
    for label, target in edges(kind, node.fields):
        if target not in flow.nodes:
            out.append(f"{label} leads to {target!r}, which is not a node")
    known = set(VARIABLES) | set(SPOKEN) | ITEM_NAMES | set(flow.words) | _stored_names(flow)
    for field_name, prompt in prompts_of(kind, node.fields):
        for lang in flow.languages:
            if lang not in prompt:
                out.append(f"{field_name} has no {lang!r} text")
        for key, text in prompt.items():
            spoken = key[1:] if key.startswith("+") else key
            if spoken not in flow.languages:
                out.append(f"{field_name} has text in {key!r}, a language the flow does not speak")
            try:
                unknown = [p for p in placeholders(text) if p not in known]
            except ValueError:
                out.append(f"{field_name} ({key}) has unbalanced braces")
                continue
            if unknown:
                out.append(f"{field_name} ({key}) uses unknown placeholder(s) {', '.join(unknown)}")
    if node.kind == "branch" and node["test"] not in TESTS:
        out.append(f"test {node['test']!r} is not one of {', '.join(TESTS)}")
    if node.kind == "set_language" and node["lang"] not in (*flow.languages, "next"):
        out.append(f"lang must be one of {', '.join(flow.languages)} or next")
    if node.kind == "menu":
        for name in ("values", "words"):
            extra = set(node.get(name) or {}) - set(node["options"])
            if extra:
                out.append(f"{name} has key(s) {', '.join(sorted(extra))} that are not options")
    if node.kind == "collect" and node.get("min_digits", 1) > node.get("max_digits", 40):
        out.append("min_digits is more than max_digits")
    if node.kind in ("create_ticket", "fee_card", "send_text") and flow.kind != "hotline":
        out.append(f"a {node.kind} needs a hotline flow (a product line)")
    return [Problem(node.file, node.id, reason) for reason in out]


def _stored_names(flow: Flow) -> set[str]:
    return {n.fields["store"] for n in flow.nodes.values() if isinstance(n.fields.get("store"), str)}


def _word_problems(flow: Flow) -> list[Problem]:
    out = []
    for name, prompt in flow.words.items():
        for lang in flow.languages:
            if lang not in prompt:
                out.append(Problem(flow.word_files[name], f"words.{name}", f"has no {lang!r} text"))
    return out


def _graph(flow: Flow, sound: dict[str, Node]) -> dict[str, list[str]]:
    return {nid: [t for _, t in edges(KINDS[n.kind], n.fields) if t in flow.nodes] for nid, n in sound.items()}


def _reach_problems(flow: Flow, sound: dict[str, Node]) -> list[Problem]:
    graph = _graph(flow, sound)
    seen: set[str] = set()
    todo = [t for t in (flow.start, flow.on_max_length) if t in flow.nodes]
    while todo:
        nid = todo.pop()
        if nid not in seen:
            seen.add(nid)
            todo.extend(graph.get(nid, []))
    return [Problem(n.file, n.id, f"unreachable: no path leads here from {flow.start!r} in {flow.file}")
            for n in flow.nodes.values() if n.id not in seen]


def _loop_problems(flow: Flow, sound: dict[str, Node]) -> list[Problem]:
    """Cycles among nodes that count nothing: the engine would go round them without the caller."""
    free = {nid for nid, n in sound.items() if not KINDS[n.kind].counted}
    graph = {nid: [t for t in targets if t in free] for nid, targets in _graph(flow, sound).items() if nid in free}
    problems = []
    for component in _cycles(graph):
        first = min(component)
        node = flow.nodes[first]
        path = " -> ".join(sorted(component))
        problems.append(Problem(node.file, first, f"loop with no counter: {path} (add a menu or collect to it)"))
    return problems


def _cycles(graph: dict[str, list[str]]) -> list[set[str]]:
    """Strongly connected components that contain a cycle (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[set[str]] = []
    counter = 0
    for root in graph:
        if root in index:
            continue
        work = [(root, iter(graph[root]))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            nid, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(graph[child])))
                elif child in on_stack:
                    low[nid] = min(low[nid], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[nid])
            if low[nid] == index[nid]:
                component = set()
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.add(member)
                    if member == nid:
                        break
                if len(component) > 1 or nid in graph[nid]:
                    found.append(component)
    return found


def _welcome_problems(flow: Flow, sound: dict[str, Node]) -> list[Problem]:
    """Nodes run before the caller's first answer must not write: the welcome is not stored."""
    problems, seen, todo = [], set(), [flow.start] if flow.start in sound else []
    while todo:
        nid = todo.pop()
        if nid in seen or nid not in sound:
            continue
        seen.add(nid)
        node = sound[nid]
        kind = KINDS[node.kind]
        if kind.writes:
            problems.append(Problem(node.file, nid, "writes before the caller's first answer (the welcome is not stored)"))
        if not kind.waits:
            todo.extend(t for _, t in edges(kind, node.fields))
    return problems
