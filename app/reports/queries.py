"""Aggregates over the rollups for one scope: the few grouped queries every builder shares.

Attendance of a unit (school, stage, grade, class) or a student is read from the student-day
rows (the whole school day); attendance of a course or a teacher from the lesson rows (only
their lessons). Both give the same keys (STATUS_KEYS + slots + attended). A unit's students are
picked by membership in one of its classes (`student_id IN (...)`), so a student in two of its
classes counts once; lessons likewise by `session_id IN (...)`.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import case, func, select

from app.core.models import utcnow
from app.extensions import db
from app.orgs.models import class_membership
from app.reports import scopes
from app.reports.models import LessonClassRollup, LessonRollup, LessonStatus, StudentDayRollup

STATUS_KEYS = ("present", "late", "left_early", "absent", "excused", "made_up")
ATTENDANCE_KEYS = ("slots", "attended", *STATUS_KEYS)


def _sum(column):
    return func.coalesce(func.sum(column), 0)


def count_if(condition):
    return _sum(case((condition, 1), else_=0))


# --- filters -------------------------------------------------------------------------------


def lesson_filter(scope) -> list:
    """Conditions on LessonRollup for the scope's lessons."""
    conditions = [
        LessonRollup.school_id == scope.school_id,
        LessonRollup.day >= scope.first,
        LessonRollup.day <= scope.last,
    ]
    courses = scopes.course_ids(scope)
    if courses is not None:
        conditions.append(LessonRollup.course_id.in_(courses or [-1]))
        return conditions
    if scope.kind == "student":
        classes = select(class_membership.c.class_id).where(class_membership.c.user_id == scope.id)
    else:
        classes = scopes.class_ids(scope)
        if classes is None:
            return conditions
        classes = sorted(classes) or [-1]
    conditions.append(
        LessonRollup.session_id.in_(
            select(LessonClassRollup.session_id).where(
                LessonClassRollup.class_id.in_(classes),
                LessonClassRollup.day >= scope.first,
                LessonClassRollup.day <= scope.last,
            )
        )
    )
    return conditions


def student_day_filter(scope) -> list:
    """Conditions on StudentDayRollup for the scope's students (unit and student scopes)."""
    R = StudentDayRollup
    conditions = [R.school_id == scope.school_id, R.day >= scope.first, R.day <= scope.last]
    if scope.kind == "student":
        conditions.append(R.student_id == scope.id)
        return conditions
    courses = scopes.course_ids(scope)
    if courses is not None:
        students = scopes.student_ids(scope)
        conditions.append(R.student_id.in_(sorted(students) or [-1]))
        return conditions
    classes = scopes.class_ids(scope)
    if classes is not None:
        members = select(class_membership.c.user_id).where(class_membership.c.class_id.in_(sorted(classes) or [-1]))
        conditions.append(R.student_id.in_(members))
    return conditions


def lesson_scoped(scope) -> bool:
    """True when attendance is counted over the scope's lessons (course, teacher)."""
    return scope.kind in ("course", "teacher")


# --- lessons (delivery) --------------------------------------------------------------------


def lesson_columns(now: datetime | None = None) -> list:
    now = now or utcnow()
    L = LessonRollup
    return [
        func.count().label("scheduled"),
        count_if(L.status == LessonStatus.HELD).label("held"),
        count_if(L.status == LessonStatus.CANCELLED).label("cancelled"),
        count_if((L.status == LessonStatus.SCHEDULED) & (L.ends_at <= now)).label("not_held"),
        count_if((L.status == LessonStatus.SCHEDULED) & (L.ends_at > now)).label("upcoming"),
        count_if(L.over_length).label("over_length"),
        count_if(L.short_break).label("short_break"),
        _sum(L.roster).label("slots"),
        *[_sum(getattr(L, key)).label(key) for key in STATUS_KEYS],
    ]


def _rows_as_dicts(result, keys) -> list[dict]:
    return [dict(zip(keys, row, strict=True)) for row in result]


