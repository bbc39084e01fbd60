"""The calendar as data: the season table (campaign_calendar/seasons.toml) and China's official
holidays through the maintained `chinese-calendar` package, which refuses a year it does not know
rather than guessing (the State Council publishes each year's schedule in November or December)."""
from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import chinese_calendar

PACKAGE = f"chinese-calendar {chinese_calendar.__version__}"
# The years whose official schedule the package holds.
KNOWN_YEARS = frozenset(day.year for day in chinese_calendar.holidays)


class UnknownYear(LookupError):
    """The holiday package does not know this year's official schedule."""


@dataclass(frozen=True)
class Region:
    province: str
    city: str | None
    cooling: tuple[int, int] | None  # (month, day) the cooling season starts; None: no warning
    heating: tuple[int, int] | None


@dataclass(frozen=True)
class SeasonTable:
    lead_days: int
    regions: tuple[Region, ...]
    cleaning_month: int
    cleaning_starts: tuple[int, int]
    cleaning_ends: tuple[int, int]
    idle_after: tuple[tuple[int, int], ...]
    idle_days: int
    before_spring_festival_days: int

    def cities_with_own_dates(self, province: str) -> tuple[str, ...]:
        return tuple(r.city for r in self.regions if r.province == province and r.city)


def _month_day(raw, where: str) -> tuple[int, int] | None:
    if raw is None:
        return None
    try:
        month, day = (int(part) for part in str(raw).split("-"))
        date(2024, month, day)  # a leap year: 02-29 is a date
    except ValueError:
        raise ValueError(f"{where}: {raw!r} is not a MM-DD date") from None
    return month, day


def load_seasons(path: Path) -> SeasonTable:
    """Read the table; a bad entry is a ValueError naming the file and the entry."""
    with open(path, "rb") as handle:
        data = tomllib.load(handle)
    regions = []
    for n, raw in enumerate(data.get("region", []), start=1):
        where = f"{path.name} region {n}"
        if not raw.get("province"):
            raise ValueError(f"{where}: needs a province")
        regions.append(Region(raw["province"], raw.get("city"), _month_day(raw.get("cooling"), where),
                              _month_day(raw.get("heating"), where)))
    cleaning, idle = data.get("cleaning_drive", {}), data.get("idle_poweroff", {})
    return SeasonTable(
        lead_days=int(data.get("lead_days", 14)), regions=tuple(regions),
        cleaning_month=int(cleaning.get("draft_month", 2)),
        cleaning_starts=_month_day(cleaning.get("starts", "03-10"), f"{path.name} cleaning_drive"),
        cleaning_ends=_month_day(cleaning.get("ends", "03-20"), f"{path.name} cleaning_drive"),
        idle_after=tuple(_month_day(d, f"{path.name} idle_poweroff") for d in idle.get("after", [])),
        idle_days=int(idle.get("days", 7)),
        before_spring_festival_days=int(idle.get("before_spring_festival_days", 5)))


def spring_festival_start(year: int) -> date:
    """The first day of the official Spring Festival holiday of `year`; UnknownYear when the package
    has no schedule for it (asked first: the package's own answer for such a year is an exception)."""
    if year not in KNOWN_YEARS:
        raise UnknownYear(f"{PACKAGE} does not know {year}'s official holidays (the State Council publishes "
                          "them each November or December): upgrade the package, the next run fills the dates in")
    day = date(year, 1, 10)
    while day < date(year, 3, 1):
        holiday, name = chinese_calendar.get_holiday_detail(day)
        if holiday and name == chinese_calendar.Holiday.spring_festival.value:
            return day
        day += timedelta(days=1)
    raise UnknownYear(f"{PACKAGE} names no Spring Festival holiday in {year}")
