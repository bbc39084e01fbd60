"""Loading the flow files of `ivr_flows/`: one TOML file per flow, plus the shared files it includes.

Loading never stops at the first mistake: every problem is kept as `file:node: reason` for
`ivr check`, and whatever could be read is still usable (a call that reaches a broken node gets
the apology path, never Twilio's error message).
"""
from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from app.ivr.schema import COMMON_OPTIONAL, KINDS, NODE_ID, field_problem

FLOW_KEYS = {"kind", "product_line", "languages", "start", "include", "tries", "timeout", "on_max_length"}
FLOW_KINDS = ("hotline", "survey")
DEFAULT_TRIES = 3
DEFAULT_TIMEOUT = 6  # seconds of silence before a menu's timeout path


@dataclass(frozen=True)
class Problem:
    """One mistake in a flow file, printed as `file:node: reason`."""

    file: str
    node: str
    reason: str

    def __str__(self) -> str:
        return f"{self.file}:{self.node}: {self.reason}"


@dataclass(frozen=True)
class Node:
    """One node of a flow, with the file it was written in (for messages)."""

    id: str
    kind: str
    file: str
    fields: dict

    def __getitem__(self, name: str):
        return self.fields[name]

    def get(self, name: str, default=None):
        return self.fields.get(name, default)


@dataclass
class Flow:
    """A flow assembled from its file and the shared files it includes."""

    name: str
    file: str
    kind: str = "hotline"
    product_line: str | None = None
    languages: tuple[str, ...] = ("zh",)
    start: str = ""
    tries: int = DEFAULT_TRIES
    timeout: int = DEFAULT_TIMEOUT
    on_max_length: str | None = None
    nodes: dict[str, Node] = field(default_factory=dict)
    words: dict[str, dict] = field(default_factory=dict)
    word_files: dict[str, str] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)

    def node(self, node_id: str) -> Node:
        """The node `node_id`; KeyError (an internal error: the apology path) when it does not exist."""
        return self.nodes[node_id]

    def word(self, name: str, lang: str) -> str:
        """A word or phrase of the flow in `lang` (falling back to the flow's first language)."""
        entry = self.words.get(name) or {}
        return entry.get(lang, entry.get(self.languages[0], ""))


@dataclass
class FlowSet:
    """Every flow of a directory, by name, and the problems met loading them."""

    root: Path
    flows: dict[str, Flow] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    def hotline(self, product_line: str) -> Flow | None:
        """The flow that answers the hotline of `product_line`."""
        for flow in self.flows.values():
            if flow.kind == "hotline" and flow.product_line == product_line:
                return flow
        return None

    def get(self, name: str) -> Flow | None:
        return self.flows.get(name)


