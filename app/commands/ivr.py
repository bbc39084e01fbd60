"""`ivr check` (validate every flow) and `ivr call --to NUMBER --from NUMBER [--keys 1,2,1]` (be a caller)."""
from __future__ import annotations

import dataclasses
import secrets
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from app.ivr.check import check_flows
from app.ivr.simulator import tickets_of_call, walk_call
from app.web import settings

ivr = AppGroup("ivr", help="The hotline IVR: check the flows, walk a call.")


@ivr.command("check")
@click.option("--dir", "flows_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="directory of flows (default: IVR_FLOWS_DIR, else ivr_flows/)")
def check(flows_dir: Path | None) -> None:
    """Validate every flow; print `file:node: reason` for each problem and fail when there is one."""
    root = flows_dir or settings().ivr_flows_dir
    problems = check_flows(root)
    for problem in problems:
        click.echo(str(problem), err=True)
    if problems:
        raise click.exceptions.Exit(1)
    click.echo(f"{root}: every flow is sound")


@ivr.command("call")
@click.option("--to", "to", required=True, help="the hotline dialled, e.g. 4006757888")
@click.option("--from", "from_", required=True, help="the caller's number, e.g. 13800138000 (or 'anonymous')")
@click.option("--keys", default=None,
              help="script the caller: comma-separated answers, '-' for silence, 'y' when staff should pick up")
def call(to: str, from_: str, keys: str | None) -> None:
    """Walk a hotline as a caller: hear the prompts, type keys (signed requests through the real app)."""
    app = current_app._get_current_object()
    if not settings().twilio_auth_token:
        # Nothing to sign with: the walk runs on an app of its own with a throwaway token.
        from app import create_app

        throwaway = dataclasses.replace(settings(), twilio_auth_token=secrets.token_hex(16))
        app = create_app({"SETTINGS": throwaway, "CLOCK": current_app.extensions["clock"]})
    scripted = None if keys is None else [k.strip() for k in keys.split(",")]
    walk = walk_call(app, to=to, from_=from_, keys=scripted, ask=lambda q: click.prompt(q, default="", show_default=False),
                     say=click.echo)
    click.echo(f"call {walk.call_sid} ended by the {walk.ended_by or 'ivr'} after {walk.requests} requests")
    with app.extensions["database"].session() as session:
        for ticket in tickets_of_call(session, walk.call_sid):
            click.echo(f"ticket {ticket.number}: {ticket.kind} on {ticket.product_line}, {ticket.status}")
    if app is not current_app._get_current_object():
        app.extensions["database"].dispose()
