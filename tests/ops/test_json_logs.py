"""LOG_FORMAT=json: one JSON object a line, with the request id and the CallSid, masked (P-PRIV-4)."""
from __future__ import annotations

import json
import logging

import pytest

from app.observability.logs import JsonFormatter
from tests.ivr.conftest import Phone

CALLER = "+8613911112222"


class JsonLines(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.setFormatter(JsonFormatter())
        self.lines: list[dict] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(json.loads(self.format(record)))


@pytest.fixture
def json_lines():
    root, handler = logging.getLogger(), JsonLines()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    yield handler.lines
    root.removeHandler(handler)
    root.setLevel(level)


def test_a_webhooks_lines_carry_its_request_id_and_call_sid(client, json_lines):
    phone = Phone(client, from_=CALLER)
    reply = client.post("/twilio/voice", data={**phone.params}, headers={"X-Request-Id": "lb-7f3a"})
    assert reply.status_code == 403 and reply.headers["X-Request-Id"] == "lb-7f3a"
    mine = [line for line in json_lines if line.get("request_id") == "lb-7f3a"]
    assert {line["logger"] for line in mine} >= {"app.webhooks.signature", "app.requests"}
    assert all(line["call_sid"] == phone.sid for line in mine)


def test_a_request_without_an_id_gets_a_new_one_in_its_answer(client):
    first, second = client.get("/healthz").headers["X-Request-Id"], client.get("/healthz").headers["X-Request-Id"]
    assert len(first) == 32 and first != second


def test_json_lines_mask_the_callers_number(client, json_lines):
    Phone(client, from_=CALLER).dial()
    logging.getLogger("app.ivr").warning("caller %s waited", CALLER)
    text = json.dumps(json_lines, ensure_ascii=False)
    assert CALLER not in text and "+86139****2222" in text


def test_log_format_json_puts_one_json_handler_on_the_root_logger(make_app):
    root = logging.getLogger()
    before, level = list(root.handlers), root.level
    try:
        for _ in range(2):
            make_app(log_format="json")
        added = [h for h in root.handlers if h not in before]
        assert len(added) == 1 and isinstance(added[0].formatter, JsonFormatter)
    finally:
        for handler in root.handlers[:]:
            if handler not in before:
                root.removeHandler(handler)
        root.setLevel(level)
