"""Warranty status and the P-WAR-7 downtime ledger.

Pure functions over dates and aware datetimes: the caller supplies the
day of interest (``on``) and the business time zone; nothing here reads a
clock, the database or Flask.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone, tzinfo
from typing import Iterable
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .terms import PARTS_ORDER, add_years, check_product_line, cover_terms, term_for

DOWNTIME_LIMIT = timedelta(days=20)
RESTART_RULE_ID = "P-WAR-7"

try:
    DEFAULT_TZ: tzinfo = ZoneInfo("Asia/Shanghai")
except ZoneInfoNotFoundError:  # host without tzdata; China has no DST, so +08:00 is exact
    DEFAULT_TZ = timezone(timedelta(hours=8), "Asia/Shanghai")

_UTC = timezone.utc


@dataclass(frozen=True)
class DowntimeSpell:
    """One stretch during which a unit was out of use (from a repair ticket).

    ``back_in_use_at`` is None while the unit is still out of use.
    """

    ticket_number: str
    out_of_use_from: datetime
    back_in_use_at: datetime | None
    users_fault: bool = False

    def __post_init__(self) -> None:
        # Naive datetimes would silently mean "server local time"; refuse them.
        for name in ("out_of_use_from", "back_in_use_at"):
            value = getattr(self, name)
            if value is not None and value.utcoffset() is None:
                raise ValueError(f"{name} of ticket {self.ticket_number} must be timezone-aware")
        if self.back_in_use_at is not None and self.back_in_use_at < self.out_of_use_from:
            raise ValueError(f"ticket {self.ticket_number}: back_in_use_at is before out_of_use_from")


@dataclass(frozen=True)
class WarrantyRestart:
    """A warranty restart under P-WAR-7."""

    restarted_on: date
    downtime: timedelta
    ticket_number: str
    reason: str


@dataclass(frozen=True)
class PartCover:
    """Cover of one part on one day."""

    part: str
    status: str  # in_warranty | expired | lifetime | not_applicable | not_started | unknown
    covered: bool
    starts_on: date | None
    ends_on: date | None
    rule_ids: tuple[str, ...]


@dataclass(frozen=True)
class WarrantyStatus:
    """Warranty position of one unit on the day ``on``."""

    product_line: str
    on: date
    basis: str  # installed_on | purchased_on | unknown
    original_start_on: date | None
    period_start_on: date | None
    restarts: tuple[WarrantyRestart, ...]
    downtime_in_period: timedelta
    parts: tuple[PartCover, ...]

    @property
    def in_warranty(self) -> bool:
        """True when the whole unit is covered on ``on``."""
        return self.part("whole_unit").covered

    def part(self, name: str) -> PartCover:
        """Return the PartCover of ``name`` (ValueError if not a known part)."""
        for cover in self.parts:
            if cover.part == name:
                return cover
        raise ValueError(f"unknown part {name!r}; expected one of {', '.join(PARTS_ORDER)}")


# --- downtime ledger -------------------------------------------------------

@dataclass(frozen=True)
class _Interval:
    """Merged out-of-use interval in UTC; ``end`` None = still out of use."""

    start: datetime
    end: datetime | None
    spells: tuple[DowntimeSpell, ...]


def _utc(dt: datetime) -> datetime:
    # Subtracting aware datetimes that share a tzinfo ignores offset changes,
    # so all arithmetic is done in UTC.
    return dt.astimezone(_UTC)


def _midnight(d: date, tz: tzinfo) -> datetime:
    """00:00 local on ``d``, as a UTC instant."""
    return _utc(datetime.combine(d, time.min, tzinfo=tz))


def _merge(spells: Iterable[DowntimeSpell]) -> list[_Interval]:
    """Union of the spells that are not the user's fault, sorted by start."""
    counted = [s for s in spells if not s.users_fault]
    counted.sort(key=lambda s: _utc(s.out_of_use_from))
    merged: list[_Interval] = []
    for s in counted:
        start = _utc(s.out_of_use_from)
        end = None if s.back_in_use_at is None else _utc(s.back_in_use_at)
        if end is not None and end <= start:
            continue  # zero-length spell: no downtime
        last = merged[-1] if merged else None
        if last is not None and (last.end is None or start <= last.end):
            # Overlapping or touching: the unit never worked in between.
            new_end = None if last.end is None or end is None else max(last.end, end)
            merged[-1] = _Interval(last.start, new_end, last.spells + (s,))
        else:
            merged.append(_Interval(start, end, (s,)))
    return merged


def _whole_unit_years(product_line: str) -> int:
    term = term_for(product_line, "whole_unit")
    assert term is not None and term.years is not None  # every line has a finite unit term
    return term.years


