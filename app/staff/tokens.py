"""API tokens: random, shown once, stored as a SHA-256 hash.

A slow password hash is not needed: the token has 256 bits of entropy, so a fast hash
keeps lookups an index hit per request.
"""
from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.errors import Conflict, NotFound, ValidationFailed
from app.staff.models import User
from app.staff.passwords import set_password

ROLES = ("agent", "supervisor", "marketing", "admin")


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_user(session: Session, name: str, role: str, *, now: datetime,
                password: str | None = None) -> tuple[User, str]:
    """Create a user and return it with its token (the only time the token is seen); with
    `password`, also the user's console password."""
    name = (name or "").strip()
    if not name or len(name) > 80:
        raise ValidationFailed("a user needs a name of 1 to 80 characters", {"name": "1 to 80 characters"})
    if role not in ROLES:
        raise ValidationFailed(f"role must be one of: {', '.join(ROLES)}", {"role": f"one of {', '.join(ROLES)}"})
    if session.scalar(select(User).where(User.name == name)) is not None:
        raise Conflict(f"a user named {name!r} exists already")
    token = secrets.token_urlsafe(32)
    user = User(name=name, role=role, token_hash=hash_token(token), active=True, created_at=now)
    if password is not None:
        set_password(user, password)
    session.add(user)
    session.flush()
    return user, token


def _named(session: Session, name: str) -> User:
    user = session.scalar(select(User).where(User.name == (name or "").strip()))
    if user is None:
        raise NotFound(f"no user named {name!r}")
    return user


def replace_token(session: Session, name: str) -> tuple[User, str]:
    """Give user `name` a new token; the old one stops working at once. A disabled user gets none."""
    user = _named(session, name)
    if not user.active:
        raise Conflict(f"user {user.name!r} is disabled; a token would not work")
    token = secrets.token_urlsafe(32)
    user.token_hash = hash_token(token)
    session.flush()
    return user, token


def disable_user(session: Session, name: str) -> bool:
    """Disable user `name`: their token is refused from now on. False if they were disabled already."""
    user = _named(session, name)
    if not user.active:
        return False
    user.active = False
    session.flush()
    return True
