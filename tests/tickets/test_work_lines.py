"""Parts used and fees charged at resolution (P-REP-2, P-WAR-9): validated before they are stored."""
from __future__ import annotations

import pytest

from app.errors import ValidationFailed
from app.tickets.work_lines import MAX_LINES, parse_work_lines


def test_no_parts_and_no_fees_store_nothing():
    assert parse_work_lines({}) == {}
    assert parse_work_lines({"parts": [], "fees": []}) == {}


def test_parts_are_trimmed_with_a_default_quantity_of_one():
    lines = parse_work_lines({"parts": [{"name": " 电容 "}, {"code": 3001, "name": "四通阀", "quantity": 2}]})
    assert lines["parts"] == [{"code": "", "name": "电容", "quantity": 1}, {"code": "3001", "name": "四通阀", "quantity": 2}]


def test_fees_are_kept_as_yuan_with_two_decimals_and_totalled():
    lines = parse_work_lines({"fees": [{"item": "上门费", "amount": 30}, {"item": "加氟", "amount": "120.5"},
                                       {"item": "清洗", "amount": 0.25}]})
    assert [f["amount"] for f in lines["fees"]] == ["30.00", "120.50", "0.25"]
    assert lines["fee_total"] == "150.75"


def test_parts_alone_total_zero_fees():
    assert parse_work_lines({"parts": [{"name": "遥控器"}]})["fee_total"] == "0.00"


def test_the_largest_fee_is_accepted():
    assert parse_work_lines({"fees": [{"item": "更换压缩机", "amount": 100000}]})["fee_total"] == "100000.00"


BAD_PARTS = [
    ("parts is not a list", {"parts": {"name": "电容"}}, "parts"),
    ("fees is not a list", {"fees": "30"}, "fees"),
    ("a part is not an object", {"parts": ["电容"]}, "parts[0]"),
    ("a part without a name", {"parts": [{"name": "电容"}, {"quantity": 1}]}, "parts[1]"),
    ("a blank part name", {"parts": [{"name": "   "}]}, "parts[0]"),
    ("a part name that is not text", {"parts": [{"name": 5}]}, "parts[0]"),
    ("quantity zero", {"parts": [{"name": "电容", "quantity": 0}]}, "parts[0]"),
    ("quantity over 100", {"parts": [{"name": "电容", "quantity": 101}]}, "parts[0]"),
    ("quantity as text", {"parts": [{"name": "电容", "quantity": "2"}]}, "parts[0]"),
    ("quantity true", {"parts": [{"name": "电容", "quantity": True}]}, "parts[0]"),
    ("quantity fractional", {"parts": [{"name": "电容", "quantity": 1.5}]}, "parts[0]"),
    ("a fee without an item", {"fees": [{"amount": 30}]}, "fees[0]"),
    ("a fee without an amount", {"fees": [{"item": "上门费"}]}, "fees[0]"),
    ("a negative fee", {"fees": [{"item": "上门费", "amount": -1}]}, "fees[0]"),
    ("a fee over 100000 yuan", {"fees": [{"item": "上门费", "amount": "100000.01"}]}, "fees[0]"),
    ("a fee with three decimals", {"fees": [{"item": "上门费", "amount": "1.005"}]}, "fees[0]"),
    ("a fee that is not a number", {"fees": [{"item": "上门费", "amount": "三十"}]}, "fees[0]"),
    ("a fee of true", {"fees": [{"item": "上门费", "amount": True}]}, "fees[0]"),
    ("a fee of NaN", {"fees": [{"item": "上门费", "amount": "NaN"}]}, "fees[0]"),
    ("a fee of infinity", {"fees": [{"item": "上门费", "amount": "Infinity"}]}, "fees[0]"),
    ("too many lines", {"parts": [{"name": "螺丝"}] * MAX_LINES, "fees": [{"item": "上门费", "amount": 1}]}, "parts"),
]


@pytest.mark.parametrize("payload, field", [c[1:] for c in BAD_PARTS], ids=[c[0] for c in BAD_PARTS])
def test_bad_work_lines_are_refused_naming_the_line(payload, field):
    with pytest.raises(ValidationFailed) as refused:
        parse_work_lines(payload)
    assert field in refused.value.fields
    assert refused.value.message


def test_parts_returned_are_kept_apart_from_parts_issued():
    lines = parse_work_lines({"parts": [{"code": "YSJ-35", "name": "压缩机"}],
                              "returned": [{"code": "YSJ-35", "name": "旧压缩机", "quantity": 1}]})
    assert lines["parts"] == [{"code": "YSJ-35", "name": "压缩机", "quantity": 1}]
    assert lines["returned"] == [{"code": "YSJ-35", "name": "旧压缩机", "quantity": 1}]


def test_parts_returned_alone_are_stored():
    assert parse_work_lines({"returned": [{"name": "电脑板"}]})["returned"] == [{"code": "", "name": "电脑板", "quantity": 1}]


@pytest.mark.parametrize("returned, field", [({"name": "电容"}, "returned"), ([{"quantity": 1}], "returned[0]"),
                                             ([{"name": "电容", "quantity": 0}], "returned[0]")])
def test_a_bad_returned_line_is_refused_naming_it(returned, field):
    with pytest.raises(ValidationFailed) as refused:
        parse_work_lines({"returned": returned})
    assert field in refused.value.fields
