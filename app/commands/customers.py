"""`customers import FILE.csv`: upsert customers and units from a dealer's install list."""
from __future__ import annotations

import csv
import io
import sys

import click

from app.commands.groups import CommandGroup
from app.customers.importer import BadHeader, import_install_list, read_rows
from app.web import business_tz, db_session, now

customers = CommandGroup("customers", help="Customers and their units.")


def read_install_list(path: str) -> list[tuple[int, dict]]:
    """Every row of the file, read before anything is written: a file that cannot be read writes nothing."""
    try:
        with open(path, encoding="utf-8-sig", newline="") as stream:
            text = stream.read()
    except UnicodeDecodeError as exc:
        raise click.ClickException(
            f"{path} is not UTF-8 text (byte {exc.start} cannot be read); save it as 'CSV UTF-8' and import again"
        ) from None
    reader = read_rows(io.StringIO(text, newline=""))
    try:
        return list(reader)
    except BadHeader as exc:
        raise click.ClickException(str(exc)) from None
    except csv.Error as exc:
        raise click.ClickException(f"{path} is not a CSV file: {exc}") from None


@customers.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--actor", default="import", show_default=True,
              help="Who imports: recorded on the marketing consent the list gives.")
def import_file(path: str, actor: str) -> None:
    """Import FILE.csv; bad rows are reported by line number and skipped, good rows are kept."""
    actor = actor.strip()[:80] or "import"
    rows = read_install_list(path)
    session = db_session()
    at = now()
    today = at.astimezone(business_tz()).date()
    if sys.stderr.isatty():
        with click.progressbar(length=len(rows), label="importing", file=sys.stderr) as bar:
            report = import_install_list(session, rows, now=at, today=today, on_row=lambda: bar.update(1),
                                         actor=actor)
    else:
        report = import_install_list(session, rows, now=at, today=today, actor=actor)
    session.commit()
    for line, reason in report.skipped:
        click.echo(f"line {line}: skipped: {reason}", err=True)
    click.echo(f"customers created {report.customers_created}, units created {report.units_created}, "
               f"units updated {report.units_updated}, unchanged {report.unchanged}, skipped {len(report.skipped)}"
               + (f", consents recorded {report.consents_recorded}" if report.consents_recorded else ""))
