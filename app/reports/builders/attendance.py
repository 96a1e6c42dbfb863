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
    unit_sums,
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


def day_rows(scope: Scope) -> list[dict]:
    """The scope's attendance sums by day (for a unit also its student-days over the limit): one
    pass over the rows, shared by the headline, the day table and the study-time trend."""
    return q.attendance(scope, "day")


def headline(scope: Scope, days: list[dict] | None = None) -> list[Figure]:
    totals = q.attendance(scope) if days is None else q.add_up(days, q.ATTENDANCE_KEYS)
    return [
        Figure("attendance_rate", _("Attendance rate"), q.attendance_rate(totals), "percent", "breakdown"),
        Figure("on_time_rate", _("On-time rate"), q.on_time_rate(totals), "percent", "breakdown"),
        Figure("absent", _("Absences"), int(totals.get("absent") or 0), "int", "breakdown"),
        Figure("excused", _("Excused absences"), int(totals.get("excused") or 0), "int", "breakdown"),
    ]


def day_table(scope: Scope, found: list[dict] | None = None) -> Table:
    days = by_day(day_rows(scope) if found is None else found, scope, q.ATTENDANCE_KEYS)
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


def breakdown(scope: Scope, per_student: dict[int, dict] | None = None) -> Table:
    """One level below the scope; `per_student` (student id -> sums) saves a school, stage or
    grade asking for it twice."""
    title = below_title(scope)
    if scope.kind == "student":
        return _lessons_of_student(scope, title)
    rows = []
    if scope.kind in ("school", "stage", "grade"):
        return _units(scope, title, per_student)
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


def per_student_sums(scope: Scope) -> dict[int, dict]:
    return {row["key"]: row for row in q.attendance(scope, "student")}


def _units(scope: Scope, title: str, per_student: dict[int, dict] | None) -> Table:
    """Each unit below sums its distinct students (one in two of its classes counts once; a
    class row still shows every member), and the total row sums the scope's distinct students."""
    per_student = per_student_sums(scope) if per_student is None else per_student
    groups = child_groups(scope)
    sums = unit_sums(groups, per_student, q.ATTENDANCE_KEYS)
    rows = []
    for kind, unit_id, name, _classes in groups:
        row = sums[(kind, unit_id)]
        rows.append({"name": name, **_numbers(row), "_drill": scope.with_kind(kind, unit_id), "_label": name})
    total = {**_numbers(q.add_up(per_student.values(), q.ATTENDANCE_KEYS)), "name": _("Total")}
    return Table("breakdown", title, [label_column(), *columns()], rows, total)


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


def students_table(scope: Scope, per_student: dict[int, dict] | None = None) -> Table:
    """Every student of a school, stage or grade (the export academic affairs asks for)."""
    grouped = list((per_student_sums(scope) if per_student is None else per_student).values())
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
    found = day_rows(scope)
    days = day_table(scope, found)
    per_student = per_student_sums(scope) if scope.kind in q.UNIT_KINDS else None
    tables = [breakdown(scope, per_student), days]
    if per_student is not None:
        tables.append(students_table(scope, per_student))
    return Report("attendance", _("Attendance"), scope, headline(scope, found), tables, [trend_chart(days)])
