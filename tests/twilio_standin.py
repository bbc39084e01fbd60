"""A local stand-in for the slice of Twilio's 2010-04-01 REST API the app uses.

A real HTTP server on loopback (stdlib `ThreadingHTTPServer`), so the real `twilio` SDK, pointed
here with `make_twilio_client(..., api_url=standin.url)`, does real HTTP: form-encoded POSTs,
HTTP Basic auth, Twilio's JSON resources and error shape.

Resources: create/fetch/list Messages, create/fetch/list Calls. Failures and slowness can be
induced per test (`fail_next`, `fail_for`, `set_delay`). A test waits for what the stand-in has
seen with `wait_for` (a condition, woken by every request and every create), never by sleeping
or by trusting a client's timeout to outlast the server's bookkeeping.

In-process::

    with TwilioStandIn() as standin:
        client = make_twilio_client(standin.account_sid, standin.auth_token, api_url=standin.url)

As a process (prints its URL, serves until SIGTERM/SIGINT)::

    python -m tests.twilio_standin --port 8765 --log /tmp/sent.jsonl
"""
from __future__ import annotations

import argparse
import base64
import binascii
import json
import math
import re
import signal
import socket
import sys
import threading
import time
import uuid
from datetime import datetime, timezone
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

API_VERSION = "2010-04-01"
DEFAULT_ACCOUNT_SID = "AC" + "0" * 32
DEFAULT_AUTH_TOKEN = "test-token"
DEFAULT_PAGE_SIZE = 50

# Twilio's wording for the codes tests are likely to induce, so errors look like the real ones.
ERROR_MESSAGES = {
    20003: "Authenticate",
    20404: "The requested resource was not found",
    20429: "Too Many Requests",
    20500: "An internal server error has occurred",
    20503: "Service Unavailable",
    21201: "No 'To' number is specified",
    21205: "Url parameter is required.",
    21211: "Invalid 'To' Phone Number",
    21213: "No 'From' number is specified",
    21602: "Message body is required.",
    21603: "The 'From' phone number is required.",
    21604: "A 'To' phone number is required.",
    21610: "Attempt to send to unsubscribed recipient",
    21614: "'To' number is not a valid mobile number",
    30003: "Unreachable destination handset",
    30006: "Landline or unreachable carrier",
}

_RESOURCES = ("Messages", "Calls")
_COLLECTION_RE = re.compile(rf"^/{API_VERSION}/Accounts/(?P<account>[^/]+)/(?P<resource>Messages|Calls)\.json$")
_RECORDING_RE = re.compile(rf"^/{API_VERSION}/Accounts/(?P<account>[^/]+)/Recordings/(?P<sid>RE[0-9a-f]{{32}})\.json$")
_INSTANCE_RE = re.compile(
    rf"^/{API_VERSION}/Accounts/(?P<account>[^/]+)/(?P<resource>Messages|Calls)/(?P<sid>[^/]+)\.json$"
)

# GSM 03.38: messages using only these fit 160 chars per segment (153 when concatenated);
# anything else forces UCS-2 (70 / 67). Extension characters cost two septets.
_GSM_BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    "ÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
_GSM_EXTENDED = set("^{}\\[~]|€\f")


def count_segments(body: str) -> int:
    """Number of SMS segments Twilio would bill for `body` (GSM-7 or UCS-2)."""
    if not body:
        return 1
    if all(ch in _GSM_BASIC or ch in _GSM_EXTENDED for ch in body):
        septets = sum(2 if ch in _GSM_EXTENDED else 1 for ch in body)
        return 1 if septets <= 160 else math.ceil(septets / 153)
    # UCS-2 counts UTF-16 code units, so characters outside the BMP count twice.
    units = len(body.encode("utf-16-le")) // 2
    return 1 if units <= 70 else math.ceil(units / 67)


def _rfc2822(moment: datetime) -> str:
    """Format like Twilio: 'Wed, 18 Aug 2010 20:01:40 +0000'."""
    return format_datetime(moment.astimezone(timezone.utc))


