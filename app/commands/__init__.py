"""The `flask --app wsgi ...` commands of interfaces.md."""
from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    from app.commands.customers import customers
    from app.commands.database import db
    from app.commands.demo import demo
    from app.commands.jobs import jobs
    from app.commands.users import users

    for group in (db, demo, users, customers, jobs):
        app.cli.add_command(group)
    from app.commands.sms import sms

    app.cli.add_command(sms)
    from app.commands.ivr import ivr

    app.cli.add_command(ivr)
