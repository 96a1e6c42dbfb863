"""The one check every create and change goes through (form, API, import, series, edits,
moves), plus the errors operations raise and the lesson builders they share."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from sqlalchemy import select

from app.extensions import db
from app.orgs.models import Course
from app.schedule.loading import CheckContext, course_teacher_ids, load_context
from app.schedule.models import PolicyException
from app.schedule.policy import CheckResult, Lesson, Mode, check

MAX_MINUTES = 12 * 60


class InvalidSchedule(ValueError):
    """Input a check cannot even start on: field name -> message (English msgid, translated by
    the handler)."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(f"{key}: {value}" for key, value in errors.items()))
        self.errors = errors


class ScheduleRefused(Exception):
    """A blocking rule or a double booking: nothing was stored. `result` says why."""

    def __init__(self, result: CheckResult, lessons: list[Lesson]):
        super().__init__("schedule refused")
        self.result = result
        self.lessons = {lesson.id: lesson for lesson in lessons}


def new_id(index: int = 0) -> str:
    """Placeholder id of a lesson not stored yet (it shows in the API's 422 "lessons")."""
    return f"new-{index}"


def clean_join_url(value: str | None) -> str | None:
    """External video links (Tencent Meeting, Zoom, BigBlueButton, Jitsi...): http(s) only, so
    a stored link can never be javascript: or a local file."""
    value = (value or "").strip()
    if not value:
        return None
    parts = urlsplit(value)
    if (
        parts.scheme.lower() not in ("http", "https")
        or not parts.netloc
        or len(value) > 2000
        or any(c.isspace() for c in value)
    ):
        raise InvalidSchedule({"join_url": "Enter a link starting with http:// or https://."})
    return value


def check_times(starts_at: datetime, minutes: int) -> datetime:
    if starts_at is None or starts_at.tzinfo is None:
        raise InvalidSchedule({"starts_at": "Enter a start date and time."})
    if not isinstance(minutes, int) or minutes < 1 or minutes > MAX_MINUTES:
        raise InvalidSchedule({"minutes": "A lesson lasts between 1 and 720 minutes."})
    return starts_at + timedelta(minutes=minutes)


def course_class_ids(course: Course, class_ids: Iterable[int] | None) -> frozenset[int]:
    """The classes a session is for: the chosen ones, which must be the course's, or all of them."""
    own = {unit.id for unit in course.classes}
    if class_ids is None or not list(class_ids):
        chosen = own
    else:
        chosen = {int(class_id) for class_id in class_ids}
        if not chosen <= own:
            raise InvalidSchedule({"class_ids": "Choose classes of this course."})
    if not chosen:
        raise InvalidSchedule({"class_ids": "This course has no classes yet."})
    return frozenset(chosen)


def make_lesson(
    lesson_id, course: Course, class_ids: frozenset, starts_at: datetime, minutes: int, teachers=None
) -> Lesson:
    ends_at = check_times(starts_at, minutes)
    teachers = course_teacher_ids(course.id) if teachers is None else teachers
    return Lesson(lesson_id, course.id, class_ids, teachers, starts_at, ends_at)


def check_sessions(
    school_id: int, lessons: list[Lesson], replaces: Iterable = (), context: CheckContext | None = None
) -> CheckResult:
    """THE check: loads the stored sessions of every affected class, teacher and student, the
    students' stages, zones and plan-item minutes and the school's policy, runs the engine,
    and drops blocking violations academic affairs approved as exceptions."""
    if not lessons:
        return CheckResult()
    context = context or load_context(school_id, lessons)
    result = check(
        lessons,
        context.schedule,
        context.students,
        context.policy,
        replaces=replaces,
        school_timezone=context.school_timezone,
    )
    return _honour_exceptions(result)


def _honour_exceptions(result: CheckResult) -> CheckResult:
    stored_ids = {lesson_id for v in result.blocking for lesson_id in v.lesson_ids if isinstance(lesson_id, int)}
    if not stored_ids:
        return result
    approved = set(
        db.session.execute(
            select(PolicyException.session_id, PolicyException.rule).where(PolicyException.session_id.in_(stored_ids))
        )
    )
    kept = tuple(
        v
        for v in result.violations
        if v.severity != Mode.BLOCK or not all((lesson_id, str(v.rule)) in approved for lesson_id in v.lesson_ids)
    )
    return CheckResult(kept, result.conflicts)


def accept(result: CheckResult, lessons: list[Lesson], exception_reason: str | None) -> list[tuple]:
    """Raise ScheduleRefused unless the result may be stored. Double bookings are always refused;
    blocking rules only pass with an exception reason (the handler checked "exception.approve").
    Returns the (lesson id, rule) pairs the exception covers."""
    if result.conflicts or (result.blocking and not (exception_reason or "").strip()):
        raise ScheduleRefused(result, lessons)
    return sorted({(lesson_id, str(v.rule)) for v in result.blocking for lesson_id in v.lesson_ids}, key=str)
