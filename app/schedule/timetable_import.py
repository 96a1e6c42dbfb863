"""Timetable import from CSV or XLSX: all or nothing, every problem listed by row.

Columns (header row, any order; English keys or the Chinese template headers, see
app.schedule.timetable_file): course (code or name), date (first day, YYYY-MM-DD), start (HH:MM
on the school's clock), minutes; optional: title, join_url, classes (codes separated by ";",
default every class of the course), weekdays (e.g. "1;3" with 1 = Monday, "Mon;Wed" or
"周一;周三"), until (YYYY-MM-DD), count. A row with weekdays is a weekly series (to the term's end
when it has no until or count). Every row is expanded and checked in ONE batch through
check_sessions, so rows are checked against each other, the stored timetable and every
student's policy. The import page and `flask schedule import` both call import_timetable.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime, time

from flask_babel import gettext as _
from sqlalchemy import select

from app.core.audit import record
from app.extensions import db
from app.orgs.models import Course, OrgUnit, UnitKind
from app.schedule.checks import InvalidSchedule, check_sessions, clean_join_url, make_lesson
from app.schedule.display import rule_value_text
from app.schedule.loading import school_timezone
from app.schedule.models import LiveSeries, LiveSession
from app.schedule.policy_index import zone
from app.schedule.policy_types import RULE_NAMES
from app.schedule.series import expand, rrule_text
from app.schedule.timetable_file import REQUIRED, ROW_KEY, TimetableFileError, read_rows

__all__ = ["ImportReport", "RowProblem", "TimetableFileError", "import_timetable", "read_rows"]

DAY_NAMES = {"mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5, "sun": 6}
CHINESE_DAYS = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6, "七": 6}
# Column -> what a bad value gets told (English msgids, translated when reported).
FORMAT_HELP = {
    "date": "Enter the date as YYYY-MM-DD.",
    "until": "Enter the date as YYYY-MM-DD.",
    "start": "Enter the time as HH:MM (24-hour clock).",
    "minutes": "Enter a whole number of minutes.",
    "count": "Enter a whole number of lessons.",
    "weekdays": "Days are 1 to 7 (1 = Monday) or names such as Mon or 周一, separated by ;.",
}
FIELD_OF = {"starts_at": "start", "start_time": "start", "starts_on": "date", "class_ids": "classes"}


@dataclass(frozen=True)
class RowProblem:
    row: int  # as a spreadsheet shows it: the header is row 1
    column: str | None  # a column key (app.schedule.timetable_file.COLUMNS), None for the row as a whole
    message: str  # translated


@dataclass
class ImportReport:
    rows: int = 0
    sessions: int = 0  # lessons stored, or on a dry run that would be stored
    series: int = 0
    problems: list[RowProblem] = field(default_factory=list)  # nothing is stored when there is one
    warnings: list[RowProblem] = field(default_factory=list)
    planned: list[dict] = field(default_factory=list)  # one summary per row, for the preview

    @property
    def ok(self) -> bool:
        return not self.problems


def _text(value) -> str:
    return unicodedata.normalize("NFKC", str(value if value is not None else "")).strip()


def _date(value) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    match = re.fullmatch(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})", _text(value))
    if not match:
        raise ValueError(value)
    return date(*(int(part) for part in match.groups()))


def _time(value) -> time:
    if isinstance(value, datetime):  # a time typed into a date-formatted Excel cell
        return value.time()
    if isinstance(value, time):
        return value
    match = re.fullmatch(r"(\d{1,2})[:：](\d{2})(?::(\d{2}))?", _text(value))
    if not match:
        raise ValueError(value)
    return time(int(match[1]), int(match[2]), int(match[3] or 0))


def _whole(value) -> int:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    text = _text(value)
    if not text.isdigit():
        raise ValueError(value)
    return int(text)


def _weekdays(value) -> list[int]:
    days = []
    for part in re.split(r"[;,、\s]+", _text(value)):
        part = part.lower()
        if not part:
            continue
        chinese = re.fullmatch(r"(?:周|星期|礼拜)?([一二三四五六日天七])", part)
        if chinese:
            days.append(CHINESE_DAYS[chinese[1]])
        elif part[:3] in DAY_NAMES:
            days.append(DAY_NAMES[part[:3]])
        elif part.isdigit() and 1 <= int(part) <= 7:
            days.append(int(part) - 1)
        else:
            raise ValueError(part)
    if not days:
        raise ValueError(value)
    return sorted(set(days))


def _parse(row: dict, errors: dict) -> dict:
    """The typed values of a row; a bad one is noted under its column and left None."""
    parsers = {"date": _date, "start": _time, "minutes": _whole, "weekdays": _weekdays, "until": _date, "count": _whole}
    values = {}
    for name, parse in parsers.items():
        values[name] = None
        if _text(row.get(name)):
            try:
                values[name] = parse(row[name])
            except (ValueError, TypeError):
                errors[name] = FORMAT_HELP[name]
    return values


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

    def _units(self, row: dict, course: Course, errors: dict) -> list:
        codes = [code.strip() for code in re.split(r"[;,、]", _text(row.get("classes"))) if code.strip()]
        units = [self.classes.get(code) for code in codes] or list(course.classes)
        if None in units or not {u.id for u in units} <= {u.id for u in course.classes} or not units:
            errors["classes"] = "Use codes of classes this course is taught to."
        return units

    def add(self, number: int, row: dict) -> None:
        errors = {name: "This column is required." for name in REQUIRED if not _text(row.get(name))}
        course = self.courses.get(_text(row.get("course")))
        if course is None and "course" not in errors:
            errors["course"] = "No course of this school has this code or name."
        values = _parse(row, errors)
        units = self._units(row, course, errors) if course is not None else []
        try:
            join_url = clean_join_url(_text(row.get("join_url")))
        except InvalidSchedule as error:
            errors.update(error.errors)
        if errors:
            raise InvalidSchedule(errors)
        first, start, minutes, weekdays = values["date"], values["start"], values["minutes"], values["weekdays"]
        until, count = values["until"], values["count"]
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
        title = _text(row.get("title")) or course.name
        plan = {"row": number, "course": course, "units": units, "lessons": lessons, "title": title[:200]}
        plan.update(join_url=join_url, weekdays=weekdays, start=start)
        plan.update(first=first, until=until, count=count, minutes=minutes)
        self.plans.append(plan)
        self.lessons.extend(lessons)


def _row_of(lesson_id) -> int:
    return int(str(lesson_id)[1:].split("-")[0])


def _duplicate_key(row: dict) -> tuple:
    return tuple(sorted((key, _text(value)) for key, value in row.items() if key != ROW_KEY and _text(value)))


def _parse_rows(batch: _Batch, rows: list[dict], report: ImportReport) -> None:
    seen: dict[tuple, int] = {}
    for index, row in enumerate(rows):
        number = row.get(ROW_KEY, index + 2)
        key = _duplicate_key(row)
        if key in seen:  # told apart from a clash: the same lesson twice is a copy-paste slip
            report.problems.append(RowProblem(number, None, _("This row repeats row %(row)d.", row=seen[key])))
            continue
        seen[key] = number
        try:
            batch.add(number, row)
        except InvalidSchedule as error:
            report.problems.extend(
                RowProblem(number, FIELD_OF.get(name, name), _(message)) for name, message in error.errors.items()
            )


def _check_rows(batch: _Batch, school: OrgUnit, report: ImportReport) -> None:
    result = check_sessions(school.id, batch.lessons)
    school_zone = zone(batch.tz)
    for conflict in result.conflicts:
        other = conflict.other_lesson_id
        if isinstance(other, str):
            where = _("row %(row)d", row=_row_of(other))
        else:
            stored = db.session.get(LiveSession, other)
            where = _("stored lesson of %(course)s", course=stored.course.name) if stored else str(other)
        when = conflict.start.astimezone(school_zone).strftime("%Y-%m-%d %H:%M")
        message = f"{_(RULE_NAMES[conflict.kind])} ({where}, {when})"
        report.problems.append(RowProblem(_row_of(conflict.lesson_id), None, message))
    for violation in result.violations:
        text = _(
            "%(rule)s: limit %(limit)s, reached %(value)s on %(day)s for %(count)d students",
            rule=_(RULE_NAMES[violation.rule]),
            limit=rule_value_text(violation.rule, violation.limit),
            value=rule_value_text(violation.rule, violation.value),
            day=violation.day.isoformat(),
            count=violation.student_count,
        )
        target = report.problems if violation.severity == "block" else report.warnings
        for number in sorted({_row_of(lesson_id) for lesson_id in violation.lesson_ids}):
            target.append(RowProblem(number, None, text))


def _order(problem: RowProblem) -> tuple:
    return (problem.row, problem.column or "", problem.message)


def _summary(plan: dict) -> dict:
    return {
        "row": plan["row"],
        "course": plan["course"].name,
        "title": plan["title"],
        "classes": [unit.name for unit in plan["units"]],
        "first": plan["first"],
        "start": plan["start"],
        "minutes": plan["minutes"],
        "weekdays": plan["weekdays"],
        "lessons": len(plan["lessons"]),
    }


def import_timetable(actor, school: OrgUnit, rows: list[dict], dry_run: bool = False) -> ImportReport:
    """Check every row; store all of them only when no row has a problem (flush, never commit).
    A dry run reports what would be stored (counts and one summary per row) and stores nothing."""
    report, batch = ImportReport(rows=len(rows)), _Batch(school)
    if not rows:
        report.problems.append(RowProblem(1, None, _("The file has a header row but no lessons below it.")))
        return report
    _parse_rows(batch, rows, report)
    _check_rows(batch, school, report)
    report.problems.sort(key=_order)
    report.warnings.sort(key=_order)
    report.planned = [_summary(plan) for plan in batch.plans]
    report.sessions = len(batch.lessons)
    report.series = sum(1 for plan in batch.plans if plan["weekdays"])
    if report.problems or dry_run:
        return report
    for plan in batch.plans:
        _store(actor, school, plan)
    db.session.flush()
    record(actor, "timetable.import", school, rows=report.rows, sessions=report.sessions, series=report.series)
    return report


def _store(actor, school, plan: dict) -> None:
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
