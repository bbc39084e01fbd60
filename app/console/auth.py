"""Who is signed in, and which role may see which page or take which action (checked on the server)."""
from __future__ import annotations

from dataclasses import dataclass
from functools import wraps

from flask import abort
from flask_login import current_user, login_required
from sqlalchemy import select

from app.staff.models import User
from app.web import db_session


@dataclass(frozen=True)
class ConsoleUser:
    """The signed-in member of staff as Flask-Login sees them; `session_id` changes with the password."""

    id: int
    name: str
    role: str
    session_id: str
    is_authenticated: bool = True
    is_active: bool = True
    is_anonymous: bool = False

    def get_id(self) -> str:
        return self.session_id


def session_id_of(user: User) -> str:
    """The id kept in the session: the user's id and a piece of their password hash, so a new
    password (or a disabled account) ends every session signed in with the old one."""
    return f"{user.id}:{(user.password_hash or '')[-12:]}"


def console_user(user: User) -> ConsoleUser:
    return ConsoleUser(id=user.id, name=user.name, role=user.role, session_id=session_id_of(user))


def load_user(session_id: str) -> ConsoleUser | None:
    """Flask-Login's loader: the active user the session names, if their password is still the same."""
    raw_id, _, _tail = session_id.partition(":")
    if not raw_id.isdigit() or len(raw_id) > 12:
        return None
    user = db_session().scalar(select(User).where(User.id == int(raw_id)))
    if user is None or not user.active or not user.password_hash or session_id_of(user) != session_id:
        return None
    return console_user(user)


def requires(*roles: str):
    """A console view for a signed-in user whose role is in `roles` (403 page for any other role)."""

    def decorate(view):
        @wraps(view)
        @login_required
        def guarded(*args, **kwargs):
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        guarded.required_roles = roles
        return guarded

    return decorate