def _format_duration(td: timedelta) -> str:
    minutes = int(td.total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    bits = [f"{days} day{'s' if days != 1 else ''}"]
    if hours:
        bits.append(f"{hours} hour{'s' if hours != 1 else ''}")
    if mins:
        bits.append(f"{mins} minute{'s' if mins != 1 else ''}")
    return " ".join(bits)


def _pushing_ticket(interval: _Interval, at: datetime) -> str:
    """Ticket of the spell that was running when the total went over the limit."""
    for s in interval.spells:  # spells are in start order: earliest covering one wins
        end = None if s.back_in_use_at is None else _utc(s.back_in_use_at)
        if _utc(s.out_of_use_from) <= at and (end is None or at < end):
            return s.ticket_number
    return interval.spells[-1].ticket_number  # unreachable: the union covers `at`


def _restart_events(
    product_line: str, start_on: date, spells: Iterable[DowntimeSpell], tz: tzinfo
) -> list[tuple[WarrantyRestart, datetime]]:
    """Restarts with the UTC instant the unit worked again (counting resumes there)."""
    years = _whole_unit_years(product_line)
    events: list[tuple[WarrantyRestart, datetime]] = []
    count_from = _midnight(start_on, tz)
    window_end = _midnight(add_years(start_on, years), tz)
    counted = timedelta(0)
    for iv in _merge(spells):
        if iv.start >= window_end:
            break  # downtime after expiry does not count
        lo = max(iv.start, count_from)
        hi = window_end if iv.end is None else min(iv.end, window_end)
        if hi <= lo:
            continue
        if iv.end is None:
            break  # still out of use: cannot restart, and nothing can follow it
        piece = hi - lo
        if counted + piece <= DOWNTIME_LIMIT:
            counted += piece
            continue
        total = counted + piece
        crossed_at = lo + (DOWNTIME_LIMIT - counted)
        restarted_on = iv.end.astimezone(tz).date()
        restart = WarrantyRestart(
            restarted_on=restarted_on,
            downtime=total,
            ticket_number=_pushing_ticket(iv, crossed_at),
            reason=(
                f"out of use {_format_duration(total)} through its own fault "
                f"within the warranty ({RESTART_RULE_ID})"
            ),
        )
        events.append((restart, iv.end))
        # New period: counter from zero, only downtime after the unit works again.
        count_from = iv.end
        window_end = _midnight(add_years(restarted_on, years), tz)
        counted = timedelta(0)
    return events


def warranty_restarts(
    product_line: str,
    start_on: date,
    spells: Iterable[DowntimeSpell],
    tz: tzinfo = DEFAULT_TZ,
) -> list[WarrantyRestart]:
    """Return every P-WAR-7 restart of a unit whose cover started on ``start_on``.

    Spells that are the user's fault are ignored; the others are merged so
    no moment counts twice and clipped to the current whole-unit period.
    When the counted total goes over DOWNTIME_LIMIT the warranty restarts on
    the local date (``tz``) the unit works again. Still-open spells never
    trigger a restart.
    """
    check_product_line(product_line)
    return [r for r, _ in _restart_events(product_line, start_on, spells, tz)]


# --- status ----------------------------------------------------------------

def _downtime_between(intervals: list[_Interval], lo: datetime, hi: datetime) -> timedelta:
    total = timedelta(0)
    for iv in intervals:
        a = max(iv.start, lo)
        b = hi if iv.end is None else min(iv.end, hi)
        if b > a:
            total += b - a
    return total


def _part_cover(part: str, product_line: str, start: date, period_start: date,
                restarted: bool, on: date) -> PartCover:
    term = term_for(product_line, part)
    if term is None:
        return PartCover(part, "not_applicable", False, None, None, ())
    if term.years is None:
        # Lifetime parts never restart: they keep the original start.
        if on < start:
            return PartCover(part, "not_started", False, start, None, (term.rule_id,))
        return PartCover(part, "lifetime", True, start, None, (term.rule_id,))
    ends_on = add_years(period_start, term.years) - timedelta(days=1)
    rule_ids = (term.rule_id, RESTART_RULE_ID) if restarted else (term.rule_id,)
    if on < period_start:
        status = "not_started"
    elif on <= ends_on:
        status = "in_warranty"
    else:
        status = "expired"
    return PartCover(part, status, status == "in_warranty", period_start, ends_on, rule_ids)


def _unknown_cover(part: str, product_line: str) -> PartCover:
    term = term_for(product_line, part)
    if term is None:
        # A missing tank is a fact about the product, not about the paperwork.
        return PartCover(part, "not_applicable", False, None, None, ())
    return PartCover(part, "unknown", False, None, None, (term.rule_id,))


def warranty_status(
    product_line: str,
    *,
    installed_on: date | None,
    purchased_on: date | None,
    spells: Iterable[DowntimeSpell] = (),
    on: date,
    tz: tzinfo = DEFAULT_TZ,
) -> WarrantyStatus:
    """Return the cover of every part of a unit on the day ``on``.

    Cover counts from the installation date, else the purchase date, else
    it is unknown (staff must ask for proof of purchase). Only restarts on
    or before ``on`` apply; ``downtime_in_period`` counts downtime since the
    current period began, up to the end of ``on`` (open spells run to then).
    """
    cover_terms(product_line)  # ValueError for an unknown line
    if installed_on is not None:
        basis, start = "installed_on", installed_on
    elif purchased_on is not None:
        basis, start = "purchased_on", purchased_on
    else:
        parts = tuple(_unknown_cover(p, product_line) for p in PARTS_ORDER)
        return WarrantyStatus(product_line, on, "unknown", None, None, (), timedelta(0), parts)

    spells = tuple(spells)  # iterated twice below
    events = [(r, at) for r, at in _restart_events(product_line, start, spells, tz)
              if r.restarted_on <= on]
    restarts = tuple(r for r, _ in events)
    if events:
        period_start, count_from = events[-1][0].restarted_on, events[-1][1]
    else:
        period_start, count_from = start, _midnight(start, tz)

    years = _whole_unit_years(product_line)
    count_to = min(_midnight(on + timedelta(days=1), tz),
                   _midnight(add_years(period_start, years), tz))
    downtime = _downtime_between(_merge(spells), count_from, count_to)

    parts = tuple(_part_cover(p, product_line, start, period_start, bool(events), on)
                  for p in PARTS_ORDER)
    return WarrantyStatus(product_line, on, basis, start, period_start, restarts, downtime, parts)


def is_covered(status: WarrantyStatus, part: str) -> bool:
    """True if ``part`` is covered on the status day (P-WAR-8: covered work is free)."""
    return status.part(part).covered
