"""Creating a ticket for a mobile queues one confirmation text; a landline gets none."""
from __future__ import annotations

import pytest


def _texts(desk, phone: str) -> list[dict]:
    return desk.get("/messages", phone=phone).json["items"]


def test_a_mobile_caller_gets_exactly_one_ticket_created_text(desk):
    number = desk.open(phone="13800138000")["number"]
    texts = _texts(desk, "13800138000")
    assert [(t["direction"], t["template"], t["status"]) for t in texts] == [("out", "ticket_created", "queued")]
    assert texts[0]["body"].startswith("【志高】") and number in texts[0]["body"]


@pytest.mark.parametrize("line, hotline", [("home_ac", "400 675 7888"), ("water_heater", "400 075 7112")])
def test_the_confirmation_names_the_hotline_of_the_product_line(desk, line, hotline):
    desk.open(phone="13800138000", product_line=line, kind="inquiry")
    assert hotline in _texts(desk, "13800138000")[0]["body"]


def test_the_signature_comes_once_only(desk):
    desk.open(phone="13800138000")
    assert _texts(desk, "13800138000")[0]["body"].count("【志高】") == 1


@pytest.mark.parametrize("landline", ["0771 2800000", "+86 771 2800000"])
def test_a_landline_gets_no_text(desk, written, landline):
    desk.open(phone=landline)
    assert _texts(desk, landline) == []
    assert written()["messages"] == 0


def test_each_ticket_gets_its_own_text(desk):
    first = desk.open(phone="13800138000")["number"]
    second = desk.open(phone="13800138000")["number"]
    bodies = [t["body"] for t in _texts(desk, "13800138000")]
    assert len(bodies) == 2 and second in bodies[0] and first in bodies[1]
