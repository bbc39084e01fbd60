"""The console in a real browser (Playwright driving Debian's Chromium, headless) against the real
server (gunicorn, two workers): what the issue's "done when" lists, and screenshots of the queue, a
ticket, the dashboard and the IVR player with Chinese rendered (fonts-noto-cjk).

The server runs on the system clock, so the data here is made at the real time too. Every wait is
on a condition of the page (Playwright's expect), never a sleep.
"""
from __future__ import annotations

import re
from datetime import date, datetime, timezone

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.closed_loop.moves import move_ticket
from app.campaigns.models import Campaign
from app.escalations.models import Escalation
from app.escalations.services import raise_escalation
from app.tickets.models import Ticket
from app.tickets.services import NewTicket, create_ticket
from tests.campaigns.conftest import make_owner
from tests.conftest import SHANGHAI
from tests.console.conftest import screenshot
from tests.factories import make_customer, make_outlet, make_technician, make_unit

pytestmark = pytest.mark.browser


def real_now() -> datetime:
    return datetime.now(timezone.utc)


def _ticket(session, *, kind: str = "repair", phone: str = "13800138000", serial: str | None = None) -> Ticket:
    ticket = create_ticket(session, NewTicket(kind=kind, product_line="home_ac", phone=phone, serial=serial,
                                              summary="空调不制冷"), actor="ivr", now=real_now()).ticket
    session.commit()
    return ticket


def _escalation(session, ticket: Ticket) -> Escalation:
    item = raise_escalation(session, reason="respond_breached", queue="agent", now=real_now(), ticket_id=ticket.id,
                            dedupe_key=f"browser:{ticket.id}", detail="超过 1 小时未响应")
    session.commit()
    return item


def test_sign_in_and_a_page_without_a_session_goes_to_the_sign_in(browser_as):
    page = browser_as("agent", "visitor", sign_in=False)
    page.goto("/console/dashboard")
    expect(page).to_have_url(re.compile(r"/console/login\?next=%2Fconsole%2Fdashboard$"))
    expect(page.locator(".flash")).to_contain_text("请先登录")
    amy = browser_as("agent", "amy")
    expect(amy).to_have_url(re.compile(r"/console/escalations$"))
    expect(amy.locator("h1")).to_contain_text("升级队列")


def test_an_escalation_worked_from_the_queue_to_a_resolved_ticket(browser_as, session):
    customer = make_customer(session, phone="+8613800138000", name="王伟")
    make_unit(session, customer, serial="HA00000001", installed_on=date(2025, 5, 1))
    outlet = make_outlet(session, name="南宁青秀志高服务网点")
    technician = make_technician(session, outlet)
    session.commit()
    ticket = _ticket(session, serial="HA00000001")
    item = _escalation(session, ticket)
    page = browser_as("agent", "amy")
    row = page.locator(f"#escalation-{item.id}")
    expect(row.locator(".phone")).to_have_text("138****8000")
    # The countdown runs in the page (m:ss from the server's due time): under the hour a new repair
    # has, not late (however slowly a busy machine got the page here).
    clock_text = row.locator(".countdown .clock")
    expect(clock_text).to_have_text(re.compile(r"^([1-5]?[0-9]|60):[0-5][0-9]$"))
    first = clock_text.inner_text()
    expect(clock_text).not_to_have_text(first)
    screenshot(page, "queue")
    row.locator("button[name=claim]").click()
    expect(page.locator(".flash.ok")).to_contain_text("已认领")
    expect(page.locator(f"#escalation-{item.id} .holder")).to_contain_text("amy")

    page.click(f"#escalation-{item.id} a[href='/console/tickets/{ticket.number}']")
    expect(page.locator("#ticket-status")).to_have_text("received")
    page.click("#form-acknowledge button[type=submit]")
    expect(page.locator("#ticket-status")).to_have_text("acknowledged")
    page.select_option("#form-dispatch select[name=outlet]", str(outlet.id))
    # The button the page offers without its script too: the list comes whether or not the
    # select's auto-submit was already wired when the option was picked.
    page.click("#form-dispatch form.pick-outlet button[type=submit]")
    expect(page.locator("#form-dispatch select[name=technician_id]")).to_be_visible()
    page.select_option("#form-dispatch select[name=technician_id]", str(technician.id))
    page.click("#form-dispatch form.once button[type=submit]")
    expect(page.locator("#ticket-status")).to_have_text("dispatched")
    page.click("#form-arrive button[type=submit]")
    expect(page.locator("#ticket-status")).to_have_text("on_site")
    page.locator("#form-resolve input[name=part_name]").first.fill("压缩机")
    page.locator("#form-resolve input[name=fee_item]").first.fill("上门费")
    page.locator("#form-resolve input[name=fee_amount]").first.fill("三十")
    page.click("#form-resolve button[type=submit]")
    expect(page.locator(".flash.error")).to_contain_text("fees[0]: amount must be a number of yuan")
    expect(page.locator("#ticket-status")).to_have_text("on_site")
    # The refused form comes back empty: fill it again, this time with a number of yuan.
    page.locator("#form-resolve input[name=part_name]").first.fill("压缩机")
    page.locator("#form-resolve input[name=fee_item]").first.fill("上门费")
    page.locator("#form-resolve input[name=fee_amount]").first.fill("30")
    page.click("#form-resolve button[type=submit]")
    expect(page.locator("#ticket-status")).to_have_text("resolved")
    expect(page.locator("#timeline li")).to_have_count(5)
    expect(page.locator("#cover")).to_contain_text("whole_unit")
    screenshot(page, "ticket")

    page.goto("/console/escalations")
    page.fill(f"#escalation-{item.id} input[name=note]", "已派工修复，客户确认")
    page.click(f"#escalation-{item.id} button[name=resolve]")
    expect(page.locator(".flash.ok")).to_contain_text("已处理")
    expect(page.locator(f"#escalation-{item.id}")).to_have_count(0)
    session.expire_all()
    assert session.get(Escalation, item.id).resolved_by == "amy"
    resolved = session.get(Ticket, ticket.id)
    assert resolved.status == "resolved" and resolved.work_lines["fee_total"] == "30.00"


