"""`flask --app wsgi customers import FILE.csv`: a dealer's install list becomes customers, their numbers,
addresses and units; bad rows are reported by line number and skipped, good rows are kept."""
from __future__ import annotations

import csv
import io
import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.config import PROJECT_ROOT
from app.customers.models import Address, Customer, CustomerPhone
from app.units.models import Unit
from tests.commands.conftest import INSTALL_LIST_HEADER

FLASK = Path(sys.executable).parent / "flask"


def row(**changes: str) -> str:
    """One install-list line, quoted as a spreadsheet would quote it."""
    values = {"name": "王伟", "phone": "13800138000", "province": "广西壮族自治区", "city": "南宁市",
              "address": "民族大道1号", "product_line": "home_ac", "model": "KFR-35GW/BpR3", "serial": "HA0001",
              "installed_on": "2024-05-01", **changes}
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerow(values[k] for k in INSTALL_LIST_HEADER.split(","))
    return out.getvalue().removesuffix("\r\n")


def import_file(runner, path):
    return runner.invoke(args=["customers", "import", str(path)])


def counts(session) -> dict[str, int]:
    return {model.__tablename__: session.scalar(select(func.count()).select_from(model))
            for model in (Customer, CustomerPhone, Address, Unit)}


def units_by_serial(session) -> dict[str, Unit]:
    session.expire_all()
    return {unit.serial: unit for unit in session.scalars(select(Unit))}


THREE_ROWS = [
    row(),
    row(serial="HA0002", model="KFR-26GW", address="民族大道1号", installed_on="2025-06-01"),
    row(name="李娜", phone="+86 139 0771 2345", city="柳州市", address="城中路8号", product_line="water_heater",
        model="KFRS-3.5/200", serial="wh0003", installed_on="2019-03-15"),
]


def test_imports_customers_their_numbers_addresses_and_units(runner, session, install_list):
    result = import_file(runner, install_list(THREE_ROWS))
    assert result.exit_code == 0, result.output
    assert counts(session) == {"customers": 2, "customer_phones": 2, "addresses": 2, "units": 3}


def test_numbers_are_stored_in_e164_with_their_kind(runner, session, install_list):
    import_file(runner, install_list(THREE_ROWS))
    phones = session.execute(select(CustomerPhone.e164, CustomerPhone.kind).order_by(CustomerPhone.e164)).all()
    assert phones == [("+8613800138000", "mobile"), ("+8613907712345", "mobile")]


def test_each_unit_belongs_to_its_customer_at_its_address(runner, session, install_list):
    import_file(runner, install_list(THREE_ROWS))
    unit = units_by_serial(session)["WH0003"]  # serials are stored upper case
    assert unit.customer.name == "李娜"
    assert (unit.address.province, unit.address.city, unit.address.line) == ("广西壮族自治区", "柳州市", "城中路8号")
    assert (unit.product_line, unit.model, unit.installed_on.isoformat()) == ("water_heater", "KFRS-3.5/200",
                                                                            "2019-03-15")


def test_the_summary_counts_what_was_done(runner, install_list):
    result = import_file(runner, install_list(THREE_ROWS))
    assert result.stdout.strip() == ("customers created 2, units created 3, units updated 0, unchanged 0, "
                                     "skipped 0")


def test_importing_the_same_file_again_changes_nothing(runner, session, install_list):
    path = install_list(THREE_ROWS)
    import_file(runner, path)
    before = counts(session), {s: (u.customer_id, u.address_id, u.installed_on) for s, u in units_by_serial(session).items()}
    again = import_file(runner, path)
    assert again.exit_code == 0, again.output
    assert "unchanged 3" in again.stdout and "units created 0" in again.stdout and "customers created 0" in again.stdout
    assert (counts(session), {s: (u.customer_id, u.address_id, u.installed_on)
                              for s, u in units_by_serial(session).items()}) == before


def test_a_number_written_another_way_finds_the_same_customer(runner, session, install_list):
    import_file(runner, install_list([row()]))
    result = import_file(runner, install_list([row(phone="0086 138-0013-8000", serial="HA0009")], name="b.csv"))
    assert "customers created 0" in result.stdout
    assert counts(session)["customers"] == 1


