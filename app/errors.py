"""Errors the domain raises; the web layer turns each into its HTTP status."""
from __future__ import annotations

from app.storable_text import has_unstorable


class DomainError(Exception):
    """Base of the refusals a rule can give."""

    status = 400
    code = "bad_request"

    def __init__(self, message: str, fields: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.fields = fields or {}


class ValidationFailed(DomainError):
    """Input that cannot be accepted; `fields` names each bad field and why."""

    status = 400
    code = "validation_failed"


class NotFound(DomainError):
    status = 404
    code = "not_found"


class Conflict(DomainError):
    """The request is well-formed but the current state does not allow it."""

    status = 409
    code = "conflict"


class NotPermitted(DomainError):
    """The rule gives this to another role (P-PRIV-2: a customer's own refusal is an admin's to lift)."""

    status = 403
    code = "forbidden"


class IdempotencyKeyReused(DomainError):
    """A key that already stands for one request, sent again with a different one."""

    status = 422
    code = "idempotency_key_reused"


def storable_text_of(value: str, name: str) -> str:
    """`value` when it can be stored; a ValidationFailed naming `name` when it holds a NUL or a lone surrogate."""
    if has_unstorable(value):
        raise ValidationFailed(f"{name} holds a character that cannot be stored (NUL or a lone surrogate)",
                               {name: "no NUL or lone surrogate characters"})
    return value
