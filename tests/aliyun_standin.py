"""A local stand-in for the slice of Alibaba Cloud SMS (dysmsapi 2017-05-25) the app uses.

A real HTTP server on loopback (stdlib `ThreadingHTTPServer`): the real SDK, given
`ALIYUN_SMS_ENDPOINT=http://127.0.0.1:PORT`, signs and sends real requests. Each is checked as
Alibaba checks it: the ACS3-HMAC-SHA256 `Authorization` (canonical request over method, path,
sorted query, the signed headers and the body's SHA-256, keyed with the AccessKey secret), the
body hash, `x-acs-date` within 15 minutes and a `x-acs-signature-nonce` never seen before.

Actions: SendSms, SendBatchSms (one BizId for the batch) and QuerySendDetails. The registered
signatures and templates are the app's own `sms_templates/aliyun.toml` (what the console holds),
so the text the stand-in "delivers" is Alibaba's composition of the registered template.

Steering: `fail_next(n, code=...)` (a business Code in an HTTP 200), `fail_next(n, http_status=500)`,
`fail_next(n, http_status=500, after_send=True)` (sent, then the answer fails: the ambiguous case),
`set_delay(seconds)` (sent, then answered late). `report_payload` / `reply_payload` build the JSON
arrays Alibaba pushes; `push(url, payload)` posts one to a running app.

As a process (prints its URL, serves until SIGTERM)::

    python -m tests.aliyun_standin --port 0 --log /tmp/sent.jsonl
"""
from __future__ import annotations

import argparse
import hashlib
import hmac
import json
import re
import signal
import sys
import threading
import time
import urllib.request
import uuid
from collections import deque
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qsl, quote, urlsplit
from zoneinfo import ZoneInfo

from app.messaging.aliyun_templates import Registry

ACCESS_KEY_ID = "LTAI5tStandInKeyId000000"
ACCESS_KEY_SECRET = "standin-secret-0123456789abcdef"
SIGN_NAME = "志高"
BEIJING = ZoneInfo("Asia/Shanghai")
_AUTH = re.compile(r"^ACS3-HMAC-SHA256 Credential=(?P<ak>[^,]+),SignedHeaders=(?P<signed>[^,]+),Signature=(?P<sig>[0-9a-f]+)$")
_MOBILE = re.compile(r"^1[3-9]\d{9}$")
NONCE_WINDOW = timedelta(minutes=15)