def test_a_changed_row_updates_its_unit(runner, session, install_list):
    import_file(runner, install_list([row()]))
    result = import_file(runner, install_list([row(model="KFR-35GW/NEW", installed_on="2024-06-01")], name="b.csv"))
    assert "units updated 1" in result.stdout
    unit = units_by_serial(session)["HA0001"]
    assert (unit.model, unit.installed_on.isoformat()) == ("KFR-35GW/NEW", "2024-06-01")


BAD_ROWS = {
    "invalid phone": (row(phone="12345", serial="BAD1"), "phone"),
    "unknown product line": (row(product_line="fridge", serial="BAD1"), "product_line"),
    "bad date": (row(installed_on="01/05/2024", serial="BAD1"), "installed_on must be YYYY-MM-DD"),
    "impossible date": (row(installed_on="2024-02-30", serial="BAD1"), "installed_on must be YYYY-MM-DD"),
    "future date": (row(installed_on="2026-07-08", serial="BAD1"), "installed_on is in the future"),
    "empty serial": (row(serial=""), "serial is empty"),
    "too many columns": (row(serial="BAD1") + ",extra", "more columns than the header"),
    "too few columns": ("王伟,13800138000,广西壮族自治区", "product_line is empty"),
}


@pytest.mark.parametrize("bad", BAD_ROWS.values(), ids=BAD_ROWS.keys())
def test_a_bad_row_is_reported_by_line_number_on_stderr_and_skipped(runner, install_list, bad):
    line, reason = bad
    result = import_file(runner, install_list([row(serial="GOOD1"), line, row(serial="GOOD2")]))
    assert result.exit_code == 0
    assert result.stderr.startswith("line 3: ")
    assert reason in result.stderr
    assert "skipped 1" in result.stdout


@pytest.mark.parametrize("bad", BAD_ROWS.values(), ids=BAD_ROWS.keys())
def test_the_good_rows_around_a_bad_row_are_kept(runner, session, install_list, bad):
    import_file(runner, install_list([row(serial="GOOD1"), bad[0], row(serial="GOOD2")]))
    assert set(units_by_serial(session)) == {"GOOD1", "GOOD2"}


def test_every_bad_row_is_reported_with_its_own_line(runner, install_list):
    result = import_file(runner, install_list([row(phone="x", serial="A"), row(serial="B"), row(serial="")]))
    assert [line.split(":")[0] for line in result.stderr.splitlines()] == ["line 2", "line 4"]


def test_a_bad_date_is_not_mistaken_for_a_today_or_future_date(runner, session, install_list):
    result = import_file(runner, install_list([row(installed_on="2026-07-07")]))  # the clock's own day
    assert "skipped 0" in result.stdout
    assert units_by_serial(session)["HA0001"].installed_on.isoformat() == "2026-07-07"


def test_a_serial_of_another_customers_number_is_refused_and_stays_theirs(runner, session, install_list):
    import_file(runner, install_list([row()]))
    result = import_file(runner, install_list([row(name="骗子", phone="13900139000")], name="b.csv"))
    assert result.stderr.startswith("line 2: ") and "HA0001 belongs to another customer" in result.stderr
    assert units_by_serial(session)["HA0001"].customer.phones[0].e164 == "+8613800138000"
    assert counts(session)["customers"] == 1  # the refused row left no customer behind


def test_a_serial_claimed_twice_in_one_file_goes_to_the_first_row(runner, session, install_list):
    result = import_file(runner, install_list([row(), row(name="李娜", phone="13900139000")]))
    assert result.stderr.startswith("line 3: ")
    assert units_by_serial(session)["HA0001"].customer.name == "王伟"


def test_a_wrong_header_fails_clearly_and_writes_nothing(runner, session, install_list):
    result = import_file(runner, install_list([row()], header="name,mobile,province,city,address,product_line,"
                                                               "model,serial,installed_on"))
    assert result.exit_code == 1
    assert "name,phone,province,city,address,product_line,model,serial,installed_on" in result.output
    assert "mobile" in result.output
    assert counts(session) == {"customers": 0, "customer_phones": 0, "addresses": 0, "units": 0}


