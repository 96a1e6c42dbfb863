"""Days whose rollups wait for a rebuild.

Rewriting a school's student-days inside the call that changed attendance is right for a lesson
or a day, but a whole term recomputed at once (3,000 students x 120 days) would hold that call
for most of a minute. Above REPORTS_INLINE_REFRESH_STUDENT_DAYS the attendance receiver records
the school's changed days here instead; every page, export and API answer over those days says
that their figures are being rebuilt, and `refresh_rollups` clears the days it rebuilds: the
in-process check (a week at a time, so a serving process is never held long), `flask reports
daily --due` and `flask reports refresh --stale` (all of them). Flush, never commit.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from app.extensions import db
from app.reports.models import StaleRange

WEEK = 7


def mark_stale(school_id: int, first: date, last: date) -> None:
    db.session.add(StaleRange(school_id=school_id, first=first, last=last))
    db.session.flush()


def clear_stale(school_id: int, first: date, last: date) -> None:
    """Forget the days [first, last]: a range inside goes, a range across keeps its other days."""
    overlapping = db.session.scalars(
        select(StaleRange).where(StaleRange.school_id == school_id, StaleRange.first <= last, StaleRange.last >= first)
    ).all()
    for found in overlapping:
        if found.first < first:
            db.session.add(StaleRange(school_id=school_id, first=found.first, last=first - timedelta(days=1)))
        if found.last > last:
            db.session.add(StaleRange(school_id=school_id, first=last + timedelta(days=1), last=found.last))
        db.session.delete(found)
    db.session.flush()


def stale_ranges(school_id: int, first: date | None = None, last: date | None = None) -> list[tuple[date, date]]:
    """The school's days waiting for a rebuild, merged and clipped to [first, last]."""
    query = select(StaleRange.first, StaleRange.last).where(StaleRange.school_id == school_id)
    if first is not None and last is not None:
        query = query.where(StaleRange.first <= last, StaleRange.last >= first)
    merged: list[list[date]] = []
    for start, stop in sorted(db.session.execute(query).all()):
        start, stop = max(start, first or start), min(stop, last or stop)
        if merged and start <= merged[-1][1] + timedelta(days=1):
            merged[-1][1] = max(merged[-1][1], stop)
        else:
            merged.append([start, stop])
    return [(start, stop) for start, stop in merged]


def schools_with_stale_days() -> list[int]:
    return list(db.session.scalars(select(StaleRange.school_id).distinct().order_by(StaleRange.school_id)))


def rebuild_stale(school_id: int, most_days: int | None = None) -> int:
    """Rebuild the school's waiting days, earliest first, at most `most_days` of them (None: all);
    returns how many days were rebuilt."""
    from app.reports.rollups import refresh_rollups

    rebuilt = 0
    for first, last in stale_ranges(school_id):
        if most_days is not None:
            if rebuilt >= most_days:
                break
            last = min(last, first + timedelta(days=most_days - rebuilt - 1))
        refresh_rollups(school_id, first, last)
        rebuilt += (last - first).days + 1
    return rebuilt
