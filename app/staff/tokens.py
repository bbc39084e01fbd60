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

from app.errors import Conflict, ValidationFailed
from app.staff.models import User

ROLES = ("agent", "supervisor", "marketing", "admin")


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_user(session: Session, name: str, role: str, *, now: datetime) -> tuple[User, str]:
    """Create a user and return it with its token (the only time the token is seen)."""
    name = (name or "").strip()
    if not name or len(name) > 80:
        raise ValidationFailed("a user needs a name of 1 to 80 characters", {"name": "1 to 80 characters"})
    if role not in ROLES:
        raise ValidationFailed(f"role must be one of: {', '.join(ROLES)}", {"role": f"one of {', '.join(ROLES)}"})
    if session.scalar(select(User).where(User.name == name)) is not None:
        raise Conflict(f"a user named {name!r} exists already")
    token = secrets.token_urlsafe(32)
    user = User(name=name, role=role, token_hash=hash_token(token), active=True, created_at=now)
    session.add(user)
    session.flush()
    return user, token
