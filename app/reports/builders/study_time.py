"""Study-time compliance: students over their stage's daily online total, lessons longer than
their stage allows, and lessons with too short a break next to them (the schedule's own checks,
app/reports/compliance.py)."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import func, or_, select

from app.extensions import db
from app.reports import queries as q
from app.reports.builders.common import (
    below_title,
    by_day,
    child_groups,
    class_names_of_students,
    label_column,
    lessons_by_unit,
    names_of_courses,
    names_of_users,
    unit_sums,
)
from app.reports.builders.delivery import MAX_LESSON_ROWS
from app.reports.models import LessonRollup, StudentDayRollup
from app.reports.report import Chart, Column, Figure, Report, Scope, Series, Table

R = StudentDayRollup


def _over_limit_students(scope: Scope) -> int:
    query = select(func.count(func.distinct(R.student_id))).where(*q.student_day_filter(scope), R.over_limit)
    return int(db.session.scalar(query) or 0)


def over_limit_by_day(scope: Scope, attendance_days: list[dict] | None = None) -> dict:
    """day -> student-days over the limit; from the attendance day rows when the caller has them
    (the same student-day rows, unless the scope counts lessons: a course or a teacher)."""
    if attendance_days is not None and not q.lesson_scoped(scope):
        return {row["key"]: int(row.get("over_limit_days") or 0) for row in attendance_days}
    query = select(R.day, func.count()).where(*q.student_day_filter(scope), R.over_limit).group_by(R.day)
    return dict(db.session.execute(query).all())


def headline(scope: Scope, over_by_day: dict | None = None, per_student: dict | None = None) -> list[Figure]:
    """`per_student` (student id -> attendance sums with over_limit_days, as at-risk reads them)
    saves another pass over the student-day rows."""
    lessons = q.lesson_counts(scope)
    days = _student_days(scope) if over_by_day is None else {"over_limit_days": sum(over_by_day.values())}
    if per_student is not None and not q.lesson_scoped(scope):
        students_over = sum(1 for row in per_student.values() if row.get("over_limit_days"))
    else:
        students_over = _over_limit_students(scope)
    return [
        Figure("students_over_limit", _("Students over the daily limit"), students_over, "int", "breakdown"),
        Figure(
            "over_limit_days", _("Student-days over the limit"), int(days.get("over_limit_days") or 0), "int", "by_day"
        ),
        Figure("lessons_over_length", _("Lessons over length"), int(lessons["over_length"]), "int", "lessons"),
        Figure(
            "lessons_short_break", _("Lessons with too short a break"), int(lessons["short_break"]), "int", "lessons"
        ),
    ]


def _student_days(scope: Scope) -> dict:
    query = select(func.count()).where(*q.student_day_filter(scope), R.over_limit)
    return {"over_limit_days": db.session.scalar(query) or 0}


def day_table(scope: Scope, over_by_day: dict | None = None) -> Table:
    over = over_limit_by_day(scope) if over_by_day is None else over_by_day
    lessons = by_day(q.lesson_counts(scope, LessonRollup.day), scope, ("over_length", "short_break"))
    rows = [
        {
            "day": day,
            "over_limit": int(over.get(day, 0)),
            "over_length": int(row.get("over_length") or 0),
            "short_break": int(row.get("short_break") or 0),
        }
        for day, row in lessons.items()
    ]
    cols = [Column("day", _("Day"), "date"), *_columns()]
    return Table("by_day", _("By day"), cols, rows, q.add_up(rows, ("over_limit", "over_length", "short_break")))


def _columns() -> list[Column]:
    return [
        Column("over_limit", _("Students over the daily limit"), "int"),
        Column("over_length", _("Lessons over length"), "int"),
        Column("short_break", _("Lessons with too short a break"), "int"),
    ]


def breakdown(scope: Scope) -> Table:
    title = below_title(scope)
    if scope.kind == "student":
        return _days_of_student(scope, title)
    if scope.kind in ("class", "course"):
        return _students(scope, title)
    rows = []
    if scope.kind == "teacher":
        for row in q.lesson_counts(scope, LessonRollup.course_id):
            name = names_of_courses([row["key"]]).get(row["key"], "")
            numbers = {"over_limit": None, "over_length": row["over_length"], "short_break": row["short_break"]}
            rows.append({"name": name, **numbers, "_drill": scope.with_kind("course", row["key"]), "_label": name})
        return Table("breakdown", title, [label_column(), *_columns()], rows, None)
    # Each unit counts its distinct students' days and its distinct lessons: a student or a
    # lesson shared by two of its classes counts once.
    groups = child_groups(scope)
    over_days = unit_sums(groups, _over_limit_days_by_student(scope), ("over_limit_days",))
    sessions = lessons_by_unit(scope, groups)
    flags = _lesson_flags(scope)
    for kind, unit_id, name, _classes in groups:
        mine = [flags[s] for s in sessions.get((kind, unit_id), ()) if s in flags]
        numbers = {
            "over_limit": over_days[(kind, unit_id)]["over_limit_days"],
            "over_length": sum(1 for over_length, _short in mine if over_length),
            "short_break": sum(1 for _over, short_break in mine if short_break),
        }
        rows.append({"name": name, **numbers, "_drill": scope.with_kind(kind, unit_id), "_label": name})
    cols = [label_column(), Column("over_limit", _("Student-days over the limit"), "int"), *_columns()[1:]]
    return Table("breakdown", title, cols, rows, None)


def _over_limit_days_by_student(scope: Scope) -> dict[int, dict]:
    query = select(R.student_id, func.count()).where(*q.student_day_filter(scope), R.over_limit).group_by(R.student_id)
    return {student_id: {"over_limit_days": days} for student_id, days in db.session.execute(query)}


def _lesson_flags(scope: Scope) -> dict[int, tuple[bool, bool]]:
    """session id -> (over length, short break) of the flagged lessons of the school's days."""
    L = LessonRollup
    query = select(L.session_id, L.over_length, L.short_break).where(
        L.school_id == scope.school_id, L.day >= scope.first, L.day <= scope.last, or_(L.over_length, L.short_break)
    )
    return {session_id: (bool(over), bool(short)) for session_id, over, short in db.session.execute(query)}


