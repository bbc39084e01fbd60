"""Signing in and out: sessions in HttpOnly, SameSite cookies, every page behind the sign-in, failed
sign-ins limited, roles checked on the server for every page and action."""
from __future__ import annotations

from dataclasses import replace

import pytest
from sqlalchemy import select

from app import create_app
from app.staff.models import User
from app.staff.passwords import set_password
from app.staff.tokens import disable_user
from tests.console.conftest import PASSWORD, Staff, csrf_token

PAGES = ["/console/", "/console/escalations", "/console/tickets/1", "/console/callbacks", "/console/customers?q=王",
         "/console/campaigns", "/console/campaigns/new", "/console/dashboard", "/console/ivr",
         "/console/reports/settlement.csv?outlet=1&month=2026-07"]


@pytest.mark.parametrize("path", PAGES)
def test_a_page_without_a_session_redirects_to_the_sign_in(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/console/login?next=")


def test_a_form_posted_without_a_session_changes_nothing_and_asks_to_sign_in(client):
    response = client.post("/console/escalations/1/claim", data={})
    assert response.status_code == 302 and "/console/login" in response.headers["Location"]


def test_signing_in_sets_an_httponly_samesite_session_and_goes_where_asked(app, console_staff):
    staff = console_staff("agent", "amy", signed_in=False)
    token = csrf_token(staff.client, "/console/login?next=/console/callbacks")
    response = staff.client.post("/console/login", data={"username": "amy", "password": PASSWORD, "csrf_token": token,
                                                           "next": "/console/callbacks"})
    assert response.status_code == 302 and response.headers["Location"] == "/console/callbacks"
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie
    assert staff.client.get("/console/callbacks").status_code == 200


def test_a_wrong_password_is_401_with_one_message_for_name_and_password(console_staff):
    staff = console_staff("agent", "amy", signed_in=False)
    wrong = staff.sign_in("not-the-password")
    nobody = Staff(staff.client.application, "nobody", "agent").sign_in()
    assert wrong.status_code == nobody.status_code == 401
    assert "用户名或密码不正确" in wrong.get_data(as_text=True)
    assert staff.client.get("/console/escalations").status_code == 302


def test_the_sign_in_form_without_its_token_is_refused(console_staff):
    staff = console_staff("agent", "amy", signed_in=False)
    response = staff.client.post("/console/login", data={"username": "amy", "password": PASSWORD})
    assert response.status_code == 400
    assert staff.client.get("/console/escalations").status_code == 302


def test_next_never_leads_off_the_console(console_staff):
    staff = console_staff("agent", "amy", signed_in=False)
    for target in ("//evil.example/console", "https://evil.example/", "/api/v1/outlets", "/console\\@evil"):
        response = staff.client.post("/console/login", data={"username": "amy", "password": PASSWORD, "next": target,
                                                               "csrf_token": csrf_token(staff.client)})
        assert response.headers["Location"] == "/console/escalations", target
        staff.post("/console/logout")


def test_signing_out_needs_the_token_and_ends_the_session(console_staff):
    staff = console_staff("agent", "amy")
    assert staff.client.post("/console/logout", data={}).status_code == 400
    assert staff.client.get("/console/escalations").status_code == 200
    assert staff.post("/console/logout", token_from="/console/escalations").status_code == 302
    assert staff.client.get("/console/escalations").status_code == 302


def test_a_disabled_user_or_a_new_password_ends_the_sessions(console_staff, session):
    amy, bob = console_staff("agent", "amy"), console_staff("agent", "bob")
    disable_user(session, "amy")
    user = session.scalar(select(User).where(User.name == "bob"))
    set_password(user, "another-password-2")
    session.commit()
    assert amy.client.get("/console/escalations").status_code == 302
    assert bob.client.get("/console/escalations").status_code == 302
    assert bob.sign_in("another-password-2").status_code == 302


def test_a_user_without_a_console_password_cannot_sign_in(app, session, clock):
    from app.staff.tokens import create_user

    create_user(session, "tokenonly", "agent", now=clock.now())
    session.commit()
    assert Staff(app, "tokenonly", "agent").sign_in("").status_code == 401


def test_failed_sign_ins_are_limited_and_good_ones_are_not_counted(settings, clock, session):
    app = create_app({"TESTING": True, "SETTINGS": replace(settings, console_login_limit="3 per hour"), "CLOCK": clock})
    try:
        from app.staff.tokens import create_user

        create_user(session, "amy", "agent", now=clock.now(), password=PASSWORD)
        session.commit()
        staff = Staff(app, "amy", "agent")
        for _ in range(5):
            assert staff.sign_in().status_code == 302  # good sign-ins cost nothing
            staff.post("/console/logout", token_from="/console/escalations")
        assert [staff.sign_in("wrong").status_code for _ in range(4)] == [401, 401, 401, 429]
        refused = staff.sign_in()
        assert refused.status_code == 429 and "登录失败次数过多" in refused.get_data(as_text=True)
        assert staff.client.get("/console/escalations").status_code == 302
    finally:
        app.extensions["database"].dispose()


def test_cookies_are_secure_behind_https(settings, clock):
    app = create_app({"TESTING": True, "SETTINGS": replace(settings, public_base_url="https://cc.example.com"),
                      "CLOCK": clock})
    try:
        assert app.config["SESSION_COOKIE_SECURE"] is True
    finally:
        app.extensions["database"].dispose()


ROLE_PAGES = {
    "agent": {"/console/escalations": 200, "/console/callbacks": 200, "/console/dashboard": 200,
              "/console/customers": 200, "/console/ivr": 200, "/console/campaigns": 403, "/console/campaigns/new": 403},
    "marketing": {"/console/escalations": 403, "/console/callbacks": 403, "/console/dashboard": 403,
                  "/console/customers": 403, "/console/ivr": 403, "/console/campaigns": 200,
                  "/console/campaigns/new": 200},
    "supervisor": {"/console/escalations": 200, "/console/campaigns": 200, "/console/dashboard": 200},
    "admin": {"/console/escalations": 200, "/console/campaigns": 200, "/console/ivr": 200},
}


@pytest.mark.parametrize("role", sorted(ROLE_PAGES))
def test_each_role_sees_its_pages_only(console_staff, role):
    staff = console_staff(role)
    seen = {path: staff.client.get(path).status_code for path in ROLE_PAGES[role]}
    assert seen == ROLE_PAGES[role]


def test_a_role_refused_a_page_is_refused_its_actions_too(console_staff, new_ticket):
    ticket = new_ticket()
    marketing = console_staff("marketing")
    token = csrf_token(marketing.client, "/console/campaigns")
    for path in (f"/console/tickets/{ticket.number}/events/acknowledge", "/console/escalations/1/claim",
                 "/console/customers/1/reveal", "/console/ivr/start"):
        assert marketing.client.post(path, data={"csrf_token": token}).status_code == 403, path
    agent = console_staff("agent")
    token = csrf_token(agent.client, "/console/escalations")
    assert agent.client.post("/console/campaigns", data={"csrf_token": token}).status_code == 403
    assert agent.client.post("/console/campaigns/1/approve", data={"csrf_token": token}).status_code == 403
