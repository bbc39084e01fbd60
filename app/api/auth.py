"""Bearer tokens for staff, and which roles may call which endpoint."""
from __future__ import annotations

from functools import wraps

from flask import g, request
from sqlalchemy import select

from app.errors import DomainError
from app.staff.models import User
from app.staff.tokens import hash_token
from app.web import db_session

STAFF = ("agent", "supervisor", "admin")
EVERYONE = ("agent", "supervisor", "marketing", "admin")


class Unauthorised(DomainError):
    status = 401
    code = "unauthorised"


class Forbidden(DomainError):
    status = 403
    code = "forbidden"


def current_user() -> User:
    return g.user


def require_role(*roles: str):
    """Allow the view only to an active user whose token matches and whose role is in `roles`."""

    def decorate(view):
        @wraps(view)
        def guarded(*args, **kwargs):
            header = request.headers.get("Authorization", "")
            scheme, _, token = header.partition(" ")
            if scheme.lower() != "bearer" or not token.strip():
                raise Unauthorised("send 'Authorization: Bearer <token>'; make a token with 'flask --app wsgi users create'")
            user = db_session().scalar(select(User).where(User.token_hash == hash_token(token.strip())))
            if user is None or not user.active:
                raise Unauthorised("the token is not valid")
            if user.role not in roles:
                raise Forbidden(f"the {user.role} role may not do this; it needs one of: {', '.join(roles)}")
            g.user = user
            return view(*args, **kwargs)

        guarded.required_roles = roles
        return guarded

    return decorate