def _new_sid(prefix: str) -> str:
    """A Twilio-shaped sid: two-letter prefix and 32 lowercase hex digits."""
    return prefix + uuid.uuid4().hex


def _error_body(http_status: int, code: int, message: str | None = None) -> dict:
    """Twilio's JSON error shape."""
    return {
        "code": code,
        "message": message or ERROR_MESSAGES.get(code, "Stand-in induced failure"),
        "more_info": f"https://www.twilio.com/docs/errors/{code}",
        "status": http_status,
    }


class _Server(ThreadingHTTPServer):
    """ThreadingHTTPServer that remembers live connections so stop() can cut them."""

    daemon_threads = True

    def __init__(self, address, handler, standin: "TwilioStandIn"):
        self.standin = standin
        self._live: dict[socket.socket, int] = {}
        self._live_lock = threading.Lock()
        self._accepted = 0
        super().__init__(address, handler)

    def process_request(self, request, client_address):
        """Number and track the connection, then hand it to a handler thread.

        Connections are accepted one at a time, in the order the kernel queued them, so the
        numbers are the order in which clients connected."""
        with self._live_lock:
            self._accepted += 1
            self._live[request] = self._accepted
        super().process_request(request, client_address)

    def connection_number(self, request) -> int:
        """The 1-based accept order of this connection."""
        with self._live_lock:
            return self._live.get(request, 0)

    def shutdown_request(self, request):
        """Forget the connection once its handler is done with it."""
        with self._live_lock:
            self._live.pop(request, None)
        super().shutdown_request(request)

    def cut_live_connections(self) -> None:
        """Shut down every open keep-alive connection so handler threads end now."""
        with self._live_lock:
            live = list(self._live)
        for sock in live:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def handle_error(self, request, client_address):
        """Ignore clients that hung up (e.g. after a client-side timeout); report the rest."""
        if isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            return
        super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    """Routes one HTTP request to the stand-in."""

    # Keep-alive like Twilio, so the SDK's pooled requests session is exercised as in production.
    protocol_version = "HTTP/1.1"
    server_version = "TwilioStandIn/1.0"
    sys_version = ""
    timeout = 60  # idle keep-alive connections end eventually in long-running process mode
    # Headers and body go out in two writes; with Nagle on, delayed ACKs add ~40 ms per answer.
    disable_nagle_algorithm = True

    def log_message(self, format, *args):  # noqa: A002 - stdlib signature
        """Stay quiet; the stand-in's `requests` list is the log."""

    def do_GET(self):  # noqa: N802 - stdlib naming
        """Fetch or list."""
        self._dispatch("GET")

    def do_POST(self):  # noqa: N802 - stdlib naming
        """Create."""
        self._dispatch("POST")

    def do_DELETE(self):  # noqa: N802 - stdlib naming
        """Delete a recording; anything else is answered 405 like Twilio does."""
        self._dispatch("DELETE")

    def _dispatch(self, method: str) -> None:
        """Read the request fully, let the stand-in answer it, write the answer."""
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        split = urlsplit(self.path)
        status, payload = self.server.standin._handle(
            method=method,
            path=split.path,
            query=parse_qs(split.query, keep_blank_values=True),
            form=parse_qs(raw.decode("utf-8"), keep_blank_values=True) if raw else {},
            authorization=self.headers.get("Authorization"),
            connection=self.server.connection_number(self.request),
        )
        body = b"" if status == 204 else json.dumps(payload).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Twilio-Request-Id", _new_sid("RQ"))
        if status == 401:
            self.send_header("WWW-Authenticate", 'Basic realm="Twilio API"')
        self.end_headers()
        self.wfile.write(body)


def _flatten(fields: dict[str, list[str]]) -> dict[str, str | list[str]]:
    """parse_qs gives lists; keep single values as strings, repeated ones (MediaUrl) as lists."""
    return {key: values[0] if len(values) == 1 else values for key, values in fields.items()}


