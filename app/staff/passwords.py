"""Console passwords: salted and slow to guess (scrypt, via werkzeug.security), unlike API tokens.

A person chooses a password, so it has little entropy and needs the slow hash; the 256-bit API
token does not (tokens.py). The console's login checks with `password_matches`.
"""
from __future__ import annotations

from werkzeug.security import check_password_hash, generate_password_hash

from app.errors import ValidationFailed
from app.staff.models import User

MIN_LENGTH = 8


def set_password(user: User, password: str) -> None:
    """Store `password` for `user`, hashed; refuses one too short to be worth hashing."""
    if len(password) < MIN_LENGTH:
        raise ValidationFailed(f"a password needs at least {MIN_LENGTH} characters",
                               {"password": f"at least {MIN_LENGTH} characters"})
    user.password_hash = generate_password_hash(password)


def password_matches(user: User, password: str) -> bool:
    """True when `password` is the user's console password (and the user has one)."""
    return bool(user.password_hash) and check_password_hash(user.password_hash, password)