def _canonical_query(query: list[tuple[str, str]]) -> str:
    return "&".join(f"{k}={quote(v, safe='~')}" for k, v in sorted(query))


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    timeout = 60

    def log_message(self, format, *args):  # noqa: A002
        """Quiet: `requests` is the log."""

    def do_POST(self):  # noqa: N802
        """Every dysmsapi action is a POST."""
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        status, payload = self.server.standin.handle(self.command, self.path, self.headers, raw)
        if payload is None:  # cut the connection without an answer
            self.close_connection = True
            return
        body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json;charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class AliyunStandIn:
    """Answers like dysmsapi; `sent` lists every text "delivered", oldest first."""

    def __init__(self, *, host: str = "127.0.0.1", port: int = 0, access_key_id: str = ACCESS_KEY_ID,
                 access_key_secret: str = ACCESS_KEY_SECRET, sign_names: tuple[str, ...] = (SIGN_NAME,),
                 registry: Registry | None = None, clock=None, log_path: str | Path | None = None) -> None:
        self.host, self.port = host, port
        self.access_key_id, self.access_key_secret = access_key_id, access_key_secret
        self.sign_names = set(sign_names)
        self.registry = registry or Registry.load()
        self.clock = clock or (lambda: datetime.now(timezone.utc))
        self.log_path = Path(log_path) if log_path else None
        self._lock = threading.Lock()
        self._sent: list[dict] = []
        self._requests: list[dict] = []
        self._nonces: set[str] = set()
        self._nonce_order: deque[tuple[float, str]] = deque()  # (when, nonce), oldest first
        self._failures: list[dict] = []
        self._delay = 0.0
        self._stopping = threading.Event()
        self._server: ThreadingHTTPServer | None = None

    # -- lifecycle -------------------------------------------------------------------------------
    def start(self) -> "AliyunStandIn":
        """Bind and serve in a daemon thread."""
        self._server = ThreadingHTTPServer((self.host, self.port), _Handler)
        self._server.daemon_threads = True
        self._server.standin = self
        self.port = self._server.server_address[1]
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True).start()
        return self

    def stop(self) -> None:
        """Stop serving; delayed answers wake up."""
        self._stopping.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> "AliyunStandIn":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    @property
    def url(self) -> str:
        """What ALIYUN_SMS_ENDPOINT is set to."""
        return f"http://{self.host}:{self.port}"

    @property
    def sent(self) -> list[dict]:
        """Every text sent: biz_id, out_id, phone, sign_name, template_code, params, content, sent_at."""
        with self._lock:
            return [dict(s) for s in self._sent]

    @property
    def requests(self) -> list[dict]:
        """Every request as it arrived: action, query, form, signature_ok."""
        with self._lock:
            return [dict(r) for r in self._requests]

    # -- steering --------------------------------------------------------------------------------
    def fail_next(self, n: int = 1, *, code: str = "isp.SYSTEM_ERROR", http_status: int = 200,
                  after_send: bool = False, cut: bool = False, action: str = "SendSms") -> None:
        """The next `n` requests of `action` fail: a business `code` (HTTP 200), an HTTP error, or a cut
        connection; with `after_send` the text goes out first and only the answer fails."""
        with self._lock:
            self._failures.extend([{"code": code, "http_status": http_status, "after_send": after_send, "cut": cut,
                                    "action": action}] * n)

    def set_delay(self, seconds: float) -> None:
        """Send, then answer only after `seconds` (a slow Alibaba)."""
        self._delay = seconds

    # -- pushes ----------------------------------------------------------------------------------
    def report_payload(self, sent: dict, *, success: bool = True, err_code: str = "DELIVERED") -> list[dict]:
        """The JSON array Alibaba pushes for one text's delivery report (SmsReport)."""
        at = self.clock().astimezone(BEIJING).strftime("%Y-%m-%d %H:%M:%S")
        return [{"phone_number": sent["phone"], "send_time": sent["sent_at"], "report_time": at, "success": success,
                 "err_code": err_code, "err_msg": "用户接收成功" if success else "失败", "sms_size": "1",
                 "biz_id": sent["biz_id"], "out_id": sent["out_id"]}]

    def reply_payload(self, phone: str, content: str, *, sequence_id: int | None = None) -> list[dict]:
        """The JSON array Alibaba pushes for one reply (SmsUp): national number, the words, a sequence id."""
        at = self.clock().astimezone(BEIJING).strftime("%Y-%m-%d %H:%M:%S")
        return [{"phone_number": phone.removeprefix("+86"), "send_time": at, "content": content,
                 "sign_name": next(iter(self.sign_names)), "dest_code": "1234",
                 "sequence_id": sequence_id or uuid.uuid4().int % 10**12}]

    @staticmethod
    def push(url: str, payload: list[dict]) -> dict:
        """POST one push to a running app (url with ?token=) and return its JSON answer."""
        request = urllib.request.Request(url, data=json.dumps(payload, ensure_ascii=False).encode("utf-8"),
                                         headers={"Content-Type": "application/json"}, method="POST")
        with urllib.request.urlopen(request, timeout=30) as answer:
            return json.loads(answer.read())

    # -- requests --------------------------------------------------------------------------------
    def handle(self, method: str, target: str, headers, raw: bytes) -> tuple[int, dict | None]:
        """Check the signature, then answer the action the `x-acs-action` header names."""
        split = urlsplit(target)
        query = parse_qsl(split.query, keep_blank_values=True)
        form = parse_qsl(raw.decode("utf-8"), keep_blank_values=True) if raw else []
        params = dict(query) | dict(form)
        action = headers.get("x-acs-action", "")
        problem = self._signature_problem(method, split.path or "/", query, headers, raw)
        with self._lock:
            self._requests.append({"action": action, "query": dict(query), "form": dict(form),
                                   "signature_ok": problem is None})
        if problem is not None:
            return 403 if problem[0] != "SignatureNonceUsed" else 400, _error(*problem)
        if action == "QuerySendDetails":
            return 200, self._query(params)
        if action not in ("SendSms", "SendBatchSms"):
            return 404, _error("InvalidAction.NotFound", f"Specified api is not found: {action}")
        failure = self._take_failure(action)
        if failure and not failure["after_send"]:
            return self._failed(failure)
        answer = self._send(action, params)
        if failure:
            return self._failed(failure)
        if self._delay:
            self._stopping.wait(self._delay)
        return 200, answer

    def _signature_problem(self, method: str, path: str, query, headers, raw: bytes) -> tuple[str, str] | None:
        match = _AUTH.match(headers.get("Authorization", ""))
        if match is None:
            return "MissingAuthorization", "Authorization is mandatory for this action."
        if match["ak"] != self.access_key_id:
            return "InvalidAccessKeyId.NotFound", "Specified access key is not found."
        if headers.get("x-acs-content-sha256") != hashlib.sha256(raw).hexdigest():
            return "IncompleteSignature", "The request body does not match x-acs-content-sha256."
        signed = match["signed"].split(";")
        canonical_headers = "".join(f"{h}:{(headers.get(h) or '').strip()}\n" for h in signed)
        canonical = "\n".join([method, path, _canonical_query(query), canonical_headers, match["signed"],
                               headers.get("x-acs-content-sha256", "")])
        to_sign = "ACS3-HMAC-SHA256\n" + hashlib.sha256(canonical.encode("utf-8")).hexdigest()
        expected = hmac.new(self.access_key_secret.encode(), to_sign.encode("utf-8"), hashlib.sha256).hexdigest()
        if not hmac.compare_digest(expected, match["sig"]) or "host" not in signed:
            return "SignatureDoesNotMatch", "Specified signature does not match our calculation."
        try:
            date = datetime.strptime(headers.get("x-acs-date", ""), "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)
        except ValueError:
            return "InvalidTimeStamp.Format", "Specified time stamp or date value is not well formatted."
        if abs(datetime.now(timezone.utc) - date) > NONCE_WINDOW:
            return "InvalidTimeStamp.Expired", "Specified time stamp or date value is expired."
        nonce, now = headers.get("x-acs-signature-nonce", ""), time.monotonic()
        with self._lock:
            while self._nonce_order and now - self._nonce_order[0][0] >= NONCE_WINDOW.total_seconds():
                self._nonces.discard(self._nonce_order.popleft()[1])
            if not nonce or nonce in self._nonces:
                return "SignatureNonceUsed", "Specified signature nonce was used already."
            self._nonces.add(nonce)
            self._nonce_order.append((now, nonce))
        return None

    def _take_failure(self, action: str) -> dict | None:
        with self._lock:
            for i, failure in enumerate(self._failures):
                if failure["action"] == action:
                    return self._failures.pop(i)
        return None

    @staticmethod
    def _failed(failure: dict) -> tuple[int, dict | None]:
        if failure["cut"]:
            return 0, None
        if failure["http_status"] != 200:
            return failure["http_status"], _error("ServiceUnavailable", "The request has failed due to a temporary "
                                                                         "failure of the server.")
        return 200, {"Code": failure["code"], "Message": "stand-in induced failure", "RequestId": _request_id()}

    def _send(self, action: str, params: dict) -> dict:
        if action == "SendSms":
            phones, signs = params.get("PhoneNumbers", "").split(","), [params.get("SignName", "")]
            raw_params = [params.get("TemplateParam", "{}")]
        else:
            try:
                phones, signs = json.loads(params.get("PhoneNumberJson", "[]")), json.loads(params.get("SignNameJson", "[]"))
                raw_params = json.loads(params.get("TemplateParamJson", "[]"))
                raw_params = [json.dumps(p, ensure_ascii=False) for p in raw_params]
            except ValueError:
                return _business("isv.INVALID_JSON_PARAM", "JSON参数不合法")
        if len(signs) == 1:
            signs = signs * len(phones)
        if not (len(phones) == len(signs) == len(raw_params)) or not phones:
            return _business("isv.INVALID_PARAMETERS", "参数异常")
        template = self.registry.by_code(params.get("TemplateCode", ""))
        if template is None:
            return _business("isv.SMS_TEMPLATE_ILLEGAL", "模板不合法(不存在或被拉黑)")
        texts = []
        for phone, sign, raw in zip(phones, signs, raw_params):
            if sign not in self.sign_names:
                return _business("isv.SMS_SIGNATURE_ILLEGAL", "签名不合法(不存在或被拉黑)")
            if not _MOBILE.match(phone):
                return _business("isv.MOBILE_NUMBER_ILLEGAL", "非法手机号")
            try:
                values = json.loads(raw)
            except ValueError:
                return _business("isv.INVALID_JSON_PARAM", "JSON参数不合法，只接受字符串值")
            if not isinstance(values, dict) or any(not isinstance(v, str) for v in values.values()):
                return _business("isv.INVALID_JSON_PARAM", "JSON参数不合法，只接受字符串值")
            if any(v not in values for v in template.variables()):
                return _business("isv.TEMPLATE_MISSING_PARAMETERS", "模板缺少变量")
            texts.append((phone, sign, values))
        biz_id = f"{uuid.uuid4().int % 10**18:018d}^0"
        at = self.clock().astimezone(BEIJING)
        with self._lock:
            for phone, sign, values in texts:
                entry = {"biz_id": biz_id, "out_id": params.get("OutId"), "phone": phone, "sign_name": sign,
                         "template_code": template.code, "params": values, "content": template.compose(sign, values),
                         "sent_at": at.strftime("%Y-%m-%d %H:%M:%S"), "send_date": at.strftime("%Y%m%d")}
                self._sent.append(entry)
                if self.log_path is not None:
                    with self.log_path.open("a", encoding="utf-8") as log:
                        log.write(json.dumps(entry, ensure_ascii=False) + "\n")
        return {"Code": "OK", "Message": "OK", "BizId": biz_id, "RequestId": _request_id()}

    def _query(self, params: dict) -> dict:
        phone, date = params.get("PhoneNumber", ""), params.get("SendDate", "")
        if not _MOBILE.match(phone):
            return _business("isv.MOBILE_NUMBER_ILLEGAL", "非法手机号")
        size, page = int(params.get("PageSize") or 10), int(params.get("CurrentPage") or 1)
        if not 1 <= size <= 50:
            return _business("isv.INVALID_PARAMETERS", "PageSize 1-50")
        with self._lock:
            found = [s for s in self._sent if s["phone"] == phone and s["send_date"] == date
                     and params.get("BizId") in (None, "", s["biz_id"])]
        shown = found[(page - 1) * size: page * size]
        dtos = [{"PhoneNum": s["phone"], "SendStatus": 3, "ErrCode": "DELIVERED", "TemplateCode": s["template_code"],
                 "Content": s["content"], "SendDate": s["sent_at"], "ReceiveDate": s["sent_at"], "OutId": s["out_id"]}
                for s in shown]
        return {"Code": "OK", "Message": "OK", "RequestId": _request_id(), "TotalCount": str(len(found)),
                "SmsSendDetailDTOs": {"SmsSendDetailDTO": dtos}}


def _request_id() -> str:
    return str(uuid.uuid4()).upper()


def _error(code: str, message: str) -> dict:
    return {"RequestId": _request_id(), "HostId": "dysmsapi.aliyuncs.com", "Code": code, "Message": message}


def _business(code: str, message: str) -> dict:
    return {"Code": code, "Message": message, "RequestId": _request_id()}


def main(argv: list[str] | None = None) -> int:
    """Serve until SIGTERM / SIGINT, printing the URL first."""
    parser = argparse.ArgumentParser(prog="python -m tests.aliyun_standin")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--log", help="append one JSON line per text sent")
    args = parser.parse_args(argv)
    standin = AliyunStandIn(port=args.port, log_path=args.log).start()
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    signal.signal(signal.SIGINT, lambda *_: done.set())
    print(standin.url, flush=True)
    done.wait()
    standin.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
