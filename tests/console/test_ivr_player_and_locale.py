"""The IVR player (signed requests to the real webhooks, the ticket the call left) and the languages
(Chinese by default, English on ?lang=en, remembered; every Chinese msgid has its English)."""
from __future__ import annotations

import html
from dataclasses import replace
from datetime import date
from pathlib import Path

from babel.messages.extract import extract_from_dir
from sqlalchemy import select

from app import create_app
from app.console.locale import PO_FILE, compile_po
from app.tickets.models import Ticket
from tests.factories import make_customer, make_unit

HOME_AC = "+864006757888"


def _say(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def test_a_call_played_in_the_browser_walks_the_real_flow_and_leaves_its_ticket(console_staff, session):
    customer = make_customer(session, phone="+8613800138000")
    make_unit(session, customer, product_line="home_ac", serial="HA00001111", installed_on=date(2024, 5, 1))
    session.commit()
    amy = console_staff("agent", "amy")
    page = _say(amy.post("/console/ivr/start", {"to": HOME_AC, "from": "138 0013 8000"}, token_from="/console/ivr"))
    assert "您好，欢迎再次致电志高家用空调服务热线。" in page and 'id="keypad"' in page
    for key in ("1", "1", "1"):
        page = _say(amy.post("/console/ivr/answer", {"answer": key}, token_from="/console/ivr"))
    page = _say(amy.post("/console/ivr/answer", {"answer": "2"}, token_from="/console/ivr"))
    assert "如您愿意接收志高的优惠活动短信" in page  # the offer after the ticket, to a caller without consent
    page = _say(amy.post("/console/ivr/answer", {"answer": "2"}, token_from="/console/ivr"))
    [ticket] = session.scalars(select(Ticket)).all()
    assert (ticket.kind, ticket.product_line, ticket.phone) == ("repair", "home_ac", "+8613800138000")
    assert f">{ticket.number}</a> · repair" in page and 'id="ivr-ended"' in page
    assert "1 · 1 · 1 · 2 · 2" in page


def test_the_player_refuses_what_a_keypad_cannot_send(console_staff):
    amy = console_staff("agent", "amy")
    assert amy.post("/console/ivr/answer", {"answer": "1"}, token_from="/console/ivr").status_code == 409
    assert amy.post("/console/ivr/start", {"to": "+10000000000", "from": "13800138000"},
                    token_from="/console/ivr").status_code == 400
    bad_caller = amy.post("/console/ivr/start", {"to": HOME_AC, "from": "12"}, token_from="/console/ivr")
    assert bad_caller.status_code == 400
    amy.post("/console/ivr/start", {"to": HOME_AC, "from": "anonymous"}, token_from="/console/ivr")
    assert amy.post("/console/ivr/answer", {"answer": "1; DROP"}, token_from="/console/ivr").status_code == 400
    hung_up = _say(amy.post("/console/ivr/hangup", token_from="/console/ivr"))
    assert "您挂断了电话" in hung_up and 'id="ivr-ended"' in hung_up
    assert amy.client.post("/console/ivr/start", data={"to": HOME_AC, "from": "13800138000"}).status_code == 400


def test_without_an_auth_token_the_player_says_why_it_cannot_sign(settings, clock, session):
    from tests.console.conftest import PASSWORD, Staff
    from app.staff.tokens import create_user

    app = create_app({"TESTING": True, "SETTINGS": replace(settings, twilio_auth_token=None), "CLOCK": clock})
    try:
        create_user(session, "amy", "agent", now=clock.now(), password=PASSWORD)
        session.commit()
        amy = Staff(app, "amy", "agent")
        amy.sign_in()
        response = amy.post("/console/ivr/start", {"to": HOME_AC, "from": "13800138000"}, token_from="/console/ivr")
        assert response.status_code == 409 and "TWILIO_AUTH_TOKEN" in _say(response)
    finally:
        app.extensions["database"].dispose()


def test_chinese_by_default_and_english_on_lang_en_remembered(console_staff, client):
    assert '<html lang="zh-CN">' in client.get("/console/login").get_data(as_text=True)
    amy = console_staff("agent", "amy")
    chinese = amy.page("/console/escalations")
    assert "升级队列" in chinese and "Escalations" not in chinese
    english = amy.page("/console/escalations?lang=en")
    assert '<html lang="en">' in english and "Escalations" in english and "升级队列" not in english
    assert "The queue is empty." in amy.page("/console/escalations")  # remembered in the session
    assert "升级队列" in amy.page("/console/callbacks?lang=zh") and "回访工作表" in amy.page("/console/callbacks")


def test_every_chinese_text_of_the_console_has_its_english():
    root = Path(__file__).resolve().parents[2] / "app" / "console"
    method_map = [("templates/**.html", "jinja2"), ("**.py", "python")]
    found = {message for _file, _line, message, _comments, _context in extract_from_dir(
        str(root), method_map, keywords={"_": None, "gettext": None})}
    english = compile_po(PO_FILE)
    untranslated = sorted(m for m in found if isinstance(m, str) and english.gettext(m) == m)
    assert not untranslated
    assert english.gettext("升级队列") == "Escalations"
