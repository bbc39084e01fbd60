"""Counting what a list page shows without counting everything: past `CAP` the page says "1000+"."""
from __future__ import annotations

from sqlalchemy import func, literal, select
from sqlalchemy.orm import Session

CAP = 1000


def count_upto(session: Session, source, where: list, cap: int = CAP) -> str:
    """How many rows of `source` match `where`, as text: the number, or "CAP+" once past it."""
    found = session.scalar(select(func.count()).select_from(
        select(literal(1)).select_from(source).where(*where).limit(cap + 1).subquery()))
    return f"{cap}+" if found > cap else str(found)
