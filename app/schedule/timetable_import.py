"""Timetable import from CSV or XLSX: all or nothing, every problem listed by row.

Columns (header row, any order): course (code or name), date (first day, YYYY-MM-DD), start
(HH:MM on the school's clock), minutes; optional: title, join_url, classes (codes separated by
";", default every class of the course), weekdays (e.g. "1;3" with 1 = Monday, or "Mon;Wed"),
until (YYYY-MM-DD), count. A row with weekdays is a weekly series (to the term's end when it has
no until or count). Every row is expanded and checked in ONE batch through check_sessions, so
rows are checked against each other, the stored timetable and every student's policy.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date, datetime, time

import openpyxl
from flask_babel import gettext as _
from sqlalchemy import select

from app.core.audit import record
from app.extensions import db
from app.orgs.models import Course, OrgUnit, UnitKind
from app.schedule.checks import InvalidSchedule, check_sessions, clean_join_url, make_lesson
from app.schedule.loading import school_timezone
from app.schedule.models import LiveSeries, LiveSession
from app.schedule.policy_index import zone
from app.schedule.policy_types import RULE_NAMES
from app.schedule.series import expand, rrule_text

REQUIRED = ("course", "date", "start", "minutes")
DAY_NAMES = {"mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5, "sun": 6}


@dataclass
class ImportReport:
    rows: int = 0
    sessions: int = 0
    series: int = 0
    problems: list[tuple[int, str]] = field(default_factory=list)  # (row number, English message)
    warnings: list[tuple[int, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def read_rows(name: str, data: bytes) -> list[dict]:
    """Rows as dicts with lower-case keys; row numbers as a spreadsheet shows them (header = 1)."""
    if name.lower().endswith(".xlsx"):
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        values = [[cell if cell is not None else "" for cell in row] for row in book.active.iter_rows(values_only=True)]
    else:
        values = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    if not values:
        return []
    header = [str(cell).strip().lower() for cell in values[0]]
    return [dict(zip(header, row, strict=False)) for row in values[1:] if any(str(c).strip() for c in row)]


def _date(value) -> date:
    return (
        value.date()
        if isinstance(value, datetime)
        else value
        if isinstance(value, date)
        else date.fromisoformat(str(value).strip())
    )


def _time(value) -> time:
    return value if isinstance(value, time) else time.fromisoformat(str(value).strip())


def _weekdays(value) -> list[int]:
    days = []
    for part in str(value).replace(",", ";").split(";"):
        part = part.strip().lower()[:3]
        if part:
            days.append(DAY_NAMES[part] if part in DAY_NAMES else int(part) - 1)
    if not days or any(not 0 <= day <= 6 for day in days):
        raise ValueError(part)
    return days


class _Batch:
    """Parses rows into planned sessions with lesson ids "r<row>-<n>" that name their row."""

    def __init__(self, school: OrgUnit):
        self.school, self.tz = school, school_timezone(school.id)
        courses = db.session.scalars(select(Course).where(Course.school_id == school.id)).all()
        self.courses = {key: c for c in courses for key in (c.code, c.name) if key}
        units = db.session.scalars(
            select(OrgUnit).where(OrgUnit.school_id == school.id, OrgUnit.kind == UnitKind.CLASS)
        )
        self.classes = {unit.code: unit for unit in units if unit.code}
        self.plans: list[dict] = []
        self.lessons = []
        self._teachers: dict[int, set[int]] = {}

    def teachers(self, course: Course) -> set[int]:
        if course.id not in self._teachers:
            self._teachers[course.id] = {teacher.id for teacher in course.teachers}
        return self._teachers[course.id]

    def add(self, number: int, row: dict) -> None:
        missing = [name for name in REQUIRED if not str(row.get(name, "")).strip()]
        if missing:
            raise InvalidSchedule({name: "This column is required." for name in missing})
        course = self.courses.get(str(row["course"]).strip())
        if course is None:
            raise InvalidSchedule({"course": "No course of this school has this code or name."})
        try:
            first, start, minutes = _date(row["date"]), _time(row["start"]), int(str(row["minutes"]).strip())
            weekdays = _weekdays(row["weekdays"]) if str(row.get("weekdays") or "").strip() else None
            until = _date(row["until"]) if str(row.get("until") or "").strip() else None
            count = int(str(row["count"]).strip()) if str(row.get("count") or "").strip() else None
        except (ValueError, TypeError):
            raise InvalidSchedule(
                {"date": "Dates are YYYY-MM-DD, times HH:MM, minutes and count whole numbers."}
            ) from None
        codes = [code.strip() for code in str(row.get("classes") or "").split(";") if code.strip()]
        units = [self.classes.get(code) for code in codes] or list(course.classes)
        if None in units or not {u.id for u in units} <= {u.id for u in course.classes} or not units:
            raise InvalidSchedule({"classes": "Use codes of classes this course is taught to."})
        if weekdays:
            if until is None and count is None:
                until = course.term.ends_on if course.term else None
            starts = expand(weekdays, start, self.tz, first, until, count)
        else:
            starts = [datetime.combine(first, start, tzinfo=zone(self.tz))]
        class_ids = frozenset(u.id for u in units)
        lessons = [
            make_lesson(f"r{number}-{n}", course, class_ids, s, minutes, self.teachers(course))
            for n, s in enumerate(starts)
        ]
        title = str(row.get("title") or "").strip() or course.name
        plan = {"row": number, "course": course, "units": units, "lessons": lessons, "title": title[:200]}
        plan.update(join_url=clean_join_url(str(row.get("join_url") or "")), weekdays=weekdays, start=start)
        plan.update(first=first, until=until, count=count, minutes=minutes)
        self.plans.append(plan)
        self.lessons.extend(lessons)


def _row_of(lesson_id) -> int:
    return int(str(lesson_id)[1:].split("-")[0])


def import_timetable(actor, school: OrgUnit, rows: list[dict], dry_run: bool = False) -> ImportReport:
    """Check every row; store all of them only when no row has a problem (flush, never commit)."""
    report, batch = ImportReport(rows=len(rows)), _Batch(school)
    for number, row in enumerate(rows, start=2):
        try:
            batch.add(number, row)
        except InvalidSchedule as error:
            report.problems.extend((number, f"{name}: {_(message)}") for name, message in error.errors.items())
    result = check_sessions(school.id, batch.lessons)
    for conflict in result.conflicts:
        other = conflict.other_lesson_id
        where = _("row %(row)d", row=_row_of(other)) if isinstance(other, str) else _("stored lesson %(id)s", id=other)
        message = f"{_(RULE_NAMES[conflict.kind])} ({where}, {conflict.start.isoformat()})"
        report.problems.append((_row_of(conflict.lesson_id), message))
    for violation in result.violations:
        text = _(
            "%(rule)s: limit %(limit)s, reached %(value)s on %(day)s for %(count)d students",
            rule=_(RULE_NAMES[violation.rule]),
            limit=violation.limit,
            value=violation.value,
            day=violation.day.isoformat(),
            count=violation.student_count,
        )
        target = report.problems if violation.severity == "block" else report.warnings
        for number in sorted({_row_of(lesson_id) for lesson_id in violation.lesson_ids}):
            target.append((number, text))
    report.problems.sort()
    if report.problems or dry_run:
        return report
    for plan in batch.plans:
        _store(actor, school, plan, report)
    db.session.flush()
    record(actor, "timetable.import", school, rows=report.rows, sessions=report.sessions, series=report.series)
    return report


def _store(actor, school, plan: dict, report: ImportReport) -> None:
    series = None
    if plan["weekdays"]:
        series = LiveSeries(
            school_id=school.id,
            course_id=plan["course"].id,
            title=plan["title"],
            weekdays=sorted(set(plan["weekdays"])),
            start_time=plan["start"],
            duration_minutes=plan["minutes"],
            timezone=school_timezone(school.id),
            starts_on=plan["first"],
            until=plan["until"] if plan["count"] is None else None,
            count=plan["count"],
            rrule=rrule_text(plan["weekdays"], school_timezone(school.id), plan["until"], plan["count"]),
            join_url=plan["join_url"],
            created_by_id=actor.id if actor else None,
            classes=list(plan["units"]),
        )
        db.session.add(series)
        report.series += 1
    for lesson in plan["lessons"]:
        db.session.add(
            LiveSession(
                school_id=school.id,
                course_id=plan["course"].id,
                series=series,
                title=plan["title"],
                starts_at=lesson.start,
                ends_at=lesson.end,
                original_starts_at=lesson.start,
                join_url=plan["join_url"],
                created_by_id=actor.id if actor else None,
                classes=list(plan["units"]),
            )
        )
        report.sessions += 1
