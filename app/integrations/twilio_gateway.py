"""The one place the app talks to Twilio's REST API through the `twilio` SDK.

`make_twilio_client` builds a real `twilio.rest.Client`; with `api_url` (env `TWILIO_API_URL`)
every request the SDK makes to a Twilio domain is sent to that base URL instead, keeping the
path and query, so the real SDK and real HTTP can be exercised against a local stand-in.

`send_sms` and `place_call` wrap the two creates the app needs and turn every failure into
`TwilioSendError` with the HTTP status, Twilio's code and whether the outcome is unknown;
what to do about each is decided in one place, `app.messaging.backends.outcome_of_error`.

Retries: the SDK itself never retries (twilio 9.8.7). `TwilioHttpClient` only mounts a retrying
adapter when `max_retries` is passed, and then only for https://; otherwise requests' default
adapter uses urllib3 `Retry(0, read=False)`, i.e. one attempt, no redirects followed. We never
pass `max_retries`, so a create is exactly one POST and retry policy stays with the caller.
"""
from __future__ import annotations

import json
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Iterator
from urllib.parse import urlsplit, urlunsplit

import requests
from twilio.base.exceptions import TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client
from urllib3.exceptions import ConnectTimeoutError, MaxRetryError, NewConnectionError

__all__ = [
    "ListedMessage",
    "PlacedCall",
    "SentMessage",
    "TwilioSendError",
    "make_twilio_client",
    "messages_created_since",
    "place_call",
    "send_sms",
]

# Twilio error codes whose meaning decides retrying regardless of the HTTP status.

# Version.exception() prefixes Twilio's own message with this; callers want Twilio's words.
_SDK_CREATE_PREFIX = "Unable to create record: "


