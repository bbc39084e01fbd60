"""Signing in and out, and the pages a refusal of the web layer shows (403, 404, a missing CSRF token)."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from flask_wtf.csrf import CSRFError
from sqlalchemy import select
from werkzeug.exceptions import Forbidden, NotFound, TooManyRequests

from app.console import console
from app.console.auth import console_user
from app.console.extensions import csrf
from app.errors import DomainError
from app.staff.models import User
from app.staff.passwords import password_matches
from app.web import db_session

MAX_NAME = 80
MAX_PASSWORD = 200


def _safe_next(target: str | None) -> str:
    """Only a console path of this site: never an open redirect to another host."""
    if target and target.startswith("/console") and not urlsplit(target).netloc and "\\" not in target:
        return target
    return url_for("console.escalations")


@console.get("/")
@login_required
def home():
    return redirect(url_for("console.escalations"))


@console.route("/login", methods=["GET", "POST"])
def login():
    """The sign-in form; a wrong name or password is one message (401), counted by the limiter."""
    if request.method == "GET":
        if current_user.is_authenticated:
            return redirect(_safe_next(request.args.get("next")))
        return render_template("login.html", next=request.args.get("next", ""))
    csrf.protect()
    name = (request.form.get("username") or "").strip()[:MAX_NAME]
    password = (request.form.get("password") or "")[:MAX_PASSWORD]
    user = db_session().scalar(select(User).where(User.name == name)) if name else None
    if user is None or not user.active or not password_matches(user, password):
        flash(_("用户名或密码不正确。"), "error")
        return render_template("login.html", next=request.form.get("next", ""), username=name), 401
    login_user(console_user(user))
    return redirect(_safe_next(request.form.get("next")))


@console.post("/logout")
def logout():
    csrf.protect()
    logout_user()
    flash(_("已退出登录。"), "ok")
    return redirect(url_for("console.login"))


@console.errorhandler(CSRFError)
def csrf_refused(exc: CSRFError):
    return render_template("refused.html", title=_("请求被拒绝"),
                           message=_("表单缺少有效的安全令牌（CSRF），未做任何更改。请刷新页面后重试。")), 400


@console.errorhandler(Forbidden)
def forbidden(_exc):
    return render_template("refused.html", title=_("无权访问"),
                           message=_("您的角色不能查看此页面或执行此操作。")), 403


@console.errorhandler(NotFound)
def not_found(_exc):
    return render_template("refused.html", title=_("未找到"), message=_("没有这个页面。")), 404


@console.errorhandler(TooManyRequests)
def too_many(exc):
    flash(_("登录失败次数过多，请稍后再试。"), "error")
    return render_template("login.html", next="", username=""), 429


@console.errorhandler(DomainError)
def refused(exc: DomainError):
    """A page that cannot be shown (no such ticket, a bad search) says why, with the domain's status."""
    return render_template("refused.html", title=_("无法显示"), message=exc.message), exc.status
