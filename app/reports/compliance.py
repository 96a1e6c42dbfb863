"""Study-time compliance of stored lessons, by the schedule's own engine (app/schedule/policy):
the same rules, limits and per-student local days as when the lessons were planned. Reports
only look at two of its rules: a lesson longer than its stage allows, and a break too short
next to a lesson (between two lessons of the same students, across courses)."""

from __future__ import annotations

from collections import defaultdict

from app.schedule.loading import load_context
from app.schedule.policy import Lesson, Rule, check

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
    stored = _as_lessons(rows)
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


def _as_lessons(rows) -> list[Lesson]:
    """The stored lessons as the engine sees them: their classes (their own, or their course's)
    and their course's teachers. Each replaces itself in the stored schedule (same id)."""
    from sqlalchemy import select

    from app.extensions import db
    from app.orgs.models import course_teacher
    from app.reports.rollups import lesson_classes

    classes_of = lesson_classes(rows)
    teachers: dict[int, set[int]] = defaultdict(set)
    course_ids = sorted({row.course_id for row in rows})
    for course_id, user_id in db.session.execute(
        select(course_teacher.c.course_id, course_teacher.c.user_id).where(course_teacher.c.course_id.in_(course_ids))
    ):
        teachers[course_id].add(user_id)
    return [
        Lesson(
            row.id,
            row.course_id,
            frozenset(classes_of.get(row.id, ())),
            frozenset(teachers.get(row.course_id, ())),
            row.starts_at,
            row.ends_at,
        )
        for row in rows
        if classes_of.get(row.id)
    ]