class _BaseUrlHttpClient(TwilioHttpClient):
    """A `TwilioHttpClient` that sends requests for Twilio hosts to another base URL.

    Only scheme and host (plus an optional path prefix) change; path and query are kept, and the
    requests session, auth, headers and timeout of the real client are used unchanged.
    """

    def __init__(self, api_url: str, timeout: float | None = None):
        """Remember the target base URL; `timeout` is the SDK's per-request socket timeout."""
        super().__init__(timeout=timeout)
        parts = urlsplit(api_url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError(f"TWILIO_API_URL must be an absolute http(s) URL, not {api_url!r}")
        self._scheme = parts.scheme
        self._netloc = parts.netloc
        self._prefix = parts.path.rstrip("/")
        # A proxy from HTTP(S)_PROXY would otherwise swallow loopback traffic meant for the stand-in.
        if self.session is not None:
            self.session.trust_env = False

    def rewrite(self, url: str) -> str:
        """Return `url` pointed at the configured base URL if it targets a Twilio domain."""
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        if host != "twilio.com" and not host.endswith(".twilio.com"):
            # e.g. an absolute next-page URL the stand-in already gave us
            return url
        return urlunsplit((self._scheme, self._netloc, self._prefix + parts.path, parts.query, ""))

    def request(self, method, url, params=None, data=None, headers=None, auth=None,
                timeout=None, allow_redirects=False):
        """Send the request the SDK built, with its URL rewritten to the configured base URL."""
        return super().request(
            method,
            self.rewrite(url),
            params=params,
            data=data,
            headers=headers,
            auth=auth,
            timeout=timeout,
            allow_redirects=allow_redirects,
        )


def make_twilio_client(
    account_sid: str, auth_token: str, api_url: str | None = None, timeout: float = 10.0
) -> Client:
    """Build a Twilio REST client with a per-request timeout of `timeout` seconds.

    With `api_url` (e.g. "http://127.0.0.1:8765"), requests go to that base URL instead of
    https://*.twilio.com, same path and query. Without it the SDK talks to Twilio itself.
    """
    if api_url:
        http_client: TwilioHttpClient = _BaseUrlHttpClient(api_url, timeout=timeout)
    else:
        http_client = TwilioHttpClient(timeout=timeout)
    return Client(account_sid, auth_token, http_client=http_client)


@dataclass(frozen=True)
class SentMessage:
    """What Twilio answered to a message create."""

    sid: str
    status: str
    error_code: int | None


@dataclass(frozen=True)
class PlacedCall:
    """What Twilio answered to a call create."""

    sid: str
    status: str


class TwilioSendError(Exception):
    """A create that Twilio refused, or whose outcome we could not learn.

    `status` is the HTTP status (0 when no HTTP answer arrived), `code` Twilio's error code.
    """

    def __init__(self, status: int, code: int | None, message: str, *, ambiguous: bool = False):
        """Record the HTTP status, Twilio code and message; `ambiguous` see the property."""
        super().__init__(status, code, message)
        self.status = status
        self.code = code
        self.message = message
        self._ambiguous = ambiguous

    def __str__(self) -> str:
        """Show status, code and message, e.g. "HTTP 400 (21211): Invalid 'To' Phone Number"."""
        code = f" ({self.code})" if self.code is not None else ""
        return f"HTTP {self.status}{code}: {self.message}"

    @property
    def ambiguous(self) -> bool:
        """True when the request may have reached Twilio but no answer came back.

        Twilio may or may not have created the resource, so blindly retrying can send twice;
        reconcile (e.g. list messages to the number) before retrying.
        """
        return self._ambiguous


def _request_may_have_been_sent(exc: requests.RequestException) -> bool:
    """Whether the failed request could have reached the server (anything but connect failures)."""
    if isinstance(exc, (requests.ConnectTimeout, requests.exceptions.SSLError,
                        requests.exceptions.ProxyError, requests.exceptions.InvalidURL)):
        return False
    reason = exc.args[0] if exc.args else None
    if isinstance(reason, MaxRetryError):
        reason = reason.reason
    # Refused / unresolvable / connect timeout: nothing was written to a socket.
    return not isinstance(reason, (NewConnectionError, ConnectTimeoutError))


@contextmanager
def _translate_errors() -> Iterator[None]:
    """Turn SDK and transport errors raised inside the block into `TwilioSendError`."""
    try:
        yield
    except TwilioRestException as exc:
        message = exc.msg or ""
        if message.startswith(_SDK_CREATE_PREFIX):
            message = message[len(_SDK_CREATE_PREFIX):]
        # The SDK puts the HTTP status in .code when the body has no code; Twilio codes are 5-digit.
        code = exc.code if isinstance(exc.code, int) and exc.code >= 10000 else None
        raise TwilioSendError(int(exc.status), code, message) from exc
    except requests.RequestException as exc:
        raise TwilioSendError(
            0, None, f"no answer from Twilio: {exc}", ambiguous=_request_may_have_been_sent(exc)
        ) from exc
    except json.JSONDecodeError as exc:
        # A 2xx whose body we cannot read: the resource probably exists, we just lack its sid.
        raise TwilioSendError(0, None, f"unreadable answer from Twilio: {exc}", ambiguous=True) from exc


def send_sms(
    client: Client,
    *,
    to: str,
    body: str,
    from_: str | None = None,
    messaging_service_sid: str | None = None,
    status_callback: str | None = None,
) -> SentMessage:
    """Create one outbound message; needs `from_` or `messaging_service_sid` (or both).

    Raises `TwilioSendError` on any refusal or transport failure; never retries.
    """
    if not from_ and not messaging_service_sid:
        raise ValueError("send_sms needs from_ or messaging_service_sid")
    kwargs: dict[str, str] = {"to": to, "body": body}
    if from_:
        kwargs["from_"] = from_
    if messaging_service_sid:
        kwargs["messaging_service_sid"] = messaging_service_sid
    if status_callback:
        kwargs["status_callback"] = status_callback
    with _translate_errors():
        message = client.messages.create(**kwargs)
    error_code = message.error_code if isinstance(message.error_code, int) else None
    return SentMessage(sid=message.sid, status=message.status, error_code=error_code)


def place_call(
    client: Client, *, to: str, from_: str, url: str, status_callback: str | None = None
) -> PlacedCall:
    """Start one outbound call whose TwiML is fetched from `url`.

    Raises `TwilioSendError` on any refusal or transport failure; never retries.
    """
    kwargs: dict[str, str] = {"to": to, "from_": from_, "url": url}
    if status_callback:
        kwargs["status_callback"] = status_callback
    with _translate_errors():
        call = client.calls.create(**kwargs)
    return PlacedCall(sid=call.sid, status=call.status)


@dataclass(frozen=True)
class ListedMessage:
    """One message as Twilio's list shows it."""

    sid: str
    to: str
    body: str
    status: str
    date_created: datetime


def messages_created_since(client: Client, *, to: str, since: datetime, scan_limit: int = 500) -> list[ListedMessage]:
    """Messages to `to` that Twilio created at or after `since`, newest first.

    Filters on To only and reads pages newest first until a message older than `since`: the
    DateSent filter would miss messages still queued at Twilio (they have no date_sent yet),
    and those are exactly the ones a lost answer leaves behind. Raises `TwilioSendError` when
    Twilio cannot be asked, or when more than `scan_limit` messages would have to be read
    (the answer would be incomplete).
    """
    found: list[ListedMessage] = []
    with _translate_errors():
        for scanned, message in enumerate(client.messages.stream(to=to, page_size=50)):
            created = message.date_created
            if created is not None and created < since:
                return found
            if scanned >= scan_limit:
                raise TwilioSendError(0, None, f"more than {scan_limit} messages to scan", ambiguous=True)
            found.append(ListedMessage(sid=message.sid, to=message.to, body=message.body or "",
                                       status=message.status, date_created=created))
    return found


def delete_recording(client: Client, sid: str) -> bool:
    """Delete one call recording; False when Twilio has none by that sid (deleted already).

    Raises `TwilioSendError` on any other refusal or transport failure.
    """
    try:
        with _translate_errors():
            return bool(client.recordings(sid).delete())
    except TwilioSendError as exc:
        if exc.status == 404:
            return False
        raise
