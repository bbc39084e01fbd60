"""SQL the reports share: hours between two stored times, and medians per group, on either database.

A median is the middle row (or the mean of the two middle rows) of each group, picked with window
functions both SQLite and PostgreSQL have, so a report never loads its rows to sort them in Python.
"""
from __future__ import annotations

from sqlalchemy import Float, and_, case, cast, extract, func, literal, select
from sqlalchemy.orm import Session


def hours_between(session: Session, later, earlier):
    """`later - earlier` in hours, never below 0 (a clock met before it started counts as at once)."""
    if session.get_bind().dialect.name == "postgresql":
        hours = cast(extract("epoch", later - earlier), Float) / 3600.0
    else:  # SQLite keeps naive UTC text; julianday reads it as days
        hours = (func.julianday(later) - func.julianday(earlier)) * 24.0
    return case((hours < 0, literal(0.0)), else_=hours)


def group_medians(session: Session, keys: list, value, where: list) -> dict[tuple, float]:
    """{group key tuple: the median of `value`} over the rows `where` selects (NULL values left out)."""
    ordered = select(*[k.label(f"k{i}") for i, k in enumerate(keys)], value.label("v"),
                     func.row_number().over(partition_by=keys or None, order_by=value).label("rn"),
                     func.count().over(partition_by=keys or None).label("n")
                     ).where(*where, value.is_not(None)).subquery()
    group = [ordered.c[f"k{i}"] for i in range(len(keys))]
    middle = and_(ordered.c.rn >= (ordered.c.n + 1) // 2, ordered.c.rn <= (ordered.c.n + 2) // 2)
    rows = session.execute(select(*group, func.avg(ordered.c.v)).where(middle).group_by(*group)).all()
    return {tuple(row[:-1]): float(row[-1]) for row in rows if row[-1] is not None}
