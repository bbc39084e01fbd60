"""The `flask --app wsgi ...` commands of interfaces.md."""
from __future__ import annotations

from flask import Flask

from app.commands.customers import customers
from app.commands.database import db
from app.commands.demo import demo
from app.commands.ivr import ivr
from app.commands.jobs import jobs
from app.commands.sms import sms
from app.commands.users import users


def register(app: Flask) -> None:
    """Add every command group to the app's CLI."""
    for group in (db, demo, users, customers, jobs, sms, ivr):
        app.cli.add_command(group)
