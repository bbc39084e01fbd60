"""GET /api/v1/outlets and /technicians: the service network, and who may be sent out (P-NET-1/2)."""
from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from tests.factories import make_outlet, make_technician


@pytest.fixture
def network(session) -> dict:
    """Two outlets: a contracted one with a certified, an expired and an uncertified technician; a pending one."""
    contracted = make_outlet(session, name="南宁青秀志高服务网点")
    pending = make_outlet(session, name="玉林玉州志高服务网点", contract_status="pending", review_status="pending")
    ids = {
        "contracted": contracted.id, "pending": pending.id,
        "certified": make_technician(session, contracted, certificate_number="GX-00-001").id,
        "expires_today": make_technician(session, contracted, certificate_number="GX-00-002",
                                         expires_on=date(2026, 7, 7)).id,
        "expired": make_technician(session, contracted, certificate_number="GX-00-003", expires_on=date(2026, 7, 6)).id,
        "uncertified": make_technician(session, contracted, certificate_number=None, expires_on=None).id,
        "at_pending_outlet": make_technician(session, pending, certificate_number="GX-03-001").id,
    }
    session.commit()
    return ids


def _ids(response) -> list[int]:
    assert response.status_code == 200, response.json
    return [row["id"] for row in response.json["items"]]


def test_outlets_show_whether_they_may_serve(desk, network):
    outlets = desk.get("/outlets").json["items"]
    assert [(o["name"], o["contract_status"], o["review_status"], o["may_serve"]) for o in outlets] == [
        ("南宁青秀志高服务网点", "signed", "passed", True), ("玉林玉州志高服务网点", "pending", "pending", False)]


def test_technicians_are_listed_by_outlet(desk, network):
    assert _ids(desk.get("/technicians", outlet=network["pending"])) == [network["at_pending_outlet"]]


def test_certified_true_lists_only_valid_certificates(desk, network):
    assert _ids(desk.get("/technicians", certified="true")) == [
        network["certified"], network["expires_today"], network["at_pending_outlet"]]


def test_certified_false_lists_the_expired_and_the_uncertified(desk, network):
    assert _ids(desk.get("/technicians", certified="false")) == [network["expired"], network["uncertified"]]


def test_outlet_and_certified_combine(desk, network):
    assert _ids(desk.get("/technicians", outlet=network["contracted"], certified="true")) == [
        network["certified"], network["expires_today"]]


def test_a_technician_shows_certified_and_dispatchable_apart(desk, network):
    rows = {t["id"]: t for t in desk.get("/technicians").json["items"]}
    at_pending = rows[network["at_pending_outlet"]]
    expired = rows[network["expired"]]
    assert (at_pending["certified"], at_pending["dispatchable"]) == (True, False)
    assert (expired["certified"], expired["dispatchable"], expired["certificate_expires_on"]) == (False, False, "2026-07-06")


def test_the_certificate_is_judged_on_the_business_day(desk, network, clock):
    clock.set(datetime(2026, 7, 8, 1, 0, tzinfo=ZoneInfo("Asia/Shanghai")))  # still 07-07 in UTC: lapsed here
    assert network["expires_today"] not in _ids(desk.get("/technicians", certified="true"))


def test_marketing_staff_may_read_the_network(desk, network, staff):
    assert desk.get("/outlets", headers=staff("marketing")).status_code == 200


def test_outlets_page(desk, network):
    body = desk.get("/outlets", per_page=1).json
    assert (len(body["items"]), body["next_page"]) == (1, 2)


def test_a_blank_certificate_number_is_no_certificate(desk, session):
    blank = make_technician(session, certificate_number="", expires_on=date(2030, 1, 1)).id
    session.commit()
    assert blank not in _ids(desk.get("/technicians", certified="true"))
    assert blank in _ids(desk.get("/technicians", certified="false"))
