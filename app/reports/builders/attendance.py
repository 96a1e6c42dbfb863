"""Attendance: who came to the lessons, on time, from the school down to one student's lessons."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import pgettext
from sqlalchemy import select

from app.extensions import db
from app.participation.models import AttendanceRecord
from app.reports import queries as q
from app.reports.builders.common import (
    below_title,
    by_day,
    child_groups,
    class_names_of_students,
    label_column,
    names_of_courses,
    names_of_users,
    status_label,
)
from app.reports.models import LessonRollup, LessonStatus
from app.reports.report import Chart, Column, Figure, Report, Scope, Series, Table


def columns() -> list[Column]:
    return [
        Column("slots", pgettext("lesson count", "Lessons"), "int"),
        Column("attended", _("Attended"), "int"),
        Column("late", _("Late"), "int"),
        Column("left_early", _("Left early"), "int"),
        Column("absent", _("Absent"), "int"),
        Column("excused", _("Excused"), "int"),
        Column("made_up", _("Made up"), "int"),
        Column("rate", _("Attendance rate"), "percent"),
        Column("on_time", _("On-time rate"), "percent"),
    ]


INT_KEYS = ("slots", "attended", "late", "left_early", "absent", "excused", "made_up")


def _numbers(row: dict) -> dict:
    values = {key: int(row.get(key) or 0) for key in INT_KEYS}
    values["rate"] = q.attendance_rate(row)
    values["on_time"] = q.on_time_rate(row)
    return values


def headline(scope: Scope) -> list[Figure]:
    totals = q.attendance(scope)
    return [
        Figure("attendance_rate", _("Attendance rate"), q.attendance_rate(totals), "percent", "breakdown"),
        Figure("on_time_rate", _("On-time rate"), q.on_time_rate(totals), "percent", "breakdown"),
        Figure("absent", _("Absences"), int(totals.get("absent") or 0), "int", "breakdown"),
        Figure("excused", _("Excused absences"), int(totals.get("excused") or 0), "int", "breakdown"),
    ]


def day_table(scope: Scope) -> Table:
    days = by_day(q.attendance(scope, "day"), scope, q.ATTENDANCE_KEYS)
    rows = [{"day": day, **_numbers(row)} for day, row in days.items()]
    return Table("by_day", _("By day"), [Column("day", _("Day"), "date"), *columns()], rows, None)


def trend_chart(table: Table) -> Chart:
    return Chart(
        "attendance_trend",
        _("Attendance by day"),
        "line",
        [row["day"].isoformat() for row in table.rows],
        [
            Series(_("Attendance rate"), [row["rate"] for row in table.rows]),
            Series(_("On-time rate"), [row["on_time"] for row in table.rows]),
        ],
        table.name,
    )


def breakdown(scope: Scope) -> Table:
    title = below_title(scope)
    if scope.kind == "student":
        return _lessons_of_student(scope, title)
    rows = []
    if scope.kind in ("school", "stage", "grade"):
        sums = {
            row["class_id"]: row for row in q.class_day_sums(scope, None if scope.kind == "school" else _all(scope))
        }
        for kind, unit_id, name, class_ids in child_groups(scope):
            row = q.add_up([sums[c] for c in class_ids if c in sums], q.ATTENDANCE_KEYS)
            rows.append({"name": name, **_numbers(row), "_drill": scope.with_kind(kind, unit_id), "_label": name})
    elif scope.kind == "teacher":
        grouped = q.lesson_counts(scope, LessonRollup.course_id, (LessonRollup.status != LessonStatus.CANCELLED,))
        names = names_of_courses(row["key"] for row in grouped)
        for row in sorted(grouped, key=lambda r: names.get(r["key"], "")):
            name = names.get(row["key"], "")
            rows.append(
                {"name": name, **_numbers(row), "_drill": scope.with_kind("course", row["key"]), "_label": name}
            )
    else:  # class or course: the students
        grouped = q.attendance(scope, "student")
        names = names_of_users(row["key"] for row in grouped)
        classes = class_names_of_students(scope.school_id, names)
        for row in sorted(grouped, key=lambda r: (classes.get(r["key"], ""), names.get(r["key"], ""))):
            name = names.get(row["key"], "")
            rows.append(
                {
                    "name": name,
                    "class": classes.get(row["key"], ""),
                    **_numbers(row),
                    "_drill": scope.with_kind("student", row["key"]),
                    "_label": name,
                }
            )
        cols = [label_column(), Column("class", _("Class"), "text"), *columns()]
        return Table("breakdown", title, cols, rows, _total(rows))
    return Table("breakdown", title, [label_column(), *columns()], rows, _total(rows))


def _all(scope: Scope):
    from app.reports import scopes

    return scopes.class_ids(scope)


def _total(rows: list[dict]) -> dict:
    total = q.add_up(rows, INT_KEYS)
    total["slots"] = total.get("slots", 0)
    total["rate"] = q.attendance_rate(total)
    total["on_time"] = q.on_time_rate(total)
    total["name"] = _("Total")
    return total


def _lessons_of_student(scope: Scope, title: str) -> Table:
    A = AttendanceRecord
    session_ids = select(LessonRollup.session_id).where(
        *q.lesson_filter(scope), LessonRollup.status != LessonStatus.CANCELLED
    )
    records = db.session.execute(
        select(A.starts_at, A.course_id, A.status, A.minutes_present, LessonRollup.day)
        .join(LessonRollup, LessonRollup.session_id == A.session_id)
        .where(A.student_id == scope.id, A.session_id.in_(session_ids))
        .order_by(A.starts_at)
    ).all()
    names = names_of_courses(r.course_id for r in records)
    rows = [
        {
            "day": r.day,
            "course": names.get(r.course_id, ""),
            "status": status_label(r.status),
            "minutes": round(float(r.minutes_present or 0), 1),
        }
        for r in records
    ]
    cols = [
        Column("day", _("Day"), "date"),
        Column("course", _("Course"), "text"),
        Column("status", _("Status"), "text"),
        Column("minutes", _("Minutes present"), "minutes"),
    ]
    return Table("breakdown", title, cols, rows, None)


def students_table(scope: Scope) -> Table:
    """Every student of a school, stage or grade (the export academic affairs asks for)."""
    grouped = q.attendance(scope, "student")
    names = names_of_users(row["key"] for row in grouped)
    classes = class_names_of_students(scope.school_id, names)
    rows = [
        {
            "name": names.get(row["key"], ""),
            "class": classes.get(row["key"], ""),
            **_numbers(row),
            "_drill": scope.with_kind("student", row["key"]),
            "_label": names.get(row["key"], ""),
        }
        for row in grouped
    ]
    rows.sort(key=lambda r: (r["class"], r["name"]))
    cols = [Column("name", _("Student"), "text"), Column("class", _("Class"), "text"), *columns()]
    return Table("students", _("Students"), cols, rows, _total(rows))


def build(scope: Scope) -> Report:
    days = day_table(scope)
    tables = [breakdown(scope), days]
    if scope.kind in ("school", "stage", "grade"):
        tables.append(students_table(scope))
    return Report("attendance", _("Attendance"), scope, headline(scope), tables, [trend_chart(days)])
