"""Study-time compliance of stored lessons, by the schedule's own engine (app/schedule/policy):
the same rules, limits and per-student local days as when the lessons were planned. Reports
only look at two of its rules: a lesson longer than its stage allows, and a break too short
next to a lesson (between two lessons of the same students, across courses)."""

from __future__ import annotations

from collections import defaultdict

from app.schedule.loading import load_context, load_lessons
from app.schedule.policy import Rule, check

# Lessons checked together: one school day of a big school is a few hundred lessons.
BATCH = 400


def compliance_flags(school_id: int, rows) -> dict[int, tuple[bool, bool]]:
    """session id -> (over length, short break) for scheduled lessons `rows` (id, starts_at,
    ends_at), each checked against the stored schedule around it."""
    if not rows:
        return {}
    by_day = defaultdict(list)
    for row in rows:
        by_day[row.starts_at.date()].append(row)
    flags: dict[int, tuple[bool, bool]] = {}
    for day_rows in by_day.values():
        for index in range(0, len(day_rows), BATCH):
            flags.update(_check(school_id, day_rows[index : index + BATCH]))
    return flags


def _check(school_id: int, rows) -> dict[int, tuple[bool, bool]]:
    ids = {row.id for row in rows}
    start = min(row.starts_at for row in rows)
    end = max(row.ends_at for row in rows)
    # The stored lessons themselves, as the engine sees them (classes, teachers).
    stored = [lesson for lesson in _stored(ids, start, end) if lesson.id in ids]
    if not stored:
        return {}
    context = load_context(school_id, stored)
    result = check(stored, context.schedule, context.students, context.policy, school_timezone=context.school_timezone)
    over, short = set(), set()
    for violation in result.violations:
        if violation.rule == Rule.LESSON_LENGTH:
            over.update(violation.lesson_ids)
        elif violation.rule == Rule.BREAK:
            short.update(violation.lesson_ids)
    return {session_id: (session_id in over, session_id in short) for session_id in ids}


def _stored(ids: set[int], start, end):
    from sqlalchemy import select

    from app.extensions import db
    from app.schedule.models import live_session_class

    class_ids = set(
        db.session.scalars(select(live_session_class.c.class_id).where(live_session_class.c.session_id.in_(ids)))
    )
    return load_lessons(class_ids, set(), start, end)
