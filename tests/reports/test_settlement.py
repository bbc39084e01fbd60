"""The monthly settlement of an outlet (P-INS-3, P-REP-2): fees in integer fen, parts, totals that add up."""
from __future__ import annotations

import csv
import io

import pytest

from tests.factories import make_outlet, make_technician
from tests.surveys.support import at, move, open_ticket


def finished(session, technician, when, *, kind="repair", phone="+8613800000001", **lines):
    ticket = open_ticket(session, when, kind=kind, phone=phone)
    move(session, ticket, "dispatch", when, technician_id=technician.id)
    move(session, ticket, "arrive", when)
    move(session, ticket, "resolve", when, **lines)
    return ticket


@pytest.fixture
def outlet(session):
    """Outlet A in July: a repair with two fee lines and two parts, an install without a fee.
    Outside: a repair of outlet B in July, and one of A finished on 1 August (Shanghai time)."""
    a, b = make_outlet(session, name="南宁网点A"), make_outlet(session, name="柳州网点B")
    tech_a, tech_b = make_technician(session, a), make_technician(session, b)
    tech_a.name = "=HYPERLINK(\"x\")"  # typed by someone: must not run as a formula in Excel
    finished(session, tech_a, at(3, 9), fees=[{"item": "上门费", "amount": 30}, {"item": "加氟", "amount": "120.5"}],
             parts=[{"code": "3001", "name": "电容", "quantity": 2}, {"name": "四通阀"}],
             returned=[{"code": "3001", "name": "旧电容", "quantity": 2}])
    finished(session, tech_a, at(4, 9), kind="install", phone="+8613800000002")
    finished(session, tech_b, at(4, 9), phone="+8613800000003", fees=[{"item": "上门费", "amount": 30}])
    late = open_ticket(session, at(31, 23, 0), phone="+8613800000005")
    move(session, late, "dispatch", at(31, 23, 10), technician_id=tech_a.id)
    move(session, late, "arrive", at(31, 23, 20))
    move(session, late, "resolve", at(31, 23, 0).replace(month=8, day=1, hour=0, minute=1))  # 1 August
    session.commit()
    return a


def settlement(client, staff, outlet_id, **query):
    return client.get("/api/v1/reports/settlement", query_string={"outlet": outlet_id, "month": "2026-07", **query},
                      headers=staff("supervisor"))


def test_the_month_holds_the_outlets_installs_and_repairs_only(client, staff, outlet):
    body = settlement(client, staff, outlet.id).json
    assert body["outlet"] == "南宁网点A" and body["month"] == "2026-07"
    assert [j["kind"] for j in body["jobs"]] == ["repair", "install"]


def test_fees_are_integer_fen_and_the_totals_add_up(client, staff, outlet):
    body = settlement(client, staff, outlet.id).json
    assert body["jobs"][0]["fees"] == [{"item": "上门费", "amount_fen": 3000}, {"item": "加氟", "amount_fen": 12050}]
    assert body["jobs"][0]["fee_total_fen"] == 15050
    assert body["totals"]["fee_total_fen"] == sum(j["fee_total_fen"] for j in body["jobs"]) == 15050
    assert (body["totals"]["installs"], body["totals"]["repairs"], body["totals"]["parts_issued"]) == (1, 1, 3)
    assert body["jobs"][0]["parts_returned"] == [{"code": "3001", "name": "旧电容", "quantity": 2}]
    assert body["totals"]["parts_returned"] == 2


def test_the_csv_opens_in_excel_with_the_chinese_intact(client, staff, outlet):
    response = settlement(client, staff, outlet.id, format="csv")
    assert response.mimetype == "text/csv"
    raw = response.data
    assert raw.startswith("\ufeff".encode("utf-8"))
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0][0] == "ticket" and "上门费 3000; 加氟 12050" in rows[1]
    assert rows[-1][0] == "total" and rows[-1][6] == "15050"
    assert rows[1][4].startswith("'=")  # a cell Excel would run as a formula is made text


def test_asking_for_csv_by_accept_header_gives_csv(client, staff, outlet):
    response = client.get("/api/v1/reports/settlement", query_string={"outlet": outlet.id, "month": "2026-07"},
                          headers={**staff("supervisor"), "Accept": "text/csv"})
    assert response.mimetype == "text/csv"


@pytest.mark.parametrize("query, field", [({"month": "2026-13"}, "month"), ({"month": "2026-7"}, "month"),
                                          ({"month": ""}, "month"), ({"format": "xlsx"}, "format")])
def test_a_bad_month_or_format_is_a_400(client, staff, outlet, query, field):
    response = settlement(client, staff, outlet.id, **query)
    assert response.status_code == 400 and field in response.json["fields"]


def test_an_unknown_outlet_is_a_404(client, staff, outlet):
    assert settlement(client, staff, 99999).status_code == 404


def test_the_outlet_is_required(client, staff):
    response = client.get("/api/v1/reports/settlement?month=2026-07", headers=staff("supervisor"))
    assert response.status_code == 400 and "outlet" in response.json["fields"]
