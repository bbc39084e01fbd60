"""Each rule and constant has one owner in app/: ticket history, the hotline numbers, daily windows."""
from __future__ import annotations

import ast
import re
from pathlib import Path

APP = Path(__file__).resolve().parent.parent / "app"


def _sources():
    for path in sorted(APP.rglob("*.py")):
        yield path.relative_to(APP.parent).as_posix(), path.read_text(encoding="utf-8")


def test_ticket_events_are_written_by_app_tickets_alone():
    writers = set()
    for name, text in _sources():
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "TicketEvent":
                writers.add(name)
    assert writers and all(name.startswith("app/tickets/") for name in writers), sorted(writers)


# A hotline's digits however they are written: 4006757888, 400 675 7888, 400-675-7888.
_HOTLINE = re.compile(r"400[\s-]?\d{3}[\s-]?\d{4}")
# `ivr call --to`'s help shows a number to dial, as an example of the option's form.
_EXAMPLES = {"app/commands/ivr.py"}


def test_the_hotline_numbers_are_typed_in_app_product_lines_alone():
    typed = {name for name, text in _sources() if _HOTLINE.search(text)} - _EXAMPLES
    assert typed == {"app/product_lines.py"}


_WINDOW_RULE = re.compile(r">=\s*\w*\.?start\s+or\s+\w+\s*<\s*\w*\.?end")


def test_the_daily_window_rule_is_written_in_app_daily_window_alone():
    written = {name for name, text in _sources() if _WINDOW_RULE.search(text)}
    assert written == {"app/daily_window.py"}
