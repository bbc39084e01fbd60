"""`X-Twilio-Signature` validation with the SDK's RequestValidator.

The signature covers the exact URL Twilio called. Behind a TLS-terminating proxy the request
we see says http://internal-host, so the URL is rebuilt from PUBLIC_BASE_URL when it is set.
A request that does not validate gets 403 and changes nothing. Without an auth token nothing
can be validated, so every webhook is refused (a misconfiguration must not open the door).
"""
from __future__ import annotations

import logging
from functools import wraps

from flask import Response, request
from twilio.request_validator import RequestValidator
from werkzeug.datastructures import ImmutableMultiDict

from app.storable_text import storable
from app.web import settings

log = logging.getLogger(__name__)


def signed_url() -> str:
    """The URL Twilio used for this request: PUBLIC_BASE_URL + path + query, or the request's own."""
    base = settings().public_base_url
    if not base:
        return request.url
    query = request.query_string.decode("latin-1")
    return base + request.path + (f"?{query}" if query else "")


def is_valid_twilio_request(auth_token: str | None) -> bool:
    """True when the request's signature validates against `auth_token`."""
    if not auth_token:
        return False
    signature = request.headers.get("X-Twilio-Signature", "")
    if not signature:
        return False
    # request.form is a MultiDict; the validator reads repeated fields with getlist, as Twilio signs them.
    return RequestValidator(auth_token).validate(signed_url(), request.form, signature)


def _storable_fields(fields) -> ImmutableMultiDict:
    return ImmutableMultiDict([(storable(k), storable(v)) for k, v in fields.items(multi=True)])


def twilio_signed(view):
    """Refuse (403, plain text) any request whose X-Twilio-Signature does not validate.

    A signed request's fields are then made storable (NUL and lone surrogates replaced) for the
    view: the signature covers them as sent, but the database cannot hold them as sent.
    """

    @wraps(view)
    def guarded(*args, **kwargs):
        if not is_valid_twilio_request(settings().twilio_auth_token):
            log.warning("refused unsigned or badly signed webhook on %s", request.path)
            return Response("invalid signature", status=403, mimetype="text/plain")
        request.form = _storable_fields(request.form)
        request.args = _storable_fields(request.args)
        return view(*args, **kwargs)

    return guarded