def lesson_counts(scope, group_by=None, extra=()) -> list[dict] | dict:
    """Lesson counts for the scope, optionally grouped (a column, e.g. LessonRollup.day)."""
    columns = lesson_columns()
    keys = [c.name for c in columns]
    if group_by is None:
        row = db.session.execute(select(*columns).where(*lesson_filter(scope), *extra)).one()
        return with_attended(dict(zip(keys, row, strict=True)))
    query = select(group_by.label("key"), *columns).where(*lesson_filter(scope), *extra).group_by(group_by)
    return [with_attended(row) for row in _rows_as_dicts(db.session.execute(query), ["key", *keys])]


def with_attended(row: dict) -> dict:
    if "attended" not in row:
        row["attended"] = sum(int(row.get(key) or 0) for key in ("present", "late", "left_early", "made_up"))
    return row


# --- attendance ----------------------------------------------------------------------------


def _student_day_columns() -> list:
    R = StudentDayRollup
    return [
        _sum(R.lessons).label("slots"),
        _sum(R.attended).label("attended"),
        *[_sum(getattr(R, key)).label(key) for key in STATUS_KEYS],
        _sum(R.live_minutes).label("live_minutes"),
        _sum(R.resource_minutes).label("resource_minutes"),
        count_if(R.over_limit).label("over_limit_days"),
    ]


def attendance(scope, group_by=None) -> list[dict] | dict:
    """Attendance sums for the scope; group_by "day", "student" or None."""
    if lesson_scoped(scope):
        column = {"day": LessonRollup.day, None: None}[group_by] if group_by != "student" else None
        if group_by == "student":
            return _attendance_by_student_of_lessons(scope)
        return lesson_counts(scope, column)
    columns = _student_day_columns()
    keys = [c.name for c in columns]
    R = StudentDayRollup
    if group_by is None:
        row = db.session.execute(select(*columns).where(*student_day_filter(scope))).one()
        return dict(zip(keys, row, strict=True))
    key = {"day": R.day, "student": R.student_id}[group_by]
    query = select(key.label("key"), *columns).where(*student_day_filter(scope)).group_by(key)
    return _rows_as_dicts(db.session.execute(query), ["key", *keys])


UNIT_KINDS = ("school", "stage", "grade")


def _attendance_by_student_of_lessons(scope) -> list[dict]:
    from app.participation.models import AttendanceRecord

    session_ids = select(LessonRollup.session_id).where(
        *lesson_filter(scope), LessonRollup.status != LessonStatus.CANCELLED
    )
    A = AttendanceRecord
    columns = [
        func.count().label("slots"),
        count_if(A.status.in_(("present", "late", "left_early", "made_up"))).label("attended"),
        *[count_if(A.status == key).label(key) for key in STATUS_KEYS],
        _sum(A.minutes_present).label("live_minutes"),
    ]
    query = select(A.student_id, *columns).where(A.session_id.in_(session_ids)).group_by(A.student_id)
    keys = ["key", *[c.name for c in columns]]
    return _rows_as_dicts(db.session.execute(query), keys)


# --- rates ---------------------------------------------------------------------------------


def attendance_rate(row: dict) -> float | None:
    """Attended / (lessons on record - excused): an excused absence neither helps nor hurts."""
    expected = int(row.get("slots") or 0) - int(row.get("excused") or 0)
    return None if expected <= 0 else round(int(row.get("attended") or 0) / expected, 4)


def on_time_rate(row: dict) -> float | None:
    """Of the students who came live, the share who were not late."""
    came = sum(int(row.get(key) or 0) for key in ("present", "late", "left_early"))
    return None if came <= 0 else round((came - int(row.get("late") or 0)) / came, 4)


def delivery_rate(row: dict) -> float | None:
    """Held / (held + lessons that ended without being held); cancelled and upcoming ones aside."""
    due = int(row.get("held") or 0) + int(row.get("not_held") or 0)
    return None if due <= 0 else round(int(row.get("held") or 0) / due, 4)


def add_up(rows, keys) -> dict:
    total = {key: 0 for key in keys}
    for row in rows:
        for key in keys:
            total[key] += row.get(key) or 0
    return total
