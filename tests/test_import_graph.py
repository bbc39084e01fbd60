"""The parts of `app/` import one way: no circle among its sub-packages (app.tickets, app.surveys, ...).

Every import counts, at module top or inside a function (an import moved into a function hides a
circle, it does not remove it), absolute or relative. Imports under `if TYPE_CHECKING:` do not:
they never run. `app/__init__.py` (create_app) is the composition root above every part, not a part.
"""
from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

APP = Path(__file__).resolve().parent.parent / "app"


def _module_name(root: Path, path: Path) -> tuple[str, bool]:
    parts = list(path.relative_to(root.parent).with_suffix("").parts)
    is_package = parts[-1] == "__init__"
    return ".".join(parts[:-1] if is_package else parts), is_package


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _imports(tree: ast.AST):
    """Every import statement in `tree`, at any depth, except those under `if TYPE_CHECKING:`."""
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            yield node
        children = list(ast.iter_child_nodes(node))
        if isinstance(node, ast.If) and _is_type_checking(node):
            children = node.orelse
        stack.extend(children)


def _targets(node: ast.Import | ast.ImportFrom, module: str, is_package: bool, modules: set[str]) -> list[str]:
    """The modules an import statement loads, absolute."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    base = node.module or ""
    if node.level:
        package = module.split(".") if is_package else module.split(".")[:-1]
        package = package[: len(package) - (node.level - 1)]
        base = ".".join(package + ([node.module] if node.module else []))
    # `from app import tickets` and `from . import models` load submodules by name.
    return [base] + [f"{base}.{alias.name}" for alias in node.names if f"{base}.{alias.name}" in modules]


def _part(module: str, root_name: str) -> str | None:
    """The sub-package (or top-level module) of `root_name` that `module` belongs to."""
    parts = module.split(".")
    if parts[0] != root_name or len(parts) < 2:
        return None
    return f"{parts[0]}.{parts[1]}"


def package_graph(root: Path) -> dict[str, dict[str, list[str]]]:
    """part -> {imported part: ["module -> imported module", ...]} among the parts of package `root`."""
    files = {path: _module_name(root, path) for path in sorted(root.rglob("*.py"))}
    modules = {module for module, _ in files.values()}
    graph: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for path, (module, is_package) in files.items():
        source = _part(module, root.name)
        if source is None:
            continue
        for node in _imports(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            for target in _targets(node, module, is_package, modules):
                part = _part(target, root.name)
                if part is None or part == source or part not in modules:
                    continue
                evidence = f"{module} -> {target} (line {node.lineno})"
                if evidence not in graph[source][part]:
                    graph[source][part].append(evidence)
    return graph


def find_cycle(graph: dict[str, dict[str, list[str]]]) -> list[str] | None:
    """One circle of parts, first part repeated at the end, or None when imports go one way."""
    state: dict[str, str] = {}
    path: list[str] = []

    def visit(part: str) -> list[str] | None:
        state[part] = "open"
        path.append(part)
        for nxt in sorted(graph.get(part, {})):
            if state.get(nxt) == "open":
                return path[path.index(nxt):] + [nxt]
            if nxt not in state:
                found = visit(nxt)
                if found:
                    return found
        state[part] = "done"
        path.pop()
        return None

    for part in sorted(graph):
        if part not in state:
            found = visit(part)
            if found:
                return found
    return None


def describe(graph: dict[str, dict[str, list[str]]], cycle: list[str]) -> str:
    lines = [" -> ".join(cycle)]
    for here, there in zip(cycle, cycle[1:]):
        lines.append(f"  {here} -> {there}: " + "; ".join(graph[here][there][:3]))
    return "\n".join(lines)


def test_the_parts_of_app_import_each_other_one_way():
    graph = package_graph(APP)
    cycle = find_cycle(graph)
    assert cycle is None, "import circle among app's packages:\n" + describe(graph, cycle)


def _write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def test_a_circle_hidden_in_a_function_and_a_relative_import_is_found(tmp_path):
    app = _write(tmp_path / "app", {
        "__init__.py": "",
        "tickets/__init__.py": "", "tickets/services.py": "def later():\n    from app.care import hooks\n",
        "care/__init__.py": "", "care/hooks.py": "from ..surveys import opening\n",
        "surveys/__init__.py": "", "surveys/opening.py": "from . import services\n",
        "surveys/services.py": "import app.tickets.services\n",
    })
    graph = package_graph(app)
    assert find_cycle(graph) == ["app.care", "app.surveys", "app.tickets", "app.care"]
    assert graph["app.tickets"]["app.care"] == ["app.tickets.services -> app.care (line 2)",
                                               "app.tickets.services -> app.care.hooks (line 2)"]


def test_imports_for_type_checkers_only_do_not_count(tmp_path):
    app = _write(tmp_path / "app", {
        "__init__.py": "", "units/__init__.py": "", "customers/__init__.py": "",
        "units/models.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from app.customers.models import Customer\n",
        "customers/models.py": "from app.units.models import Unit\n",
    })
    assert find_cycle(package_graph(app)) is None
