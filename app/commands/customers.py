"""`customers import FILE.csv`: upsert customers and units from a dealer's install list."""
from __future__ import annotations

import sys

import click
from flask.cli import AppGroup

from app.customers.importer import BadHeader, import_install_list, read_rows
from app.web import business_tz, db_session, now

customers = AppGroup("customers", help="Customers and their units.")


@customers.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
def import_file(path: str) -> None:
    """Import FILE.csv; bad rows are reported by line number and skipped, good rows are kept."""
    with open(path, encoding="utf-8-sig", newline="") as stream:
        total = sum(1 for _ in stream) - 1
        stream.seek(0)
        try:
            rows = read_rows(stream)
            session = db_session()
            at = now()
            today = at.astimezone(business_tz()).date()
            if sys.stderr.isatty():
                with click.progressbar(length=max(total, 0), label="importing", file=sys.stderr) as bar:
                    report = import_install_list(session, rows, now=at, today=today, on_row=lambda: bar.update(1))
            else:
                report = import_install_list(session, rows, now=at, today=today)
        except BadHeader as exc:
            raise click.ClickException(str(exc)) from None
    session.commit()
    for line, reason in report.skipped:
        click.echo(f"line {line}: skipped: {reason}", err=True)
    click.echo(f"customers created {report.customers_created}, units created {report.units_created}, "
               f"units updated {report.units_updated}, unchanged {report.unchanged}, skipped {len(report.skipped)}")
