"""Rebuilding the rollups (models.py) from attendance, presence, resource time and the schedule.

Every refresh is set-based and rewrites whole rows for the lessons and student-days
it is given, so running it twice changes nothing and a later excuse or a late reconnect simply
rewrites the affected rows. Flush, never commit: callers own the transaction.

- `refresh_for_attendance(session_ids, student_ids)`: after attendance changed (the signal);
  a term-sized change marks its days for the next rebuild instead (stale.py);
- `refresh_for_sessions(session_ids, student_ids)`: after lessons were created, moved or
  cancelled (the schedule receiver, with the study-time checks);
- `refresh_rollups(school_id, first, last)`: a school's local days, for the nightly job.

Student-day rows: rollup_days.py.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

from sqlalchemy import delete, func, insert, select

from app.core.models import utcnow
from app.extensions import db
from app.live.models import LessonRoomState
from app.orgs.models import OrgUnit, UnitKind, class_membership, course_class, course_teacher
from app.participation.loading import chunks
from app.participation.models import AttendanceRecord
from app.reports.compliance import compliance_flags
from app.reports.models import LessonClassRollup, LessonRollup, LessonStatus
from app.reports.rollup_days import STATUSES, local_day, refresh_student_days
from app.reports.settings import setting
from app.reports.stale import clear_stale, mark_stale
from app.schedule.loading import school_timezone
from app.schedule.models import LiveSession, SessionStatus, live_session_class
from app.schedule.policy_index import day_start

WEEK = 7
SESSION_COLUMNS = (
    LiveSession.id,
    LiveSession.school_id,
    LiveSession.course_id,
    LiveSession.created_by_id,
    LiveSession.starts_at,
    LiveSession.ends_at,
    LiveSession.status,
)


def _session_rows(session_ids) -> list:
    rows = []
    for part in chunks(sorted(set(session_ids))):
        rows += db.session.execute(select(*SESSION_COLUMNS).where(LiveSession.id.in_(part))).all()
    return rows


def refresh_for_sessions(session_ids, student_ids=(), check_compliance: bool = False) -> None:
    """Rewrite the rollups these lessons (and these students on the lessons' days) touch."""
    for school_id, rows in _by_school(session_ids).items():
        tz = school_timezone(school_id)
        days = {local_day(row.starts_at, tz) for row in rows}
        students = set(student_ids) | _students_on_record([row.id for row in rows])
        _refresh_school(school_id, rows, students, days, tz, check_compliance)
    db.session.flush()


def refresh_for_attendance(session_ids, student_ids=()) -> None:
    """After attendance changed: as refresh_for_sessions, but a change on more student-days than
    REPORTS_INLINE_REFRESH_STUDENT_DAYS (a term recomputed) only marks the school's days as
    waiting for a rebuild (app/reports/stale.py) instead of holding the caller for a minute."""
    limit = int(setting("REPORTS_INLINE_REFRESH_STUDENT_DAYS"))
    for school_id, rows in _by_school(session_ids).items():
        tz = school_timezone(school_id)
        days = {local_day(row.starts_at, tz) for row in rows}
        students = set(student_ids)
        if len(students) * len(days) <= limit:
            students |= _students_on_record([row.id for row in rows])
        if len(students) * len(days) > limit:
            mark_stale(school_id, min(days), max(days))
            continue
        _refresh_school(school_id, rows, students, days, tz, False)
    db.session.flush()


def _by_school(session_ids) -> dict[int, list]:
    by_school = defaultdict(list)
    for row in _session_rows(session_ids):
        by_school[row.school_id].append(row)
    return by_school


def _refresh_school(school_id: int, rows, students: set[int], days: set[date], tz: str, check_compliance: bool):
    if check_compliance:
        # A moved or new lesson changes its neighbours' breaks: check the classes' whole days.
        around = _sessions_on(school_id, set().union(*lesson_classes(rows).values()), days, tz)
        rows = list({row.id: row for row in [*rows, *around]}.values())
        students |= _students_on_record([row.id for row in around])
    refresh_lessons(rows, tz, check_compliance)
    refresh_student_days(school_id, students, days, tz)


def refresh_rollups(school_id: int, first: date, last: date) -> dict:
    """Rebuild every rollup of a school's local days [first, last], a week at a time, and forget
    that any of them was waiting for a rebuild (first: a change marked while this runs stays)."""
    clear_stale(school_id, first, last)
    tz = school_timezone(school_id)
    counts = {"lessons": 0, "student_days": 0}
    classes = set(
        db.session.scalars(select(OrgUnit.id).where(OrgUnit.school_id == school_id, OrgUnit.kind == UnitKind.CLASS))
    )
    members = _members(classes)
    start = first
    while start <= last:
        stop = min(last, start + timedelta(days=WEEK - 1))
        days = {start + timedelta(days=n) for n in range((stop - start).days + 1)}
        window = (day_start(start, tz), day_start(stop + timedelta(days=1), tz))
        db.session.execute(
            delete(LessonRollup).where(
                LessonRollup.school_id == school_id, LessonRollup.day >= start, LessonRollup.day <= stop
            )
        )
        db.session.execute(
            delete(LessonClassRollup).where(
                LessonClassRollup.school_id == school_id,
                LessonClassRollup.day >= start,
                LessonClassRollup.day <= stop,
            )
        )
        rows = db.session.execute(
            select(*SESSION_COLUMNS).where(
                LiveSession.school_id == school_id,
                LiveSession.starts_at >= window[0],
                LiveSession.starts_at < window[1],
            )
        ).all()
        counts["lessons"] += refresh_lessons(rows, tz, check_compliance=True)
        students = members | _students_on_record([row.id for row in rows])
        counts["student_days"] += refresh_student_days(school_id, students, days, tz)
        start = stop + timedelta(days=1)
    db.session.flush()
    return counts


def _members(class_ids: set[int]) -> set[int]:
    result: set[int] = set()
    for part in chunks(sorted(class_ids)):
        query = select(class_membership.c.user_id).where(class_membership.c.class_id.in_(part))
        result |= set(db.session.scalars(query))
    return result


def _sessions_on(school_id: int, class_ids: set[int], days: set[date], tz: str) -> list:
    """Every lesson of the school on these days that is for one of these classes."""
    if not class_ids or not days:
        return []
    start, end = day_start(min(days), tz), day_start(max(days) + timedelta(days=1), tz)
    rows = db.session.execute(
        select(*SESSION_COLUMNS).where(
            LiveSession.school_id == school_id, LiveSession.starts_at >= start, LiveSession.starts_at < end
        )
    ).all()
    rows = [row for row in rows if local_day(row.starts_at, tz) in days]
    classes_of = lesson_classes(rows)
    return [row for row in rows if classes_of.get(row.id, set()) & class_ids]


def lesson_classes(rows) -> dict[int, set[int]]:
    """session id -> its classes: its own list, or its course's classes when it has none."""
    own: dict[int, set[int]] = defaultdict(set)
    for part in chunks([row.id for row in rows]):
        for session_id, class_id in db.session.execute(
            select(live_session_class.c.session_id, live_session_class.c.class_id).where(
                live_session_class.c.session_id.in_(part)
            )
        ):
            own[session_id].add(class_id)
    of_course: dict[int, set[int]] = defaultdict(set)
    for part in chunks(sorted({row.course_id for row in rows})):
        for course_id, class_id in db.session.execute(
            select(course_class.c.course_id, course_class.c.class_id).where(course_class.c.course_id.in_(part))
        ):
            of_course[course_id].add(class_id)
    return {row.id: own.get(row.id) or of_course.get(row.course_id, set()) for row in rows}


def _students_on_record(session_ids: list[int]) -> set[int]:
    result: set[int] = set()
    for part in chunks(session_ids):
        result |= set(
            db.session.scalars(
                select(AttendanceRecord.student_id).where(AttendanceRecord.session_id.in_(part)).distinct()
            )
        )
    return result


def refresh_lessons(rows, tz: str, check_compliance: bool = False) -> int:
    """Rewrite the lesson rows of these sessions; returns how many were written."""
    if not rows:
        return 0
    ids = [row.id for row in rows]
    opened, counts, minutes, flags = set(), defaultdict(dict), defaultdict(float), {}
    for part in chunks(ids):
        room_query = select(LessonRoomState.session_id).where(LessonRoomState.session_id.in_(part))
        opened |= set(db.session.scalars(room_query))
        for session_id, status, number, total in db.session.execute(
            select(
                AttendanceRecord.session_id,
                AttendanceRecord.status,
                func.count(),
                func.coalesce(func.sum(AttendanceRecord.minutes_present), 0.0),
            )
            .where(AttendanceRecord.session_id.in_(part))
            .group_by(AttendanceRecord.session_id, AttendanceRecord.status)
        ):
            counts[session_id][status] = number
            minutes[session_id] += float(total or 0.0)
        if not check_compliance:
            for session_id, over_length, short_break in db.session.execute(
                select(LessonRollup.session_id, LessonRollup.over_length, LessonRollup.short_break).where(
                    LessonRollup.session_id.in_(part)
                )
            ):
                flags[session_id] = (over_length, short_break)
        db.session.execute(delete(LessonRollup).where(LessonRollup.session_id.in_(part)))
        db.session.execute(delete(LessonClassRollup).where(LessonClassRollup.session_id.in_(part)))
    if check_compliance:
        flags = compliance_flags(rows[0].school_id, [row for row in rows if row.status != SessionStatus.CANCELLED])
    teachers = _credited_teachers(rows)
    classes_of = lesson_classes(rows)
    now = utcnow()
    values = []
    for row in rows:
        by_status = counts.get(row.id, {})
        attended = sum(by_status.get(s, 0) for s in ("present", "late", "left_early"))
        if row.status == SessionStatus.CANCELLED:
            status = LessonStatus.CANCELLED
        elif row.id in opened or attended:
            status = LessonStatus.HELD
        else:
            status = LessonStatus.SCHEDULED
        over_length, short_break = flags.get(row.id, (False, False))
        values.append(
            {
                "session_id": row.id,
                "school_id": row.school_id,
                "course_id": row.course_id,
                "teacher_id": teachers.get(row.id),
                "day": local_day(row.starts_at, tz),
                "starts_at": row.starts_at,
                "ends_at": row.ends_at,
                "status": status,
                "scheduled_minutes": int((row.ends_at - row.starts_at).total_seconds() // 60),
                "roster": sum(by_status.values()),
                **{name: by_status.get(name, 0) for name in STATUSES},
                "minutes_present": round(minutes.get(row.id, 0.0), 1),
                "over_length": bool(over_length) and status != LessonStatus.CANCELLED,
                "short_break": bool(short_break) and status != LessonStatus.CANCELLED,
                "refreshed_at": now,
            }
        )
    for part in chunks(values, 1000):
        db.session.execute(insert(LessonRollup), part)
    pairs = [
        {"session_id": row.id, "class_id": class_id, "school_id": row.school_id, "day": local_day(row.starts_at, tz)}
        for row in rows
        for class_id in sorted(classes_of.get(row.id, ()))
    ]
    for part in chunks(pairs, 1000):
        db.session.execute(insert(LessonClassRollup), part)
    return len(values)


def _credited_teachers(rows) -> dict[int, int | None]:
    course_ids = sorted({row.course_id for row in rows})
    teachers_of: dict[int, set[int]] = defaultdict(set)
    for part in chunks(course_ids):
        for course_id, user_id in db.session.execute(
            select(course_teacher.c.course_id, course_teacher.c.user_id).where(course_teacher.c.course_id.in_(part))
        ):
            teachers_of[course_id].add(user_id)
    result = {}
    for row in rows:
        teachers = teachers_of.get(row.course_id, set())
        result[row.id] = row.created_by_id if row.created_by_id in teachers else (min(teachers) if teachers else None)
    return result


__all__ = [
    "local_day",
    "refresh_for_attendance",
    "refresh_for_sessions",
    "refresh_lessons",
    "refresh_rollups",
    "refresh_student_days",
]
