"""Teacher activity: lessons of the courses each teacher teaches (a co-taught lesson counts for
each of its teachers) and the resources they assigned to course plans in the range."""

from __future__ import annotations

from datetime import timedelta

from flask_babel import gettext as _
from sqlalchemy import func, select

from app.catalog.models import LessonPlanItem
from app.extensions import db
from app.orgs.models import course_teacher
from app.reports import queries as q
from app.reports.builders.common import names_of_courses, names_of_users
from app.reports.builders.resources import _courses
from app.reports.models import LessonRollup
from app.reports.report import Chart, Column, Figure, Report, Scope, Series, Table
from app.schedule.loading import school_timezone
from app.schedule.policy_index import day_start

KEYS = ("courses", "scheduled", "held", "not_held", "cancelled", "assigned")


def _assigned(scope: Scope, group) -> dict:
    tz = school_timezone(scope.school_id)
    start, end = day_start(scope.first, tz), day_start(scope.last + timedelta(days=1), tz)
    rows = db.session.execute(
        select(group, func.count())
        .where(
            LessonPlanItem.course_id.in_(_courses(scope)),
            LessonPlanItem.created_at >= start,
            LessonPlanItem.created_at < end,
        )
        .group_by(group)
    ).all()
    return {key: count for key, count in rows if key is not None}


def _per_teacher(scope: Scope) -> list[dict]:
    columns = q.lesson_columns()
    keys = ["key", "courses", *[c.name for c in columns]]
    found = db.session.execute(
        select(course_teacher.c.user_id, func.count(func.distinct(LessonRollup.course_id)), *columns)
        .join(course_teacher, course_teacher.c.course_id == LessonRollup.course_id)
        .where(*q.lesson_filter(scope))
        .group_by(course_teacher.c.user_id)
    ).all()
    rows = [q.with_attended(dict(zip(keys, row, strict=True))) for row in found]
    assigned = _assigned(scope, LessonPlanItem.added_by_id)
    seen = {row["key"] for row in rows}
    for teacher_id in assigned:
        if teacher_id not in seen:
            rows.append({"key": teacher_id, "courses": 0, "scheduled": 0, "held": 0, "not_held": 0, "cancelled": 0})
    for row in rows:
        row["assigned"] = assigned.get(row["key"], 0)
    return rows


def _per_course(scope: Scope) -> list[dict]:
    rows = q.lesson_counts(scope, LessonRollup.course_id)
    assigned = _assigned(scope, LessonPlanItem.course_id)
    for row in rows:
        row["courses"] = 1
        row["assigned"] = assigned.get(row["key"], 0)
    return rows


def _columns(first: Column) -> list[Column]:
    return [
        first,
        Column("courses", _("Courses"), "int"),
        Column("scheduled", _("Lessons scheduled"), "int"),
        Column("held", _("Lessons held"), "int"),
        Column("not_held", _("Lessons not held"), "int"),
        Column("cancelled", _("Lessons cancelled"), "int"),
        Column("assigned", _("Resources assigned"), "int"),
        Column("rate", _("Attendance rate"), "percent"),
    ]


def activity_table(scope: Scope) -> Table:
    if scope.kind == "teacher":
        found = _per_course(scope)
        names = names_of_courses(row["key"] for row in found)
        kind, head = "course", Column("name", _("Course"), "text")
    else:
        found = _per_teacher(scope)
        names = names_of_users(row["key"] for row in found)
        kind, head = "teacher", Column("name", _("Teacher"), "text")
    rows = []
    for row in found:
        name = names.get(row["key"], "")
        values = {key: int(row.get(key) or 0) for key in KEYS}
        rows.append(
            {
                "name": name,
                **values,
                "rate": q.attendance_rate(row),
                "_drill": scope.with_kind(kind, row["key"]),
                "_label": name,
            }
        )
    rows.sort(key=lambda r: (-r["held"], r["name"]))
    title = _("By course") if scope.kind == "teacher" else _("By teacher")
    return Table("teachers", title, _columns(head), rows, None)


def headline(scope: Scope, table: Table | None = None) -> list[Figure]:
    table = table or activity_table(scope)
    totals = q.lesson_counts(scope)
    active = sum(1 for row in table.rows if row["held"] > 0)
    assigned = sum(_assigned(scope, LessonPlanItem.course_id).values())
    label = _("Courses with lessons held") if scope.kind == "teacher" else _("Teachers who held lessons")
    return [
        Figure("active_teachers", label, active, "int", "teachers"),
        Figure("teacher_lessons_held", _("Lessons held"), int(totals["held"]), "int", "teachers"),
        Figure("resources_assigned", _("Resources assigned"), assigned, "int", "teachers"),
    ]


def build(scope: Scope) -> Report:
    table = activity_table(scope)
    top = table.rows[:30]
    chart = Chart(
        "teacher_lessons",
        _("Lessons held by teacher") if scope.kind != "teacher" else _("Lessons held by course"),
        "bar",
        [row["name"] for row in top],
        [
            Series(_("Lessons held"), [row["held"] for row in top]),
            Series(_("Resources assigned"), [row["assigned"] for row in top]),
        ],
        table.name,
    )
    return Report("teachers", _("Teacher activity"), scope, headline(scope, table), [table], [chart])
