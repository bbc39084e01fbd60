"""Thin job functions: open a session, call a service with `now`, commit once.

This module never builds the Flask app; it takes a `Database` and settings from its caller
(`flask --app wsgi jobs run` or `python -m scheduler`).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from app.campaigns.calendar import draft_idle_poweroff, draft_seasonal_alerts
from app.campaigns.policy import CampaignPolicy
from app.campaigns.recall_calls import place_recall_calls
from app.campaigns.sending import run_campaign_dispatch
from app.care.maintenance import send_maintenance_reminders
from app.clock import SystemClock
from app.config import Settings
from app.database import Database
from app.fallback.replay import replay_spool
from app.integrations.twilio_gateway import delete_recording, make_twilio_client
from app.messaging.dispatch import run_outbox_pass
from app.messaging.policy import SendingPolicy
from app.messaging.routes import use_routes
from app.privacy.recordings import expire_recordings
from app.reports.dashboard import refresh_dashboard
from app.sla_watch.certificates import flag_certificate_renewals
from app.sla_watch.sweep import sweep
from app.surveys.calls import dialer_for, place_due_calls
from app.surveys.ladder import advance_surveys, send_due_surveys
from app.surveys.policy import SurveyPolicy


@dataclass(frozen=True)
class JobContext:
    """What every job gets besides its business time `now`.

    `clock` is the real clock, for what must keep to real time whatever `now` says (the outbox's
    leases, pacing and reconciliation: `jobs run NAME --now` may be hours ahead of it).
    """

    database: Database
    settings: Settings
    clock: object = field(default_factory=SystemClock)

    def __post_init__(self) -> None:
        use_routes(self.database, self.settings)  # texts queued by services without a policy follow SMS_ROUTES


def outbox_dispatch(ctx: JobContext, now: datetime) -> str:
    """Send the due texts of the outbox: one pass (settle stale claims, claim, pace, send)."""
    return run_outbox_pass(ctx.database, ctx.settings, now=now, wall=ctx.clock)


JOBS: dict[str, Callable[[JobContext, datetime], str]] = {
    "outbox_dispatch": outbox_dispatch,
}


# --- the closed loop (issue 5): SLA sweep, survey ladder, maintenance reminders ----------------


def _tz(ctx: JobContext):
    return ZoneInfo(ctx.settings.tz_name)


def sla_sweep(ctx: JobContext, now: datetime) -> str:
    """Record, escalate and text every SLA breach, loaner and late part that fell due, once each."""
    with ctx.database.session() as session:
        result = sweep(session, now=now, tz=_tz(ctx), signature=ctx.settings.sms_signature)
        session.commit()
    return (f"respond {result.respond}, arrive {result.arrive}, resolve {result.resolve}, "
            f"loaners {result.loaners}, parts {result.parts}")


def survey_send(ctx: JobContext, now: datetime) -> str:
    """Ask each new satisfaction survey: a text to a mobile, a voice call for anyone else."""
    with ctx.database.session() as session:
        result = send_due_surveys(session, now=now, policy=SurveyPolicy.from_settings(ctx.settings))
        session.commit()
    held = " (quiet hours: held)" if result.held_for_quiet_hours else ""
    return f"texted {result.texted}, to voice {result.to_voice}{held}"


def survey_followup(ctx: JobContext, now: datetime) -> str:
    """Climb the survey ladder: reminder at 24 h, voice survey at 48 h, then a person."""
    policy = SurveyPolicy.from_settings(ctx.settings)
    with ctx.database.session() as session:
        result = advance_surveys(session, now=now, policy=policy)
        session.commit()
    # Calls are placed after that commit, each claimed first: calls.create cannot be undone.
    calls = place_due_calls(ctx.database, dialer_for(ctx.settings), now=now, policy=policy)
    return (f"reminded {result.reminded}, calls due {result.calls_due}, calls placed {calls.placed}, "
            f"to staff {result.to_staff + calls.to_staff + calls.refused}")


def maintenance_reminders(ctx: JobContext, now: datetime) -> str:
    """Text the owners of units in warranty whose free 3-monthly visit is due (P-CARE-1)."""
    with ctx.database.session() as session:
        result = send_maintenance_reminders(session, now=now, tz=_tz(ctx), policy=SendingPolicy.from_settings(ctx.settings))
        session.commit()
    return f"reminded {result.reminded}, out of warranty {result.out_of_warranty}, no mobile {result.no_mobile}"


def certificate_renewals(ctx: JobContext, now: datetime) -> str:
    """Tell a supervisor of each technician's certificate that expires within 30 days (P-NET-2)."""
    with ctx.database.session() as session:
        flagged = flag_certificate_renewals(session, today=now.astimezone(_tz(ctx)).date(), now=now)
        session.commit()
    return f"certificates to renew: {flagged} new"


