"""Logs a machine can read: `LOG_FORMAT=json` writes one JSON object a line on stderr.

Each line carries the request id (the `X-Request-Id` the load balancer sent, or a new one, given
back in the response's `X-Request-Id`) and, on a Twilio webhook, the CallSid or MessageSid, so
every line of one caller's step can be found together. The message and traceback are the ones
app.log_redaction masked when the record was made (P-PRIV-4); nothing here renders them again
from the raw arguments. Each request also leaves one line on `app.requests` (method, route,
status, milliseconds) at INFO.
"""
from __future__ import annotations

import json
import logging
import re
import sys
import time
import uuid
from datetime import datetime, timezone

from flask import Flask, g, has_request_context, request

from app.log_redaction import install as install_redaction

REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s"
requests_log = logging.getLogger("app.requests")


class JsonFormatter(logging.Formatter):
    """One JSON object per record: time, level, logger, message, request id, Sids, traceback."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {"ts": datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="milliseconds"),
                 "level": record.levelname, "logger": record.name, "message": record.getMessage(),
                 "process": record.process}
        if has_request_context():
            for field in ("request_id", "call_sid", "message_sid"):
                value = g.get(field)
                if value:
                    entry[field] = value
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            entry["exc"] = record.exc_text
        return json.dumps(entry, ensure_ascii=False)


class _JsonHandler(logging.StreamHandler):
    """The one stderr handler `use_json_logs` installs (so installing twice replaces it)."""


def use_json_logs(level: int = logging.INFO) -> None:
    """Every logger writes JSON lines to stderr through the root logger, masked (idempotent)."""
    install_redaction()
    root = logging.getLogger()
    for handler in list(root.handlers):
        if isinstance(handler, _JsonHandler) or type(handler) is logging.StreamHandler:
            root.removeHandler(handler)
    handler = _JsonHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    root.addHandler(handler)
    root.setLevel(level)


def configure_process_logging(log_format: str, *, text_format: str = TEXT_FORMAT) -> None:
    """For the processes that are not the web app (scheduler, dispatcher): JSON or plain lines."""
    if log_format == "json":
        use_json_logs()
    else:
        logging.basicConfig(level=logging.INFO, stream=sys.stderr, format=text_format)


def _begin() -> None:
    given = request.headers.get("X-Request-Id", "")
    g.request_id = given if REQUEST_ID.fullmatch(given) else uuid.uuid4().hex
    g.request_started = time.perf_counter()
    if request.path.startswith("/twilio/") and request.method == "POST":
        g.call_sid = request.form.get("CallSid", "")[:64] or None
        g.message_sid = request.form.get("MessageSid", "")[:64] or None


def _end(response):
    response.headers["X-Request-Id"] = g.get("request_id", "")
    if requests_log.isEnabledFor(logging.INFO):
        route = request.url_rule.rule if request.url_rule is not None else request.path[:100]
        elapsed = (time.perf_counter() - g.get("request_started", time.perf_counter())) * 1000
        requests_log.info("%s %s %s %.1f ms", request.method, route, response.status_code, elapsed)
    return response


def register_request_logging(app: Flask) -> None:
    """Request ids on every request; JSON lines on stderr when LOG_FORMAT=json."""
    app.before_request(_begin)
    app.after_request(_end)
    if app.extensions["settings"].log_format == "json":
        use_json_logs()