def test_two_agents_claim_one_item_and_exactly_one_wins(browser_as, session):
    item = _escalation(session, _ticket(session))
    amy, bob = browser_as("agent", "amy"), browser_as("agent", "bob")
    for page in (amy, bob):
        page.reload()
        expect(page.locator(f"#escalation-{item.id} button[name=claim]")).to_be_visible()
    # Both forms go at once: Bob's submit is under way while Amy clicks; then double clicks on both.
    bob.evaluate(f"document.querySelector('#escalation-{item.id} form.once').requestSubmit()")
    amy.locator(f"#escalation-{item.id} button[name=claim]").click()
    for page in (amy, bob):
        expect(page.locator(".flash")).to_be_visible()
    session.expire_all()
    winner = session.get(Escalation, item.id).claimed_by
    assert winner in ("amy", "bob")
    loser = bob if winner == "amy" else amy
    expect(loser.locator(".flash.error")).to_contain_text(f"is claimed by {winner}")
    winner_page = amy if winner == "amy" else bob
    expect(winner_page.locator(".flash.ok")).to_contain_text("已认领")
    expect(loser.locator(f"#escalation-{item.id} .holder")).to_contain_text(winner)


def test_a_callback_is_recorded_from_the_worklist(browser_as, session):
    technician = make_technician(session)
    ticket = _ticket(session, kind="install")
    for event, payload in (("dispatch", {"technician_id": technician.id}), ("arrive", {}), ("resolve", {})):
        move_ticket(session, ticket, event, payload, actor="tech", now=real_now(), tz=SHANGHAI)
    session.commit()
    page = browser_as("agent", "amy")
    page.goto("/console/callbacks")
    row = page.locator(f"#callback-{ticket.number}")
    expect(row.locator(".ladder")).to_have_text("pending")
    row.locator("select[name=score]").select_option("4")
    row.locator("input[name=note]").fill("安装很好")
    row.locator("button[type=submit]").click()
    expect(page.locator(".flash.ok")).to_contain_text(ticket.number)
    expect(page.locator(f"#callback-{ticket.number}")).to_have_count(0)
    session.expire_all()
    verified = session.get(Ticket, ticket.id)
    assert (verified.status, verified.callback_score) == ("verified", 4)


