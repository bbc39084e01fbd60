"""The monthly settlement of an outlet (P-INS-3, P-REP-2): its installs and repairs finished in the
month, with the fees charged and the parts issued and returned, as the fees are settled on them.
Money is integer fen (分), so the totals add up exactly.
"""
from __future__ import annotations

import csv
import io
from datetime import date, datetime, time, tzinfo
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.errors import NotFound
from app.network.models import Outlet, Technician
from app.tickets.models import Ticket

SETTLED_KINDS = ("install", "repair")
CSV_COLUMNS = ("ticket", "kind", "product_line", "resolved_at", "technician", "fees", "fee_total_fen",
               "parts_issued", "parts_returned")


def fen(amount) -> int:
    """Yuan as stored on a fee line ("120.50") to integer fen (12050)."""
    return int((Decimal(str(amount)) * 100).to_integral_value())


def month_bounds(year: int, month: int, tz: tzinfo) -> tuple[datetime, datetime]:
    first = date(year, month, 1)
    following = date(year + (month == 12), month % 12 + 1, 1)
    return datetime.combine(first, time.min, tzinfo=tz), datetime.combine(following, time.min, tzinfo=tz)


def _quantity(lines: list[dict]) -> int:
    return sum(int(line.get("quantity", 1)) for line in lines)


def monthly_settlement(session: Session, *, outlet_id: int, year: int, month: int, tz: tzinfo) -> dict:
    """The outlet's settled jobs of the month (business time), each with its lines, and the totals."""
    outlet = session.get(Outlet, outlet_id)
    if outlet is None:
        raise NotFound(f"no outlet {outlet_id}", {"outlet": f"no outlet {outlet_id}"})
    start, end = month_bounds(year, month, tz)
    rows = session.execute(
        select(Ticket.number, Ticket.kind, Ticket.product_line, Ticket.resolved_at, Ticket.work_lines, Technician.name)
        .outerjoin(Technician, Technician.id == Ticket.technician_id)
        .where(Ticket.outlet_id == outlet_id, Ticket.kind.in_(SETTLED_KINDS),
               Ticket.resolved_at >= start, Ticket.resolved_at < end)
        .order_by(Ticket.resolved_at, Ticket.id))
    jobs = []
    for number, kind, line, resolved_at, work, technician in rows:
        work = work or {}
        fees = [{"item": f["item"], "amount_fen": fen(f["amount"])} for f in work.get("fees", [])]
        jobs.append({"ticket": number, "kind": kind, "product_line": line,
                     "resolved_at": resolved_at.astimezone(tz).isoformat(), "technician": technician,
                     "fees": fees, "fee_total_fen": sum(f["amount_fen"] for f in fees),
                     "parts_issued": list(work.get("parts", [])), "parts_returned": list(work.get("returned", []))})
    totals = {"installs": sum(j["kind"] == "install" for j in jobs), "repairs": sum(j["kind"] == "repair" for j in jobs),
              "fee_total_fen": sum(j["fee_total_fen"] for j in jobs),
              "parts_issued": sum(_quantity(j["parts_issued"]) for j in jobs),
              "parts_returned": sum(_quantity(j["parts_returned"]) for j in jobs)}
    return {"outlet_id": outlet.id, "outlet": outlet.name, "month": f"{year:04d}-{month:02d}", "time_zone": str(tz),
            "jobs": jobs, "totals": totals}


def _cell(text: str) -> str:
    """A typed text as a CSV cell Excel will not run as a formula (=, +, -, @ at the start)."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _parts_cell(lines: list[dict]) -> str:
    return _cell("; ".join(f"{p.get('name')}{' ' + p['code'] if p.get('code') else ''} ×{p.get('quantity', 1)}" for p in lines))


def settlement_csv(report: dict) -> str:
    """The settlement as CSV with a byte-order mark, so that Excel opens it with the Chinese intact."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for job in report["jobs"]:
        writer.writerow([job["ticket"], job["kind"], job["product_line"], job["resolved_at"], _cell(job["technician"] or ""),
                         _cell("; ".join(f"{f['item']} {f['amount_fen']}" for f in job["fees"])), job["fee_total_fen"],
                         _parts_cell(job["parts_issued"]), _parts_cell(job["parts_returned"])])
    totals = report["totals"]
    writer.writerow(["total", f"{totals['installs']} installs, {totals['repairs']} repairs", "", "", "", "",
                     totals["fee_total_fen"], totals["parts_issued"], totals["parts_returned"]])
    return "\ufeff" + out.getvalue()
