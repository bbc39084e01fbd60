"""The calendar does it by itself: `seasonal_alerts` drafts each region's pre-season warnings and
February's cleaning drive, `idle_poweroff_reminders` the power-off reminders after each season and
before the Spring Festival holiday. One draft per cause (`origin_key`), so a rerun drafts nothing
twice. Drafts wait for approval unless CAMPAIGN_AUTO_APPROVE=1.

A Spring Festival the holiday package does not know yet is not guessed: the draft is written
without dates, with the reason, cannot be approved, and is completed by the first run after the
package is upgraded.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.campaigns.audience import Audience
from app.campaigns.models import Campaign
from app.campaigns.policy import CampaignPolicy
from app.campaigns.seasons import Region, SeasonTable, UnknownYear, load_seasons, spring_festival_start
from app.campaigns.services import Draft, draft_campaign, move, record
from app.config import PROJECT_ROOT

SEND_FROM, SEND_UNTIL = time(10, 0), time(19, 0)
SEASONS = {"pre_season_cooling": ("cooling", ("home_ac", "commercial_ac")),
           "pre_season_heating": ("heating", ())}  # heating: every line (heat pumps and water heaters too)
_TEXTS = PROJECT_ROOT / "sms_templates" / "zh"


@dataclass
class Drafted:
    drafted: int = 0
    waiting: int = 0
    completed: int = 0


def _text(name: str) -> str:
    return (_TEXTS / f"{name}.txt.j2").read_text(encoding="utf-8").strip()


def _at(day: date, when: time, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, when, tzinfo=tz)


def _exists(session: Session, key: str) -> Campaign | None:
    return session.scalar(select(Campaign).where(Campaign.origin_key == key))


def _draft(session: Session, draft: Draft, *, job: str, now: datetime, policy: CampaignPolicy) -> Campaign:
    campaign = draft_campaign(session, draft, actor=job, now=now, quiet=policy.quiet_hours,
                              signature=policy.sending.signature)
    if policy.auto_approve and campaign.waiting_reason is None:
        move(session, campaign, "approve", actor="CAMPAIGN_AUTO_APPROVE", role="admin", now=now)
    return campaign


def _window(first: date, last: date, now: datetime, tz: ZoneInfo) -> tuple[datetime, datetime] | None:
    """10:00 on `first` (or now, when later) to 19:00 on `last`; None when no sending time is left."""
    starts, ends = max(now, _at(first, SEND_FROM, tz)), _at(last, SEND_UNTIL, tz)
    return (starts, ends) if ends - starts >= timedelta(hours=1) else None


def _region_audience(table: SeasonTable, region: Region, lines: tuple[str, ...]) -> Audience:
    if region.city:
        return Audience(product_lines=lines, provinces=(region.province,), cities=(region.city,))
    return Audience(product_lines=lines, provinces=(region.province,),
                    exclude_cities=table.cities_with_own_dates(region.province))


def draft_seasonal_alerts(session: Session, *, now: datetime, policy: CampaignPolicy) -> Drafted:
    """Each region's warning in the `lead_days` before its season starts, and the cleaning drive."""
    tz, table, result = ZoneInfo(policy.tz), load_seasons(policy.seasons_file), Drafted()
    today = now.astimezone(tz).date()
    for region in table.regions:
        for kind, (season, lines) in SEASONS.items():
            month_day = getattr(region, season)
            if month_day is None:
                continue  # no climatological season here: no warning (Lhasa, Xining, Kunming...)
            start = date(today.year, *month_day)
            if not start - timedelta(days=table.lead_days) <= today < start:
                continue
            key = f"{kind}:{start.year}:{region.province}:{region.city or '*'}"
            window = _window(start - timedelta(days=table.lead_days), start - timedelta(days=1), now, tz)
            if window is None or _exists(session, key):
                continue
            name = f"{start.year} {region.city or region.province} {'制冷' if season == 'cooling' else '制热'}季前提醒"
            _draft(session, Draft(kind=kind, name=name, template=_text("seasonal_alert"),
                                  audience=_region_audience(table, region, lines), starts_at=window[0],
                                  ends_by=window[1], origin_key=key), job="seasonal_alerts", now=now, policy=policy)
            result.drafted += 1
    if today.month == table.cleaning_month:
        key = f"cleaning_drive:{today.year}"
        window = _window(date(today.year, *table.cleaning_starts), date(today.year, *table.cleaning_ends), now, tz)
        if window is not None and not _exists(session, key):
            _draft(session, Draft(kind="cleaning_drive", name=f"{today.year} 3·15 免费清洗保养",
                                  template=_text("cleaning_drive"), audience=Audience(), starts_at=window[0],
                                  ends_by=window[1], origin_key=key), job="seasonal_alerts", now=now, policy=policy)
            result.drafted += 1
    return result


def draft_idle_poweroff(session: Session, *, now: datetime, policy: CampaignPolicy) -> Drafted:
    """After each season (the table's national dates) and before the Spring Festival holiday."""
    tz, table, result = ZoneInfo(policy.tz), load_seasons(policy.seasons_file), Drafted()
    today = now.astimezone(tz).date()
    for month_day in table.idle_after:
        first = date(today.year, *month_day)
        if first - timedelta(days=table.lead_days) <= today < first + timedelta(days=table.idle_days):
            key = f"idle_poweroff:{first.isoformat()}"
            window = _window(first, first + timedelta(days=table.idle_days - 1), now, tz)
            if window is not None and not _exists(session, key):
                _poweroff(session, key, f"{first.year} 季后断电提醒", window, now, policy)
                result.drafted += 1
    if today.month in (12, 1, 2):
        _spring_festival(session, today.year + 1 if today.month == 12 else today.year, now, policy, table, result)
    return result


def _poweroff(session, key: str, name: str, window, now: datetime, policy: CampaignPolicy,
              waiting: str | None = None) -> Campaign:
    starts, ends = window if window else (None, None)
    return _draft(session, Draft(kind="idle_poweroff", name=name, template=_text("idle_poweroff_reminder"),
                                 audience=Audience(), starts_at=starts, ends_by=ends, origin_key=key,
                                 waiting_reason=waiting), job="idle_poweroff_reminders", now=now, policy=policy)


def _spring_festival(session, year: int, now: datetime, policy: CampaignPolicy, table: SeasonTable,
                     result: Drafted) -> None:
    key, name, tz = f"idle_poweroff:spring_festival:{year}", f"{year} 春节假期断电提醒", ZoneInfo(policy.tz)
    existing = _exists(session, key)
    if existing is not None and existing.waiting_reason is None:
        return
    try:
        holiday = spring_festival_start(year)
    except UnknownYear as exc:
        if existing is None:
            _poweroff(session, key, name, None, now, policy, waiting=str(exc))
            result.waiting += 1
        return
    window = _window(holiday - timedelta(days=table.before_spring_festival_days), holiday - timedelta(days=1), now, tz)
    if window is None:
        return
    if existing is None:
        _poweroff(session, key, name, window, now, policy)
        result.drafted += 1
        return
    existing.starts_at, existing.ends_by, existing.waiting_reason = window[0], window[1], None
    record(session, existing, "dates_known", "idle_poweroff_reminders", now,
           f"the Spring Festival holiday starts {holiday.isoformat()}")
    if policy.auto_approve:
        move(session, existing, "approve", actor="CAMPAIGN_AUTO_APPROVE", role="admin", now=now)
    result.completed += 1
