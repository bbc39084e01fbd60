"""`demo seed`: load demo customers, units, outlets and technicians."""
from __future__ import annotations

import click

from app.commands.groups import CommandGroup
from app.demo.seed import DEMO_PASSWORD, DEMO_USERS, seed_demo
from app.web import business_tz, db_session, now

demo = CommandGroup("demo", help="Demo data.")


@demo.command("seed")
def seed() -> None:
    """Load the demo data (idempotent)."""
    session = db_session()
    at = now()
    report = seed_demo(session, now=at, today=at.astimezone(business_tz()).date())
    session.commit()
    c = report.customers
    click.echo(f"customers created {c.customers_created}, units created {c.units_created}, "
               f"units updated {c.units_updated}, unchanged {c.unchanged}; "
               f"outlets created {report.outlets_created}, technicians created {report.technicians_created}")
    names = ", ".join(name for name, _role in DEMO_USERS)
    click.echo(f"console users ({report.users_created} created): {names}; password {DEMO_PASSWORD} "
               "(a demo's: never seed a real deployment)")
