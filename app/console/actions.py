"""How every console form is handled: the CSRF token checked first, then one domain verb, one commit.

A refusal of the domain (a claim held by another, a move the ticket's state does not allow) is
shown on the page with the domain's own reason and nothing is written; it is never a 500.
"""
from __future__ import annotations

from typing import Callable

from flask import flash, redirect, request
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from app.console.extensions import csrf
from app.customers.phone_numbers import mask_phone
from app.errors import DomainError, ValidationFailed, storable_text_of
from app.web import db_session


def act(work: Callable[[], str | None], back: str) -> Response:
    """Check the form's CSRF token (400 without a valid one), run `work`, commit, and go `back`.

    `work` returns the message to flash on success; a DomainError is flashed as the refusal."""
    csrf.protect()
    session = db_session()
    try:
        done = work()
        session.commit()
    except DomainError as exc:
        session.rollback()
        flash(exc.message, "error")
    else:
        if done:
            flash(done, "ok")
    return redirect(back)


def field(name: str) -> str:
    """A form field, stripped; its length and content are the domain's to check."""
    return (request.form.get(name) or "").strip()


def shown_phone(e164: str | None) -> str:
    """A number masked for a list: 138****8000 for a Chinese one (the country code left off)."""
    masked = mask_phone(e164 or "")
    return masked[3:] if masked.startswith("+86") else masked


def note_field(name: str = "note", max_len: int = 2000, *, required: bool = True) -> str:
    """A note the domain stores: required (unless told), at most `max_len` characters, storable."""
    note = field(name)
    if required and not note:
        raise ValidationFailed(_("请填写说明。"), {name: "required"})
    if len(note) > max_len:
        raise ValidationFailed(_("说明最多 %(n)s 个字符。", n=max_len), {name: f"at most {max_len} characters"})
    return storable_text_of(note, name)
