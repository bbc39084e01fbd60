"""Fixtures of the console tests: staff with passwords, signed-in test clients, forms posted with their token."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from app.staff.tokens import create_user
from app.tickets.services import NewTicket, create_ticket

PASSWORD = "correct-horse-9"
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_token(client, path: str = "/console/login") -> str:
    """The CSRF token a page of the console puts in its forms (the session's own)."""
    page = client.get(path, follow_redirects=True)
    match = TOKEN.search(page.get_data(as_text=True))
    assert match, f"no CSRF token on {path} ({page.status_code})"
    return match.group(1)


class Staff:
    """A console user with a client signed in as them; `post` sends a form with the page's token."""

    def __init__(self, app, name: str, role: str) -> None:
        self.name, self.role = name, role
        self.client = app.test_client()

    def sign_in(self, password: str = PASSWORD):
        return self.client.post("/console/login", data={"username": self.name, "password": password,
                                                        "csrf_token": csrf_token(self.client)})

    def post(self, path: str, data: dict | None = None, *, token_from: str = "/console/login", follow: bool = False):
        body = {"csrf_token": csrf_token(self.client, token_from), **(data or {})}
        return self.client.post(path, data=body, follow_redirects=follow)

    def page(self, path: str) -> str:
        response = self.client.get(path)
        assert response.status_code == 200, (path, response.status_code)
        return response.get_data(as_text=True)


@pytest.fixture
def console_staff(app, session, clock):
    """`console_staff("agent", "amy")` -> a signed-in Staff of that role (the user made with a password)."""
    made: dict[str, Staff] = {}

    def make(role: str = "agent", name: str | None = None, *, signed_in: bool = True) -> Staff:
        name = name or f"{role}-console"
        if name not in made:
            create_user(session, name, role, now=clock.now(), password=PASSWORD)
            session.commit()
            made[name] = Staff(app, name, role)
            if signed_in:
                response = made[name].sign_in()
                assert response.status_code == 302, response.get_data(as_text=True)[:500]
        return made[name]

    return make


@pytest.fixture
def new_ticket(session, clock):
    """`new_ticket(kind="repair", phone=...)` -> a ticket made by the domain's own verb, committed."""
    def make(kind: str = "repair", phone: str = "13800138000", product_line: str = "home_ac", **extra):
        result = create_ticket(session, NewTicket(kind=kind, product_line=product_line, phone=phone, **extra),
                               actor="test", now=clock.now())
        session.commit()
        return result.ticket

    return make


SCREENSHOTS = Path(__file__).resolve().parents[2] / "screenshots"
CHROMIUM = "/usr/bin/chromium"
WAIT_MS = 60_000  # generous: the machine is shared; every wait is on a condition, never a sleep


@pytest.fixture(scope="session")
def chromium():
    """Debian's Chromium, headless, driven by Playwright (one browser for the session, a context per user)."""
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=WAIT_MS)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def browser_as(chromium, served, session, clock):
    """`browser_as("agent", "amy")` -> a page of a new browser context, signed in through the form."""
    from playwright.sync_api import expect

    contexts = []

    def open_as(role: str, name: str, *, sign_in: bool = True, locale: str = "zh-CN"):
        if sign_in:
            create_user(session, name, role, now=clock.now(), password=PASSWORD)
            session.commit()
        context = chromium.new_context(base_url=served.url, locale=locale, viewport={"width": 1280, "height": 900})
        context.set_default_timeout(WAIT_MS)
        contexts.append(context)
        page = context.new_page()
        if sign_in:
            page.goto("/console/login")
            page.fill("input[name=username]", name)
            page.fill("input[name=password]", PASSWORD)
            page.click("#login-form button[type=submit]")
            expect(page.locator("header .who")).to_contain_text(name)
        return page

    yield open_as
    for context in contexts:
        context.close()


def screenshot(page, name: str) -> Path:
    """Save what the page shows now to screenshots/NAME.png (gitignored), whole page."""
    SCREENSHOTS.mkdir(exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
