"""Wiring the console into an app: signing key, cookies, sign-in, CSRF, the failed-login limit, locale."""
from __future__ import annotations

import os
import secrets
from pathlib import Path

from flask import Flask, request, session
from flask_babel import Babel, gettext
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager

from app.config import Settings
from app.console import console
from app.console.auth import load_user
from app.console.extensions import csrf
from app.console.locale import LANGUAGES, select_locale, use_console_domain

KEY_FILE = "console-secret-key"


def signing_key(settings: Settings, instance_path: Path) -> str:
    """SECRET_KEY, else a random key kept in instance/ so every worker and restart signs alike.

    The file is created exclusively: of two workers starting at once, one writes and both read it."""
    if settings.secret_key:
        return settings.secret_key
    path = instance_path / KEY_FILE
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            handle.write(secrets.token_hex(32))
    except FileExistsError:
        pass
    return path.read_text().strip()


def register_console(app: Flask) -> None:
    """The console blueprint with Flask-Login, CSRFProtect, Flask-Limiter and Flask-Babel on `app`."""
    settings: Settings = app.extensions["settings"]
    if not app.secret_key:
        app.secret_key = signing_key(settings, Path(app.instance_path))
    secure = settings.session_cookie_secure
    if secure is None:
        secure = (settings.public_base_url or "").startswith("https://")
    app.config.update(SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Lax", SESSION_COOKIE_SECURE=secure,
                      REMEMBER_COOKIE_HTTPONLY=True, REMEMBER_COOKIE_SAMESITE="Lax", REMEMBER_COOKIE_SECURE=secure,
                      # Checked by each console form itself (csrf.protect()), so Twilio's webhooks and
                      # the Bearer API, which carry no browser session, are never asked for a token.
                      WTF_CSRF_CHECK_DEFAULT=False, WTF_CSRF_TIME_LIMIT=None)
    app.config.setdefault("RATELIMIT_STORAGE_URI", settings.ratelimit_storage_uri)
    app.config.setdefault("RATELIMIT_HEADERS_ENABLED", False)

    logins = LoginManager()
    logins.login_view = "console.login"
    logins.login_message = "请先登录。"
    logins.localize_callback = gettext
    logins.session_protection = "basic"
    logins.user_loader(load_user)
    logins.init_app(app)
    csrf.init_app(app)
    Babel(app, locale_selector=select_locale, default_domain="messages")

    app.register_blueprint(console)
    console_view_limits(app, settings)
    app.extensions["console_languages"] = LANGUAGES


def remember_language() -> None:
    """`?lang=zh|en` on any console page is kept in the session for the pages after it."""
    asked = request.args.get("lang")
    if asked in LANGUAGES:
        session["lang"] = asked


console.before_request(remember_language)
console.before_request(use_console_domain)


def console_view_limits(app: Flask, settings: Settings) -> None:
    """Failed sign-ins (answered 401) count against the address; a good one costs nothing."""
    limiter = Limiter(get_remote_address, app=app, default_limits=[], headers_enabled=False)
    app.extensions["console_limiter"] = limiter
    login_view = app.view_functions["console.login"]
    app.view_functions["console.login"] = limiter.limit(
        settings.console_login_limit, methods=["POST"], deduct_when=lambda response: response.status_code == 401,
        error_message="登录失败次数过多，请稍后再试。")(login_view)
