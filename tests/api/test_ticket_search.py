"""GET /api/v1/tickets: by any form of any of the customer's numbers, by status, line and kind, page by page."""
from __future__ import annotations

import pytest

from tests.factories import add_phone, make_customer

PHONE_FORMS = ["13800138000", "013800138000", "+86 138 0013 8000", "0086 138 0013 8000", "86-138-0013-8000",
               "１３８００１３８０００", "＋８６ １３８ ００１３ ８０００"]


def _numbers(response) -> list[str]:
    assert response.status_code == 200, response.json
    return [t["number"] for t in response.json["items"]]


@pytest.mark.parametrize("form", PHONE_FORMS)
def test_a_ticket_stores_the_phone_as_e164_whatever_its_form(desk, form):
    assert desk.open(phone=form)["phone"] == "+8613800138000"


@pytest.mark.parametrize("form", PHONE_FORMS)
def test_any_form_of_the_number_finds_the_ticket(desk, form):
    number = desk.open(phone="13800138000")["number"]
    desk.open(phone="13900139000")
    assert _numbers(desk.get("/tickets", phone=form)) == [number]


def test_a_landline_is_stored_and_found_as_e164(desk):
    number = desk.open(phone="0771 2800000")["number"]
    assert _numbers(desk.get("/tickets", phone="+86 771 280 0000")) == [number]
    assert desk.get(f"/tickets/{number}").json["phone"] == "+867712800000"


def test_a_customers_other_number_finds_their_tickets(desk, session):
    customer = make_customer(session, phone="+8613800138000")
    add_phone(session, customer, "+867712800000", kind="fixed_line")
    session.commit()
    from_landline = desk.open(phone="0771-2800000")["number"]
    from_mobile = desk.open(phone="13800138000")["number"]
    desk.open(phone="13900139000")
    assert _numbers(desk.get("/tickets", phone="138 0013 8000")) == [from_mobile, from_landline]
    assert _numbers(desk.get("/tickets", phone="07712800000")) == [from_mobile, from_landline]


def test_a_known_callers_ticket_is_linked_to_the_customer(desk, session):
    customer = make_customer(session, phone="+8613800138000")
    session.commit()
    ticket = desk.open(phone="013800138000")
    assert (ticket["customer_id"], ticket["needs_verification_call"]) == (customer.id, False)


def test_an_unknown_callers_ticket_needs_a_verification_call(desk):
    ticket = desk.open(phone="13800138000")
    assert (ticket["customer_id"], ticket["needs_verification_call"]) == (None, True)


def test_a_number_with_no_tickets_finds_none(desk):
    desk.open(phone="13800138000")
    assert _numbers(desk.get("/tickets", phone="13700137000")) == []


def test_tickets_come_newest_first(desk, clock):
    first = desk.open()["number"]
    clock.advance(minutes=1)
    second = desk.open()["number"]
    assert _numbers(desk.get("/tickets")) == [second, first]


@pytest.fixture
def mixed(desk):
    """Three tickets of different status, line and kind, by name."""
    return {
        "repair": desk.open(kind="repair", product_line="home_ac")["number"],
        "heater_install": desk.open(kind="install", product_line="water_heater")["number"],
        "acknowledged_complaint": desk.walk(desk.open(kind="complaint", product_line="commercial_ac")["number"],
                                            "acknowledge")["number"],
    }


@pytest.mark.parametrize("query, expected", [
    ({"status": "received"}, ["heater_install", "repair"]),
    ({"status": "acknowledged"}, ["acknowledged_complaint"]),
    ({"status": "closed"}, []),
    ({"product_line": "water_heater"}, ["heater_install"]),
    ({"kind": "complaint"}, ["acknowledged_complaint"]),
    ({"kind": "repair", "product_line": "home_ac", "status": "received"}, ["repair"]),
    ({"kind": "repair", "product_line": "water_heater"}, []),
])
def test_filters_combine(desk, mixed, query, expected):
    assert sorted(_numbers(desk.get("/tickets", **query))) == sorted(mixed[name] for name in expected)


def test_next_page_walks_every_ticket_once_newest_first(desk, clock):
    made = []
    for _ in range(5):
        made.append(desk.open()["number"])
        clock.advance(minutes=1)
    seen, next_pages, page = [], [], 1
    while page is not None:
        body = desk.get("/tickets", per_page=2, page=page).json
        seen += [t["number"] for t in body["items"]]
        page = body["next_page"]
        next_pages.append(page)
    assert (seen, next_pages) == (made[::-1], [2, 3, None])


def test_a_full_last_page_has_no_next_page(desk):
    desk.open()
    desk.open()
    body = desk.get("/tickets", per_page=2).json
    assert (len(body["items"]), body["page"], body["per_page"], body["next_page"]) == (2, 1, 2, None)


def test_a_page_past_the_end_is_empty(desk):
    desk.open()
    body = desk.get("/tickets", page=3).json
    assert (body["items"], body["next_page"]) == ([], None)


def test_a_listed_ticket_carries_its_events(desk):
    number = desk.open()["number"]
    desk.walk(number, "acknowledge")
    item = desk.get("/tickets").json["items"][0]
    assert [e["type"] for e in item["events"]] == ["create", "acknowledge"]