class _Reader:
    """Reads files once each and remembers what went wrong."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.cache: dict[Path, dict | None] = {}
        self.problems: list[Problem] = []

    def shown(self, path: Path) -> str:
        try:
            return f"{self.root.name}/{path.resolve().relative_to(self.root.resolve()).as_posix()}"
        except ValueError:
            return str(path)

    def read(self, path: Path) -> dict | None:
        if path not in self.cache:
            try:
                self.cache[path] = tomllib.loads(path.read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError) as exc:
                self.problems.append(Problem(self.shown(path), "file", f"cannot be read: {exc}"))
                self.cache[path] = None
            except tomllib.TOMLDecodeError as exc:
                self.problems.append(Problem(self.shown(path), "file", f"is not valid TOML: {exc}"))
                self.cache[path] = None
        return self.cache[path]


def load_flows(root: Path) -> FlowSet:
    """Load every `*.toml` directly under `root` as a flow; files they include are read as sub-flows."""
    root = Path(root)
    reader = _Reader(root)
    flowset = FlowSet(root=root)
    if not root.is_dir():
        flowset.problems.append(Problem(str(root), "file", "is not a directory of flows"))
        return flowset
    for path in sorted(root.glob("*.toml")):
        data = reader.read(path)
        if data is not None:
            flowset.flows[path.stem] = _assemble(path, data, reader)
    included = {p.resolve() for p in reader.cache}
    for path in sorted(root.rglob("*.toml")):
        if path.resolve() not in included:
            reader.problems.append(Problem(reader.shown(path), "file", "is included by no flow"))
    flowset.problems.extend(reader.problems)
    return flowset


def _assemble(path: Path, data: dict, reader: _Reader) -> Flow:
    shown = reader.shown(path)
    flow = Flow(name=path.stem, file=shown)
    settings = data.get("flow")
    if not isinstance(settings, dict):
        reader.problems.append(Problem(shown, "flow", "a flow file needs a [flow] table"))
        settings = {}
    _read_settings(flow, settings, reader)
    _add_parts(flow, shown, data, reader, top=True)
    for name in settings.get("include", []) if isinstance(settings.get("include"), list) else []:
        sub = path.parent / str(name)
        if not sub.is_file():
            reader.problems.append(Problem(shown, "flow", f"includes {name!r}, which does not exist"))
            continue
        sub_data = reader.read(sub)
        if sub_data is not None:
            _add_parts(flow, reader.shown(sub), sub_data, reader, top=False)
    return flow


def _read_settings(flow: Flow, settings: dict, reader: _Reader) -> None:
    def bad(reason: str) -> None:
        reader.problems.append(Problem(flow.file, "flow", reason))

    for key in sorted(set(settings) - FLOW_KEYS):
        bad(f"unknown setting {key!r}")
    flow.kind = settings.get("kind", "hotline")
    if flow.kind not in FLOW_KINDS:
        bad(f"kind must be one of {', '.join(FLOW_KINDS)}")
    flow.product_line = settings.get("product_line")
    if flow.kind == "hotline" and not isinstance(flow.product_line, str):
        bad("a hotline flow needs product_line")
    languages = settings.get("languages", ["zh"])
    if not isinstance(languages, list) or not languages or not all(isinstance(x, str) for x in languages):
        bad("languages must be a list such as [\"zh\", \"en\"]")
        languages = ["zh"]
    flow.languages = tuple(languages)
    flow.start = settings.get("start", "")
    if not isinstance(flow.start, str) or not flow.start:
        bad("start must name the first node")
        flow.start = ""
    for key in ("tries", "timeout"):
        if key in settings and field_problem("int", settings[key]):
            bad(f"{key} {field_problem('int', settings[key])}")
    flow.tries = settings.get("tries", DEFAULT_TRIES) if isinstance(settings.get("tries", 0), int) else DEFAULT_TRIES
    flow.timeout = settings.get("timeout", DEFAULT_TIMEOUT) if isinstance(settings.get("timeout", 0), int) else DEFAULT_TIMEOUT
    flow.on_max_length = settings.get("on_max_length")
    if "include" in settings and not isinstance(settings["include"], list):
        bad("include must be a list of file names")


def _add_parts(flow: Flow, shown: str, data: dict, reader: _Reader, *, top: bool) -> None:
    flow.files.append(shown)
    allowed = {"flow", "nodes", "words"} if top else {"nodes", "words"}
    for key in sorted(set(data) - allowed):
        reader.problems.append(Problem(shown, "file", f"unknown table {key!r} (expected {', '.join(sorted(allowed))})"))
    for name, prompt in (data.get("words") or {}).items():
        if name in flow.words:
            reader.problems.append(Problem(shown, f"words.{name}", f"defined twice (also in {flow.word_files[name]})"))
            continue
        flow.words[name] = prompt if isinstance(prompt, dict) else {}
        flow.word_files[name] = shown
        if field_problem("prompt", prompt):
            reader.problems.append(Problem(shown, f"words.{name}", field_problem("prompt", prompt)))
    nodes = data.get("nodes") or {}
    if not isinstance(nodes, dict):
        reader.problems.append(Problem(shown, "nodes", "must be tables [nodes.<id>]"))
        return
    for node_id, fields in nodes.items():
        if node_id in flow.nodes:
            reader.problems.append(Problem(shown, node_id, f"defined twice (also in {flow.nodes[node_id].file})"))
            continue
        if not isinstance(fields, dict):
            reader.problems.append(Problem(shown, node_id, "must be a table"))
            continue
        flow.nodes[node_id] = Node(node_id, str(fields.get("kind", "")), shown, fields)


def schema_problems(node: Node) -> list[str]:
    """Why a node does not fit its kind's schema (empty when it does)."""
    if not NODE_ID.fullmatch(node.id):
        return ["node ids are lower-case letters, digits and _ (at most 32)"]
    kind = KINDS.get(node.kind)
    if kind is None:
        return [f"unknown kind {node.kind!r} (one of {', '.join(KINDS)})"]
    reasons = []
    spec = {**kind.required, **kind.optional, **COMMON_OPTIONAL}
    for name in sorted(set(node.fields) - set(spec) - {"kind"}):
        reasons.append(f"unknown field {name!r} for a {kind.name}")
    for name in kind.required:
        if name not in node.fields:
            reasons.append(f"a {kind.name} needs {name}")
    for name, ftype in spec.items():
        if name in node.fields:
            problem = field_problem(ftype, node.fields[name])
            if problem:
                reasons.append(f"{name} {problem}")
            elif name in kind.choices and node.fields[name] not in kind.choices[name]:
                reasons.append(f"{name} must be one of {', '.join(kind.choices[name])}")
    return reasons
