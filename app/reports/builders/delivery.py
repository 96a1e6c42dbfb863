"""Delivery: lessons scheduled, held, not held and cancelled, from the school down to the lessons
of one course (or of one student's classes)."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import pgettext
from sqlalchemy import select

from app.core.models import utcnow
from app.extensions import db
from app.reports import queries as q
from app.reports.builders.common import (
    below_title,
    by_day,
    child_groups,
    label_column,
    lesson_status_label,
    lessons_by_unit,
    names_of_courses,
    names_of_users,
)
from app.reports.models import LessonRollup, LessonStatus
from app.reports.report import Chart, Column, Figure, Report, Scope, Series, Table

LESSON_KEYS = ("scheduled", "held", "not_held", "cancelled", "upcoming")
MAX_LESSON_ROWS = 2000


def columns() -> list[Column]:
    return [
        Column("scheduled", _("Scheduled"), "int"),
        Column("held", _("Held"), "int"),
        Column("not_held", _("Not held"), "int"),
        Column("cancelled", _("Cancelled"), "int"),
        Column("upcoming", _("Upcoming"), "int"),
        Column("rate", _("Delivery rate"), "percent"),
    ]


def _numbers(row: dict) -> dict:
    values = {key: int(row.get(key) or 0) for key in LESSON_KEYS}
    values["rate"] = q.delivery_rate(row)
    return values


def headline(scope: Scope) -> list[Figure]:
    totals = q.lesson_counts(scope)
    return [
        Figure("scheduled", _("Lessons scheduled"), int(totals["scheduled"]), "int", "breakdown"),
        Figure("held", _("Lessons held"), int(totals["held"]), "int", "breakdown"),
        Figure("not_held", _("Lessons not held"), int(totals["not_held"]), "int", "breakdown"),
        Figure("cancelled", _("Lessons cancelled"), int(totals["cancelled"]), "int", "breakdown"),
        Figure("delivery_rate", _("Delivery rate"), q.delivery_rate(totals), "percent", "breakdown"),
    ]


def day_table(scope: Scope) -> Table:
    days = by_day(q.lesson_counts(scope, LessonRollup.day), scope, LESSON_KEYS)
    rows = [{"day": day, **_numbers(row)} for day, row in days.items()]
    return Table("by_day", _("By day"), [Column("day", _("Day"), "date"), *columns()], rows, None)


def trend_chart(table: Table) -> Chart:
    return Chart(
        "delivery_trend",
        _("Lessons by day"),
        "bar",
        [row["day"].isoformat() for row in table.rows],
        [
            Series(_("Held"), [row["held"] for row in table.rows]),
            Series(_("Not held"), [row["not_held"] for row in table.rows]),
            Series(_("Cancelled"), [row["cancelled"] for row in table.rows]),
        ],
        table.name,
    )


def _total(rows) -> dict:
    total = q.add_up(rows, LESSON_KEYS)
    return {**total, "rate": q.delivery_rate(total), "name": _("Total")}


def breakdown(scope: Scope) -> Table:
    title = below_title(scope)
    if scope.kind in ("course", "student"):
        return lessons_table(scope, title)
    rows = []
    total = None
    if scope.kind in ("school", "stage", "grade"):
        # A lesson for several classes of a unit counts once for it, and once in the total.
        groups = child_groups(scope)
        sessions = lessons_by_unit(scope, groups)
        status = _lesson_states(scope)
        for kind, unit_id, name, _classes in groups:
            counts = _counted(sessions.get((kind, unit_id), ()), status)
            rows.append({"name": name, **_numbers(counts), "_drill": scope.with_kind(kind, unit_id), "_label": name})
        total = _total([_counted(set().union(*sessions.values()), status)])
    else:  # class or teacher: by course
        grouped = q.lesson_counts(scope, LessonRollup.course_id)
        names = names_of_courses(row["key"] for row in grouped)
        for row in sorted(grouped, key=lambda r: names.get(r["key"], "")):
            name = names.get(row["key"], "")
            rows.append(
                {"name": name, **_numbers(row), "_drill": scope.with_kind("course", row["key"]), "_label": name}
            )
    return Table("breakdown", title, [label_column(), *columns()], rows, total or _total(rows))


def _counted(session_ids, status: dict) -> dict:
    counts = {key: 0 for key in LESSON_KEYS}
    for session_id in session_ids:
        for key in status.get(session_id, ()):
            counts[key] += 1
    return counts


def _lesson_states(scope: Scope) -> dict[int, tuple[str, ...]]:
    """session id -> the counters it adds to (scheduled plus one of held/not_held/...)."""
    now = utcnow()
    result = {}
    for session_id, status, ends_at in db.session.execute(
        select(LessonRollup.session_id, LessonRollup.status, LessonRollup.ends_at).where(
            LessonRollup.school_id == scope.school_id, LessonRollup.day >= scope.first, LessonRollup.day <= scope.last
        )
    ):
        result[session_id] = ("scheduled", _state(status, ends_at, now))
    return result


def _state(status: str, ends_at, now) -> str:
    if status == LessonStatus.SCHEDULED:
        return "not_held" if ends_at <= now else "upcoming"
    return status


def lessons_table(scope: Scope, title: str | None = None) -> Table:
    """One row per lesson (a course's or a student's classes')."""
    from app.schedule.models import LiveSession

    now = utcnow()
    L = LessonRollup
    rows_found = db.session.execute(
        select(L, LiveSession.title)
        .join(LiveSession, LiveSession.id == L.session_id)
        .where(*q.lesson_filter(scope))
        .order_by(L.starts_at)
        .limit(MAX_LESSON_ROWS)
    ).all()
    courses = names_of_courses(lesson.course_id for lesson, _t in rows_found)
    teachers = names_of_users(lesson.teacher_id for lesson, _t in rows_found if lesson.teacher_id)
    rows = []
    for lesson, lesson_title in rows_found:
        rows.append(
            {
                "day": lesson.day,
                "title": lesson_title,
                "course": courses.get(lesson.course_id, ""),
                "teacher": teachers.get(lesson.teacher_id, ""),
                "minutes": lesson.scheduled_minutes,
                "status": lesson_status_label(_state(lesson.status, lesson.ends_at, now)),
                "roster": lesson.roster,
                "attended": lesson.present + lesson.late + lesson.left_early + lesson.made_up,
                "rate": q.attendance_rate(q.with_attended({"slots": lesson.roster, **_status_counts(lesson)})),
            }
        )
    cols = [
        Column("day", _("Day"), "date"),
        Column("title", _("Lesson"), "text"),
        Column("course", _("Course"), "text"),
        Column("teacher", _("Teacher"), "text"),
        Column("minutes", _("Minutes"), "minutes"),
        Column("status", _("Status"), "text"),
        Column("roster", _("Roster"), "int"),
        Column("attended", _("Attended"), "int"),
        Column("rate", _("Attendance rate"), "percent"),
    ]
    return Table("breakdown" if title else "lessons", title or pgettext("lesson count", "Lessons"), cols, rows, None)


def _status_counts(lesson) -> dict:
    return {key: getattr(lesson, key) for key in q.STATUS_KEYS}


def build(scope: Scope) -> Report:
    days = day_table(scope)
    return Report(
        "delivery", _("Lesson delivery"), scope, headline(scope), [breakdown(scope), days], [trend_chart(days)]
    )
