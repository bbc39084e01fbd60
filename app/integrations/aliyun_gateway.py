"""The one place the app talks to Alibaba Cloud SMS, through its SDK `alibabacloud-dysmsapi20170525`.

`make_aliyun_client` builds the SDK's real `Client`; `ALIYUN_SMS_ENDPOINT` (`http://127.0.0.1:PORT`
in tests) becomes its endpoint and protocol, so the real SDK signs (ACS3-HMAC-SHA256 in the
`Authorization` header, what alibabacloud-tea-openapi 0.4 uses by default) and sends real HTTP
to a local stand-in.

Alibaba answers a business refusal as HTTP 200 with a `Code` other than `OK`: those come back as
`Answer` values for the caller to classify (app.messaging.aliyun_codes). Only HTTP errors and
network failures raise `AliyunError`, with the HTTP status (0: no answer), Alibaba's code and
whether the request may have been acted on (`ambiguous`).

Retries: the SDK retries only with `RetryOptions`, which we never pass (tea-openapi's
`should_retry` allows the first attempt only), so a send is exactly one POST.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from urllib.parse import urlsplit

from alibabacloud_dysmsapi20170525 import models as sms_models
from alibabacloud_dysmsapi20170525.client import Client
from alibabacloud_tea_openapi.exceptions import AlibabaCloudException
from alibabacloud_tea_openapi.utils_models import Config
from darabonba.runtime import RuntimeOptions
from Tea.exceptions import UnretryableException

__all__ = ["AliyunError", "Answer", "SentDetail", "make_aliyun_client", "query_send_details", "send_batch_sms",
           "send_sms"]

ALIBABA_ENDPOINT = "dysmsapi.aliyuncs.com"
# requests' words for a connection that was never made: nothing reached Alibaba.
_NOT_CONNECTED = ("NewConnectionError", "Connection refused", "ConnectTimeoutError", "Failed to establish",
                  "Name or service not known")


class AliyunError(Exception):
    """An HTTP error or no answer; `ambiguous` when Alibaba may have acted on the request."""

    def __init__(self, message: str, *, status: int, code: str | None, ambiguous: bool) -> None:
        super().__init__(message)
        self.status, self.code, self.ambiguous = status, code, ambiguous


@dataclass(frozen=True)
class Answer:
    """Alibaba's HTTP 200 answer: `code` is "OK" or a business error such as isv.BUSINESS_LIMIT_CONTROL."""

    code: str
    message: str
    biz_id: str | None


@dataclass(frozen=True)
class SentDetail:
    """One text QuerySendDetails lists (send_status 1 waiting, 2 failed, 3 delivered)."""

    phone: str
    content: str
    out_id: str | None
    send_status: int
    err_code: str | None
    send_date: str
    template_code: str | None


def make_aliyun_client(access_key_id: str, access_key_secret: str, *, endpoint: str | None,
                       timeout: float) -> Client:
    """The SDK client for `endpoint` (a host, or an http(s) URL), with `timeout` seconds per request."""
    protocol, host = "https", endpoint or ALIBABA_ENDPOINT
    if "://" in host:
        parts = urlsplit(host)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError(f"ALIYUN_SMS_ENDPOINT must be a host or an http(s) URL, not {endpoint!r}")
        protocol, host = parts.scheme, parts.netloc
    millis = max(1, int(timeout * 1000))
    return Client(Config(access_key_id=access_key_id, access_key_secret=access_key_secret, endpoint=host,
                         protocol=protocol, read_timeout=millis, connect_timeout=millis))


def _call(method, request):
    """Run one SDK call; HTTP errors and network failures become AliyunError."""
    try:
        return method(request, RuntimeOptions()).body
    except AlibabaCloudException as exc:
        status = exc.status_code or 0
        raise AliyunError(f"HTTP {status} {exc.code}: {exc.message}"[:300], status=status, code=exc.code,
                          ambiguous=status >= 500) from None
    except UnretryableException as exc:
        # The SDK's words carry the request URL (the phone number): keep only what kind of failure it was.
        words = str(exc)
        connected = not any(marker in words for marker in _NOT_CONNECTED)
        what = "timed out or cut off after the request was sent" if connected else "no connection could be made"
        raise AliyunError(f"no answer from Alibaba ({what})", status=0, code=None, ambiguous=connected) from None


def send_sms(client: Client, *, phone: str, sign_name: str, template_code: str, template_param: str,
             out_id: str) -> Answer:
    """One SendSms to one number (national digits for a Chinese mobile)."""
    body = _call(client.send_sms_with_options, sms_models.SendSmsRequest(
        phone_numbers=phone, sign_name=sign_name, template_code=template_code, template_param=template_param,
        out_id=out_id))
    return Answer(body.code or "", body.message or "", body.biz_id)


def send_batch_sms(client: Client, *, phones: list[str], sign_name: str, template_code: str,
                   template_params: list[str], out_id: str) -> Answer:
    """One SendBatchSms: one template to several numbers, each with its own TemplateParam; one BizId."""
    body = _call(client.send_batch_sms_with_options, sms_models.SendBatchSmsRequest(
        phone_number_json=json.dumps(phones), sign_name_json=json.dumps([sign_name] * len(phones), ensure_ascii=False),
        template_code=template_code,
        template_param_json="[" + ",".join(template_params) + "]", out_id=out_id))
    return Answer(body.code or "", body.message or "", body.biz_id)


def query_send_details(client: Client, *, phone: str, send_date: str, page_size: int = 50,
                       max_pages: int = 20) -> list[SentDetail]:
    """Every text QuerySendDetails lists for `phone` on `send_date` (yyyyMMdd, Beijing time).

    Raises AliyunError for an HTTP error, no answer, a business error or more pages than `max_pages`.
    """
    found: list[SentDetail] = []
    for page in range(1, max_pages + 1):
        body = _call(client.query_send_details_with_options, sms_models.QuerySendDetailsRequest(
            phone_number=phone, send_date=send_date, page_size=page_size, current_page=page))
        if body.code != "OK":
            raise AliyunError(f"QuerySendDetails {body.code}: {body.message}"[:300], status=200, code=body.code,
                              ambiguous=False)
        dtos = body.sms_send_detail_dtos.sms_send_detail_dto if body.sms_send_detail_dtos else []
        found.extend(SentDetail(phone=d.phone_num or phone, content=d.content or "", out_id=d.out_id,
                                send_status=int(d.send_status or 0), err_code=d.err_code, send_date=d.send_date or "",
                                template_code=d.template_code) for d in dtos)
        if len(found) >= int(body.total_count or 0) or not dtos:
            return found
    raise AliyunError(f"more than {max_pages * page_size} texts to one number in a day", status=200, code=None,
                      ambiguous=False)