class TwilioStandIn:
    """A loopback HTTP server answering like Twilio's Messages and Calls resources.

    `messages`, `calls` and `requests` are snapshots (copies) taken under a lock, safe to read
    while the SDK is talking to the server from other threads.
    """

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        account_sid: str = DEFAULT_ACCOUNT_SID,
        auth_token: str = DEFAULT_AUTH_TOKEN,
        log_path: str | Path | None = None,
    ):
        """Configure; nothing listens until `start()`. `log_path` gets one JSON line per message."""
        self.host = host
        self.port = port
        self.account_sid = account_sid
        self.auth_token = auth_token
        self.log_path = Path(log_path) if log_path else None
        self._lock = threading.RLock()
        # Woken whenever a request is logged or a message or call created (see wait_for).
        self._changed = threading.Condition(self._lock)
        self._stopping = threading.Event()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._reset_state()

    # -- lifecycle ------------------------------------------------------------------------------

    def start(self) -> "TwilioStandIn":
        """Bind and serve in a daemon thread; returns self (so `TwilioStandIn().start()` works)."""
        if self._server is not None:
            raise RuntimeError("stand-in already started")
        self._stopping.clear()
        self._server = _Server((self.host, self.port), _Handler, self)
        self.port = self._server.server_address[1]
        # A short poll interval keeps stop() (and so each test's teardown) fast.
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02},
            name=f"twilio-standin-{self.port}", daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving, wake delayed answers and close every connection."""
        server, self._server = self._server, None
        if server is None:
            return
        self._stopping.set()
        server.shutdown()
        server.cut_live_connections()
        server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> "TwilioStandIn":
        """Start on entry."""
        return self.start()

    def __exit__(self, *exc_info) -> None:
        """Stop on exit."""
        self.stop()

    @property
    def url(self) -> str:
        """Base URL to give the SDK, e.g. "http://127.0.0.1:8765"."""
        return f"http://{self.host}:{self.port}"

    # -- what happened --------------------------------------------------------------------------

    @property
    def messages(self) -> list[dict]:
        """Every created message, oldest first: sid, to, from, body, messaging_service_sid,
        status_callback, status, date_created (RFC 2822, as in Twilio's JSON)."""
        with self._lock:
            return [dict(m) for m in self._messages]

    @property
    def calls(self) -> list[dict]:
        """Every created call, oldest first: sid, to, from, url, status_callback, status,
        date_created."""
        with self._lock:
            return [dict(c) for c in self._calls]

    @property
    def requests(self) -> list[dict]:
        """Every HTTP request received, in arrival order: method, path, query, form, auth_ok,
        received_at, connection (the accept order of its connection). Logged on arrival, so a
        request whose answer the client never read is here, once `wait_for` has seen it."""
        with self._lock:
            return [dict(r) for r in self._requests]

    def wait_for(self, condition, timeout: float = 30.0) -> bool:
        """Block until `condition(self)` holds; False if it still does not after `timeout` s.

        A client may give up (its timeout) before the server has read its request: what the
        stand-in saw is known only once it says so. `timeout` only bounds a test that would
        otherwise hang; nothing waits for it when the condition comes true.
        """
        with self._changed:
            return self._changed.wait_for(lambda: condition(self), timeout)

    # -- steering -------------------------------------------------------------------------------

    def fail_next(
        self,
        n: int = 1,
        *,
        http_status: int = 400,
        code: int = 21211,
        message: str | None = None,
        resource: str = "Messages",
        created: bool = False,
    ) -> None:
        """Make the next `n` creates of `resource` ("Messages" or "Calls") fail with this error.

        `created`: the resource is made first and then the error answered, as when Twilio
        failed after accepting the request (a 5xx does not prove nothing was sent).
        Requests rejected for auth or validation do not use up a queued failure.
        """
        if resource not in _RESOURCES:
            raise ValueError(f"resource must be one of {_RESOURCES}, not {resource!r}")
        failure = (http_status, _error_body(http_status, code, message), created)
        with self._lock:
            self._fail_queue[resource].extend([failure] * n)

    def fail_for(
        self, to: str, *, http_status: int = 400, code: int = 21211, message: str | None = None
    ) -> None:
        """Make every create (message or call) to `to` fail with this error until `reset()`."""
        with self._lock:
            self._fail_for[to] = (http_status, _error_body(http_status, code, message), False)

    def set_delay(self, seconds: float) -> None:
        """Answer every create only after `seconds` (the resource is created first, as when
        Twilio accepted a request whose answer got lost)."""
        with self._lock:
            self._delay = max(0.0, float(seconds))

    def reset(self) -> None:
        """Forget all messages, calls, requests, induced failures and delay."""
        with self._lock:
            self._reset_state()

    def _reset_state(self) -> None:
        """(Re)initialise mutable state; callers hold the lock (or are __init__)."""
        self._messages: list[dict] = []
        self._calls: list[dict] = []
        self._requests: list[dict] = []
        self._resources: dict[str, dict[str, dict]] = {"Messages": {}, "Calls": {}}
        self._recordings: set[str] = set()
        self._fail_queue: dict[str, list[tuple[int, dict, bool]]] = {r: [] for r in _RESOURCES}
        self._fail_for: dict[str, tuple[int, dict, bool]] = {}
        self._delay = 0.0

    # -- request handling (called from handler threads) -----------------------------------------

    def _auth_ok(self, authorization: str | None) -> bool:
        """Whether the Basic credentials are this stand-in's account sid and auth token."""
        if not authorization or not authorization.startswith("Basic "):
            return False
        try:
            user, _, password = base64.b64decode(authorization[6:]).decode("utf-8").partition(":")
        except (binascii.Error, UnicodeDecodeError):
            return False
        return user == self.account_sid and password == self.auth_token

    def _handle(self, *, method, path, query, form, authorization, connection=0) -> tuple[int, dict]:
        """Answer one request: (HTTP status, JSON payload)."""
        auth_ok = self._auth_ok(authorization)
        with self._changed:
            self._requests.append({
                "method": method,
                "path": path,
                "query": _flatten(query),
                "form": _flatten(form),
                "auth_ok": auth_ok,
                "received_at": time.time(),
                "connection": connection,
            })
            self._changed.notify_all()
        collection = _COLLECTION_RE.match(path)
        instance = _INSTANCE_RE.match(path)
        recording = _RECORDING_RE.match(path)
        is_create = method == "POST" and collection is not None

        if not auth_ok:
            result = 401, _error_body(401, 20003)
        elif recording and recording["account"] == self.account_sid and method == "DELETE":
            result = self._delete_recording(recording["sid"], path)
        elif not (collection or instance) or (collection or instance)["account"] != self.account_sid:
            result = 404, _error_body(404, 20404, f"The requested resource {path} was not found")
        elif collection and method == "POST":
            result = self._create(collection["resource"], _flatten(form))
        elif collection and method == "GET":
            result = self._list(collection["resource"], path, _flatten(query))
        elif instance and method == "GET":
            result = self._fetch(instance["resource"], instance["sid"], path)
        else:
            result = 405, _error_body(405, 20004, "Method not allowed")

        if is_create:
            with self._lock:
                delay = self._delay
            if delay:
                # Interruptible, so stop() does not wait for sleeping handlers.
                self._stopping.wait(delay)
        return result

    def _induced_failure(self, resource: str, to: str) -> tuple[int, dict, bool] | None:
        """The failure this create should get, if a test asked for one; caller holds the lock."""
        if to in self._fail_for:
            return self._fail_for[to]
        if self._fail_queue[resource]:
            return self._fail_queue[resource].pop(0)
        return None

    def add_recording(self) -> str:
        """A recording as a call leaves one; returns its URL as Twilio gives it in RecordingUrl."""
        sid = _new_sid("RE")
        with self._lock:
            self._recordings.add(sid)
        return f"{self.url}/{API_VERSION}/Accounts/{self.account_sid}/Recordings/{sid}"

    @property
    def recordings(self) -> set[str]:
        """The sids of the recordings not deleted."""
        with self._lock:
            return set(self._recordings)

    def _delete_recording(self, sid: str, path: str) -> tuple[int, dict | None]:
        with self._lock:
            if sid not in self._recordings:
                return 404, _error_body(404, 20404, f"The requested resource {path} was not found")
            self._recordings.discard(sid)
        return 204, None

    def _create(self, resource: str, form: dict) -> tuple[int, dict]:
        """POST Messages.json / Calls.json."""
        if resource == "Messages":
            return self._create_message(form)
        return self._create_call(form)

    def _create_message(self, form: dict) -> tuple[int, dict]:
        """Validate like Twilio, apply induced failures, then record a queued message."""
        to = form.get("To") or ""
        from_ = form.get("From") or None
        service = form.get("MessagingServiceSid") or None
        body = form.get("Body") or ""
        if not to:
            return 400, _error_body(400, 21604)
        if not from_ and not service:
            return 400, _error_body(400, 21603)
        if not body and not form.get("MediaUrl") and not form.get("ContentSid"):
            return 400, _error_body(400, 21602)

        now = _rfc2822(datetime.now(timezone.utc))
        sid = _new_sid("SM")
        uri = f"/{API_VERSION}/Accounts/{self.account_sid}/Messages/{sid}.json"
        media = form.get("MediaUrl") or []
        resource = {
            "account_sid": self.account_sid,
            "api_version": API_VERSION,
            "body": body,
            "date_created": now,
            "date_sent": None,
            "date_updated": now,
            "direction": "outbound-api",
            "error_code": None,
            "error_message": None,
            "from": from_,
            "messaging_service_sid": service,
            "num_media": str(len(media) if isinstance(media, list) else 1),
            "num_segments": str(count_segments(body)),
            "price": None,
            "price_unit": "USD",
            "sid": sid,
            # Twilio answers "accepted" while a Messaging Service still has to pick the sender.
            "status": "accepted" if service else "queued",
            "subresource_uris": {
                "media": uri.replace(".json", "/Media.json"),
                "feedback": uri.replace(".json", "/Feedback.json"),
            },
            "to": to,
            "uri": uri,
        }
        with self._changed:
            failure = self._induced_failure("Messages", to)
            if failure is not None and not failure[2]:
                return failure[:2]
            self._resources["Messages"][sid] = resource
            self._messages.append({
                "sid": sid,
                "to": to,
                "from": from_,
                "body": body,
                "messaging_service_sid": service,
                "status_callback": form.get("StatusCallback") or None,
                "status": resource["status"],
                "date_created": now,
            })
            if self.log_path is not None:
                with self.log_path.open("a", encoding="utf-8") as log:
                    log.write(json.dumps({"sid": sid, "to": to, "body": body}, ensure_ascii=False) + "\n")
            self._changed.notify_all()
        if failure is not None:
            return failure[:2]
        return 201, dict(resource)

    def _create_call(self, form: dict) -> tuple[int, dict]:
        """Validate like Twilio, apply induced failures, then record a queued call."""
        to = form.get("To") or ""
        from_ = form.get("From") or ""
        url = form.get("Url") or None
        if not to:
            return 400, _error_body(400, 21201)
        if not from_:
            return 400, _error_body(400, 21213)
        if not url and not form.get("Twiml") and not form.get("ApplicationSid"):
            return 400, _error_body(400, 21205)

        now = _rfc2822(datetime.now(timezone.utc))
        sid = _new_sid("CA")
        uri = f"/{API_VERSION}/Accounts/{self.account_sid}/Calls/{sid}.json"
        resource = {
            "account_sid": self.account_sid,
            "annotation": None,
            "answered_by": None,
            "api_version": API_VERSION,
            "caller_name": None,
            "date_created": now,
            "date_updated": now,
            "direction": "outbound-api",
            "duration": None,
            "end_time": None,
            "forwarded_from": None,
            "from": from_,
            "from_formatted": from_,
            "group_sid": None,
            "parent_call_sid": None,
            "phone_number_sid": None,
            "price": None,
            "price_unit": "USD",
            "queue_time": "0",
            "sid": sid,
            "start_time": None,
            "status": "queued",
            "subresource_uris": {
                "notifications": uri.replace(".json", "/Notifications.json"),
                "recordings": uri.replace(".json", "/Recordings.json"),
            },
            "to": to,
            "to_formatted": to,
            "trunk_sid": None,
            "uri": uri,
        }
        with self._changed:
            failure = self._induced_failure("Calls", to)
            if failure is not None and not failure[2]:
                return failure[:2]
            self._resources["Calls"][sid] = resource
            self._calls.append({
                "sid": sid,
                "to": to,
                "from": from_,
                "url": url,
                "status_callback": form.get("StatusCallback") or None,
                "status": "queued",
                "date_created": now,
            })
            self._changed.notify_all()
        if failure is not None:
            return failure[:2]
        return 201, dict(resource)

    def _fetch(self, resource: str, sid: str, path: str) -> tuple[int, dict]:
        """GET Messages/{sid}.json or Calls/{sid}.json."""
        with self._lock:
            found = self._resources[resource].get(sid)
        if found is None:
            return 404, _error_body(404, 20404, f"The requested resource {path} was not found")
        return 200, dict(found)

    def _list(self, resource: str, path: str, query: dict) -> tuple[int, dict]:
        """GET Messages.json / Calls.json: newest first, filtered by To/From, paged like Twilio."""
        try:
            page_size = max(1, min(1000, int(query.get("PageSize") or DEFAULT_PAGE_SIZE)))
            page = max(0, int(query.get("Page") or 0))
        except ValueError:
            return 400, _error_body(400, 20001, "Invalid paging parameter")
        with self._lock:
            records = list(self._resources[resource].values())
        records.reverse()  # dicts keep insertion order; Twilio lists most recent first
        for field in ("To", "From"):
            if query.get(field):
                records = [r for r in records if r.get(field.lower()) == query[field]]

        start = page * page_size
        chunk = records[start:start + page_size]
        filters = {k: query[k] for k in ("To", "From") if query.get(k)}

        def page_uri(number: int) -> str:
            return f"{path}?" + urlencode({**filters, "PageSize": page_size, "Page": number})

        has_next = start + page_size < len(records)
        return 200, {
            "end": start + len(chunk) - 1 if chunk else start,
            "first_page_uri": page_uri(0),
            resource.lower(): [dict(r) for r in chunk],
            "next_page_uri": page_uri(page + 1) if has_next else None,
            "page": page,
            "page_size": page_size,
            "previous_page_uri": page_uri(page - 1) if page > 0 else None,
            "start": start,
            "uri": page_uri(page),
        }


def main(argv: list[str] | None = None) -> None:
    """Run the stand-in as a process: print its URL, serve until SIGTERM or SIGINT."""
    parser = argparse.ArgumentParser(description="Local stand-in for Twilio's REST API")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--account-sid", default=DEFAULT_ACCOUNT_SID)
    parser.add_argument("--auth-token", default=DEFAULT_AUTH_TOKEN)
    parser.add_argument("--log", metavar="FILE", help="append one JSON line per created message")
    args = parser.parse_args(argv)

    done = threading.Event()
    # Signal handlers run in the main thread; just wake it so stop() runs outside the handler.
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    signal.signal(signal.SIGINT, lambda *_: done.set())
    standin = TwilioStandIn(
        host=args.host, port=args.port, account_sid=args.account_sid,
        auth_token=args.auth_token, log_path=args.log,
    ).start()
    print(standin.url, flush=True)
    try:
        while not done.wait(0.5):
            pass
    finally:
        standin.stop()


if __name__ == "__main__":
    main()