def _students(scope: Scope, title: str) -> Table:
    found = db.session.execute(
        select(
            R.student_id,
            func.count(),
            q.count_if(R.over_limit),
            func.max(R.live_minutes + R.resource_minutes),
            func.max(R.limit_minutes),
        )
        .where(*q.student_day_filter(scope))
        .group_by(R.student_id)
    ).all()
    names = names_of_users(row[0] for row in found)
    classes = class_names_of_students(scope.school_id, names)
    rows = [
        {
            "name": names.get(student_id, ""),
            "class": classes.get(student_id, ""),
            "days": int(days or 0),
            "over_limit": int(over or 0),
            "most": round(float(most or 0), 1),
            "limit": limit,
            "_drill": scope.with_kind("student", student_id),
            "_label": names.get(student_id, ""),
        }
        for student_id, days, over, most, limit in found
    ]
    rows.sort(key=lambda r: (-r["over_limit"], r["class"], r["name"]))
    cols = [
        Column("name", _("Student"), "text"),
        Column("class", _("Class"), "text"),
        Column("days", _("Days online"), "int"),
        Column("over_limit", _("Days over the limit"), "int"),
        Column("most", _("Longest day (minutes)"), "minutes"),
        Column("limit", _("Daily limit (minutes)"), "minutes"),
    ]
    return Table("breakdown", title, cols, rows, None)


def _days_of_student(scope: Scope, title: str) -> Table:
    found = db.session.scalars(select(R).where(*q.student_day_filter(scope)).order_by(R.day)).all()
    rows = [
        {
            "day": row.day,
            "live": row.live_minutes,
            "resources": row.resource_minutes,
            "total": round(row.live_minutes + row.resource_minutes, 1),
            "limit": row.limit_minutes,
            "over": _("Yes") if row.over_limit else "",
        }
        for row in found
    ]
    cols = [
        Column("day", _("Day"), "date"),
        Column("live", _("Live minutes"), "minutes"),
        Column("resources", _("Resource minutes"), "minutes"),
        Column("total", _("Total minutes"), "minutes"),
        Column("limit", _("Daily limit (minutes)"), "minutes"),
        Column("over", _("Over the limit"), "text"),
    ]
    return Table("breakdown", title, cols, rows, None)


def flagged_lessons(scope: Scope) -> Table:
    L = LessonRollup
    found = db.session.scalars(
        select(L)
        .where(*q.lesson_filter(scope), or_(L.over_length, L.short_break))
        .order_by(L.starts_at)
        .limit(MAX_LESSON_ROWS)
    ).all()
    courses = names_of_courses(lesson.course_id for lesson in found)
    teachers = names_of_users(lesson.teacher_id for lesson in found if lesson.teacher_id)
    rows = []
    for lesson in found:
        flags = ((lesson.over_length, _("Over length")), (lesson.short_break, _("Break too short")))
        rows.append(
            {
                "day": lesson.day,
                "course": courses.get(lesson.course_id, ""),
                "teacher": teachers.get(lesson.teacher_id, ""),
                "minutes": lesson.scheduled_minutes,
                "issue": "、".join(text for flag, text in flags if flag),
            }
        )
    cols = [
        Column("day", _("Day"), "date"),
        Column("course", _("Course"), "text"),
        Column("teacher", _("Teacher"), "text"),
        Column("minutes", _("Minutes"), "minutes"),
        Column("issue", _("Issue"), "text"),
    ]
    return Table("lessons", _("Lessons over length or with too short a break"), cols, rows, None)


def trend_chart(table: Table) -> Chart:
    return Chart(
        "study_time_trend",
        _("Study-time compliance by day"),
        "line",
        [row["day"].isoformat() for row in table.rows],
        [
            Series(_("Students over the daily limit"), [row["over_limit"] for row in table.rows]),
            Series(_("Lessons over length"), [row["over_length"] for row in table.rows]),
            Series(_("Lessons with too short a break"), [row["short_break"] for row in table.rows]),
        ],
        table.name,
    )


def build(scope: Scope) -> Report:
    over = over_limit_by_day(scope)
    days = day_table(scope, over)
    tables = [breakdown(scope), days, flagged_lessons(scope)]
    return Report("study-time", _("Study-time compliance"), scope, headline(scope, over), tables, [trend_chart(days)])