def test_an_empty_file_without_a_header_fails_clearly(runner, session, tmp_path):
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    result = import_file(runner, path)
    assert result.exit_code == 1 and "header" in result.output


def test_a_header_only_file_imports_nothing_and_succeeds(runner, session, install_list):
    result = import_file(runner, install_list([]))
    assert result.exit_code == 0, result.output
    assert "customers created 0, units created 0" in result.stdout and "skipped 0" in result.stdout
    assert result.stderr == ""


def test_a_utf8_file_with_a_byte_order_mark_imports(runner, session, install_list):
    result = import_file(runner, install_list(THREE_ROWS, encoding="utf-8-sig"))
    assert result.exit_code == 0, result.output
    assert counts(session)["units"] == 3


def test_quoted_fields_with_commas_import_whole(runner, session, install_list):
    import_file(runner, install_list([row(address="民族大道1号, 3单元, 501室", name="Wang, Wei")]))
    unit = units_by_serial(session)["HA0001"]
    assert (unit.customer.name, unit.address.line) == ("Wang, Wei", "民族大道1号, 3单元, 501室")


def test_a_bad_row_after_a_line_break_inside_quotes_is_reported_by_its_own_line(runner, install_list):
    result = import_file(runner, install_list([row(address="民族大道1号\n3单元"), row(serial="")]))
    assert result.stderr.startswith("line 4: ")


def test_a_bad_row_with_a_line_break_inside_quotes_is_reported_by_the_line_it_starts_on(runner, install_list):
    result = import_file(runner, install_list([row(serial="", address="民族大道1号\n3单元"), row(serial="B")]))
    assert result.stderr.startswith("line 2: ")


def test_blank_lines_are_ignored_and_do_not_shift_line_numbers(runner, install_list):
    result = import_file(runner, install_list([row(), "", ",,,,,,,,", row(serial="")]))
    assert result.stderr.splitlines() == ["line 5: skipped: serial is empty"]


def test_a_file_that_is_not_utf8_fails_clearly_and_writes_nothing(runner, session, install_list):
    result = import_file(runner, install_list(THREE_ROWS, encoding="gb18030"))
    assert result.exit_code == 1
    assert "UTF-8" in result.output
    assert counts(session)["customers"] == 0


def test_a_missing_file_fails_clearly(runner, tmp_path):
    result = import_file(runner, tmp_path / "nowhere.csv")
    assert result.exit_code != 0 and "nowhere.csv" in result.output and "does not exist" in result.output


def test_no_progress_bar_when_not_on_a_terminal(runner, install_list):
    result = import_file(runner, install_list(THREE_ROWS))
    assert "importing" not in result.output and "%" not in result.output


def run_on_a_terminal(args: list[str], database_url: str) -> tuple[str, str]:
    """Run the real command line with stderr on a pseudo-terminal; return (terminal text, stdout)."""
    master, terminal = pty.openpty()
    env = {**os.environ, "DATABASE_URL": database_url, "SMS_BACKEND": "log", "TERM": "xterm"}
    for name in ("TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN"):
        env.pop(name, None)
    process = subprocess.Popen([str(FLASK), "--app", "wsgi", *args], cwd=PROJECT_ROOT, env=env,
                               stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=terminal)
    os.close(terminal)
    shown = bytearray()
    while True:
        try:
            chunk = os.read(master, 4096)
        except OSError:  # EIO: the command closed the terminal
            break
        if not chunk:
            break
        shown += chunk
    os.close(master)
    stdout = process.stdout.read().decode()
    process.stdout.close()
    assert process.wait(timeout=120) == 0, shown.decode(errors="replace")
    return shown.decode(errors="replace"), stdout


def test_a_progress_bar_is_shown_on_a_terminal(database_url, install_list):
    shown, stdout = run_on_a_terminal(["customers", "import", str(install_list(THREE_ROWS))], database_url)
    assert "importing" in shown and "100%" in shown
    assert "units created 3" in stdout
