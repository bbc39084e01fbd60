"""The supervisors' dashboard: SLA compliance per milestone, callback coverage and satisfaction, open
escalations, per product line and per outlet, the scorecards, and the settlement CSV of an outlet's month.
Every figure comes from app.reports, the functions the JSON reports answer with: for the standard windows
(today, 7 and 30 days) the snapshot the `dashboard_refresh` job stored, shown with its time; any other
window, or one with no snapshot of today's dates yet, computed live (the page says which)."""
from __future__ import annotations

import re

from flask import Response, render_template, request
from flask_babel import gettext as _
from sqlalchemy import func, select

from app.api.auth import STAFF
from app.api.params import report_window
from app.console import console
from app.console.auth import requires
from app.console.charts import bar_chart
from app.errors import ValidationFailed
from app.escalations.models import Escalation
from app.network.models import Outlet
from app.reports.dashboard import WINDOWS, dashboard_figures, snapshot_for, window_days
from app.reports.settlement import monthly_settlement, settlement_csv
from app.reports.sla import MILESTONES
from app.web import business_tz, db_session, now

DEFAULT_DAYS = 7  # a live view; `from`/`to` widen it up to a year
MONTH = re.compile(r"(19[0-9]{2}|2[0-9]{3})-(0[1-9]|1[0-2])")


@console.get("/dashboard")
@requires(*STAFF)
def dashboard():
    session, at, tz = db_session(), now(), business_tz()
    today = at.astimezone(tz).date()
    window = report_window(today, tz, default_days=DEFAULT_DAYS)
    snapshot = snapshot_for(session, window.first, window.last)
    if snapshot is not None:
        figures, as_of = snapshot.figures, snapshot.computed_at.astimezone(tz)
    else:
        figures, as_of = dashboard_figures(session, first=window.first, last=window.last, now=at, tz=tz), None
    sla, coverage = figures["sla"], figures["coverage"]
    escalations = session.execute(select(Escalation.queue, Escalation.reason, func.count())
                                  .where(Escalation.status == "open")
                                  .group_by(Escalation.queue, Escalation.reason)
                                  .order_by(Escalation.queue, Escalation.reason)).all()
    milestones = [name for name, *_rest in MILESTONES]
    labels = {"respond": _("响应"), "arrive": _("上门"), "resolve": _("修复"), "loaner": _("备用机")}
    compliance_chart = bar_chart([(labels[name], sla["total"]["milestones"][name]["compliance_pct"])
                                  for name in milestones])
    line_charts = {row["product_line"]: bar_chart([(labels[name], row["milestones"][name]["compliance_pct"])
                                                    for name in milestones]) for row in sla["by_product_line"]}
    coverage_chart = bar_chart([(row["product_line"], row["coverage_pct"]) for row in coverage["by_product_line"]])
    return render_template(
        "dashboard.html", window=window, sla=sla, coverage=coverage, escalations=escalations,
        milestones=milestones, compliance_chart=compliance_chart, line_charts=line_charts,
        coverage_chart=coverage_chart, as_of=as_of, outlets=figures["outlets"], installers=figures["installers"],
        standard=[(name, *window_days(today, days)) for name, days in WINDOWS.items()],
        all_outlets=list(session.execute(select(Outlet.id, Outlet.name).order_by(Outlet.name))),
        this_month=at.astimezone(tz).strftime("%Y-%m"))


@console.get("/reports/settlement.csv")
@requires(*STAFF)
def settlement():
    """The outlet's month as the settlement desk's CSV (the API's `format=csv`)."""
    outlet = request.args.get("outlet", type=int)
    match = MONTH.fullmatch(request.args.get("month", ""))
    if not outlet or outlet < 1 or outlet > 2147483647:
        raise ValidationFailed("outlet is required", {"outlet": "an outlet id"})
    if match is None:
        raise ValidationFailed("month must be YYYY-MM", {"month": "YYYY-MM"})
    report = monthly_settlement(db_session(), outlet_id=outlet, year=int(match[1]), month=int(match[2]),
                                tz=business_tz())
    name = f"settlement-{outlet}-{report['month']}.csv"
    return Response(settlement_csv(report), content_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})