def recording_retention(ctx: JobContext, now: datetime) -> str:
    """Delete at Twilio the call recordings older than RECORDING_RETENTION_DAYS (P-PRIV-3)."""
    settings = ctx.settings
    if not (settings.twilio_account_sid and settings.twilio_auth_token):
        return "no Twilio account: no recordings to delete"
    client = make_twilio_client(settings.twilio_account_sid, settings.twilio_auth_token,
                                api_url=settings.twilio_api_url, timeout=settings.sms_twilio_timeout)
    with ctx.database.session() as session:
        result = expire_recordings(session, now=now, retention=timedelta(days=settings.recording_retention_days),
                                   delete=lambda sid: delete_recording(client, sid))
        session.commit()
    return f"recordings deleted {result.deleted}, failed {result.failed}"


JOBS.update({
    "certificate_renewals": certificate_renewals,
    "recording_retention": recording_retention,
    "sla_sweep": sla_sweep,
    "survey_send": survey_send,
    "survey_followup": survey_followup,
    "maintenance_reminders": maintenance_reminders,
})


def fallback_replay(ctx: JobContext, now: datetime) -> str:
    """Turn the callers the voice fallback spooled into callback tickets, once each (P-REC-1)."""
    result = replay_spool(ctx.database, ctx.settings, now=now)
    if result.busy:
        return "another process is replaying the spool"
    return (f"callers {result.callers}: new callback tickets {result.tickets}, already ticketed {result.already}, "
            f"to staff {result.to_staff}, hang-ups taken late {result.hang_ups}")


JOBS["fallback_replay"] = fallback_replay


# --- campaigns (issue 11): the calendar's drafts and the dispatcher of approved campaigns ------


def campaign_dispatch(ctx: JobContext, now: datetime) -> str:
    """Start due campaigns, hand their texts to the outbox at their rate, expire the unsent at ends_by,
    and place a recall's calls to owners no text reaches (VOICE_BACKEND=twilio)."""
    policy = CampaignPolicy.from_settings(ctx.settings)
    result = run_campaign_dispatch(ctx.database, now=now, policy=policy)
    calls = place_recall_calls(ctx.database, dialer_for(ctx.settings), now=now, policy=policy)
    return (f"started {result.started} (recipient rows), queued {result.queued}, expired {result.expired}, "
            f"paused {result.paused}, done {result.done}; recall calls placed {calls.placed}, "
            f"refused {calls.refused}, unknown {calls.unknown}, no line {calls.no_line}")


def seasonal_alerts(ctx: JobContext, now: datetime) -> str:
    """Draft each region's pre-season warnings from the season table, and February's cleaning drive."""
    with ctx.database.session() as session:
        result = draft_seasonal_alerts(session, now=now, policy=CampaignPolicy.from_settings(ctx.settings))
        session.commit()
    return f"drafted {result.drafted}"


def idle_poweroff_reminders(ctx: JobContext, now: datetime) -> str:
    """Draft the power-off reminders after each season and before the Spring Festival holiday."""
    with ctx.database.session() as session:
        result = draft_idle_poweroff(session, now=now, policy=CampaignPolicy.from_settings(ctx.settings))
        session.commit()
    return f"drafted {result.drafted}, waiting for the holiday schedule {result.waiting}, completed {result.completed}"


JOBS.update({
    "campaign_dispatch": campaign_dispatch,
    "seasonal_alerts": seasonal_alerts,
    "idle_poweroff_reminders": idle_poweroff_reminders,
})


# --- the staff console (issue 13): the dashboard's snapshots -----------------------------------


def dashboard_refresh(ctx: JobContext, now: datetime) -> str:
    """Recompute the dashboard's standard windows (today, 7 and 30 days) as of `now`."""
    with ctx.database.session() as session:
        took = refresh_dashboard(session, now=now, tz=_tz(ctx))
        session.commit()
    return ", ".join(f"{name} {seconds:.2f} s" for name, seconds in took.items())


JOBS["dashboard_refresh"] = dashboard_refresh