def test_a_campaign_drafted_by_one_user_is_approved_by_another(browser_as, session):
    for _ in range(3):
        make_owner(session)
    session.commit()
    mo = browser_as("marketing", "mo")
    mo.goto("/console/campaigns/new")
    mo.fill("input[name=name]", "入夏提醒")
    mo.select_option("select[name=kind]", "pre_season_cooling")
    mo.fill("textarea[name=template]", "天气转热，请检查您的{{ product_label }}。")
    mo.check("input[name=product_lines][value=home_ac]")
    mo.fill("input[name=provinces]", "广西壮族自治区")
    expect(mo.locator("#preview-audience")).to_have_text("3")  # the live preview, as typed
    mo.fill("input[name=provinces]", "广东省")
    expect(mo.locator("#preview-audience")).to_have_text("0")
    mo.fill("input[name=provinces]", "广西壮族自治区")
    expect(mo.locator("#preview-audience")).to_have_text("3")
    mo.fill("input[name=starts_at]", "2030-07-01T10:00")
    mo.fill("input[name=ends_by]", "2030-07-01T18:00")
    mo.click("#campaign-form button[type=submit]")
    expect(mo.locator("#campaign-status")).to_have_text("draft")
    mo.click("#form-approve button[type=submit]")
    expect(mo.locator(".flash.error")).to_contain_text("approval is a supervisor's or an admin's")
    campaign = session.scalar(select(Campaign).where(Campaign.name == "入夏提醒"))
    sue = browser_as("supervisor", "sue")
    sue.goto(f"/console/campaigns/{campaign.id}")
    sue.click("#form-approve button[type=submit]")
    expect(sue.locator("#campaign-status")).to_have_text("approved")
    expect(sue.locator("#approved-by")).to_have_text("sue")
    session.expire_all()
    assert (session.get(Campaign, campaign.id).created_by, session.get(Campaign, campaign.id).approved_by) == ("mo", "sue")


def test_switching_to_english_is_remembered(browser_as):
    page = browser_as("supervisor", "sue")
    expect(page.locator("h1")).to_contain_text("升级队列")
    page.click("a[hreflang=en]")
    expect(page.locator("h1")).to_contain_text("Escalations")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.click("header nav a[href='/console/dashboard']")
    expect(page.locator("h1")).to_contain_text("Dashboard")
    page.click("a[hreflang=zh]")
    expect(page.locator("h1")).to_contain_text("看板")


def test_a_form_without_its_csrf_token_is_refused_and_changes_nothing(browser_as, session):
    item = _escalation(session, _ticket(session))
    page = browser_as("agent", "amy")
    page.evaluate(f"document.querySelector('#escalation-{item.id} form.once input[name=csrf_token]').remove()")
    with page.expect_navigation() as navigation:
        page.click(f"#escalation-{item.id} button[name=claim]")
    assert navigation.value.status == 400
    expect(page.locator(".flash.error")).to_contain_text("CSRF")
    session.expire_all()
    assert session.get(Escalation, item.id).claimed_by is None


def test_the_dashboard_and_the_ivr_player(browser_as, session):
    technician = make_technician(session)
    for n in range(3):
        ticket = _ticket(session, phone=f"1391234567{n}")
        move_ticket(session, ticket, "dispatch", {"technician_id": technician.id}, actor="amy", now=real_now(),
                    tz=SHANGHAI)
    _ticket(session, kind="complaint")
    session.commit()
    page = browser_as("supervisor", "sue")
    page.goto("/console/dashboard")
    expect(page.locator("#chart-sla rect.bar")).to_have_count(4)
    expect(page.locator("#open-escalations")).to_contain_text("complaint")
    screenshot(page, "dashboard")

    customer = make_customer(session, phone="+8613800138000")
    make_unit(session, customer, serial="HA00001111", installed_on=date(2024, 5, 1))
    session.commit()
    page.goto("/console/ivr")
    page.select_option("#ivr-start select[name=to]", "+864006757888")
    page.fill("#ivr-start input[name=from]", "13800138000")
    page.click("#ivr-start button[type=submit]")
    expect(page.locator("#prompts")).to_contain_text("欢迎再次致电志高家用空调服务热线")
    for key in ("1", "1", "1"):
        page.click(f"#keypad button[value='{key}']")
        expect(page.locator("#keys-pressed")).to_contain_text(key)
    screenshot(page, "ivr")
    page.click("#keypad button[value='2']")
    # After the ticket the flow offers offers by text to a caller without consent; 2 declines.
    expect(page.locator("#prompts")).to_contain_text("如您愿意接收志高的优惠活动短信")
    page.click("#keypad button[value='2']")
    expect(page.locator("#ivr-ended")).to_be_visible()
    expect(page.locator("#ivr-tickets a")).to_have_count(1)
    number = page.locator("#ivr-tickets a").inner_text()
    made = session.scalar(select(Ticket).where(Ticket.number == number))
    assert (made.kind, made.phone) == ("repair", "+8613800138000")
