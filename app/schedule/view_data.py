"""What the timetable pages compute: the viewer's zone and week, lessons grouped by local day,
and the week overview's compliance flags from the same policy check every change goes through."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from babel.dates import format_skeleton
from flask import current_app, request
from flask_babel import get_locale

from app.core.i18n import is_valid_timezone, select_timezone
from app.schedule.display import rule_value_text
from app.schedule.models import LiveSession
from app.schedule.policy import Lesson, Mode
from app.schedule.policy_types import RULE_NAMES


def viewer_zone() -> ZoneInfo:
    name = select_timezone()
    if not is_valid_timezone(name):
        name = current_app.config["KEXU_DEFAULT_TIMEZONE"]
    return ZoneInfo(name)


def local_text(moment: datetime, skeleton: str, tz: ZoneInfo | None = None) -> str:
    """A time in the viewer's zone with the locale's own pattern ("Hm" -> 09:00, "MMMEd" -> Wed, Mar 4)."""
    if moment is None:
        return ""
    if isinstance(moment, date) and not isinstance(moment, datetime):
        return format_skeleton(skeleton, datetime.combine(moment, time(12)), locale=get_locale())
    return format_skeleton(skeleton, moment, tzinfo=tz or viewer_zone(), locale=get_locale())


def local_midnight(day: date, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=tz).astimezone(UTC)


def today_in(tz: ZoneInfo) -> date:
    return datetime.now(UTC).astimezone(tz).date()


@dataclass(frozen=True)
class Week:
    monday: date
    tz: ZoneInfo

    @property
    def days(self) -> list[date]:
        return [self.monday + timedelta(days=offset) for offset in range(7)]

    @property
    def start_utc(self) -> datetime:
        return local_midnight(self.monday, self.tz)

    @property
    def end_utc(self) -> datetime:
        return local_midnight(self.monday + timedelta(days=7), self.tz)

    @property
    def previous(self) -> str:
        return (self.monday - timedelta(days=7)).isoformat()

    @property
    def next(self) -> str:
        return (self.monday + timedelta(days=7)).isoformat()


def requested_week(tz: ZoneInfo) -> Week:
    """The week (Monday first) holding ?week=YYYY-MM-DD, or this week in the viewer's zone."""
    try:
        day = date.fromisoformat(request.args.get("week", ""))
    except ValueError:
        day = today_in(tz)
    return Week(day - timedelta(days=day.weekday()), tz)


def by_local_day(sessions: list[LiveSession], tz: ZoneInfo, days: list[date]) -> dict[date, list[LiveSession]]:
    """Sessions under the local day they start on (a late lesson crossing midnight stays on its day)."""
    grouped: dict[date, list[LiveSession]] = {day: [] for day in days}
    for session in sessions:
        day = session.starts_at.astimezone(tz).date()
        if day in grouped:
            grouped[day].append(session)
    return grouped


@dataclass(frozen=True)
class Flag:
    """One rule broken (or warned about) on a class's day, in words for the page."""

    rule: str
    name: str  # English msgid, translated in the template
    severity: str  # "block" | "warn"
    limit: object
    value: object
    student_count: int
    session_ids: tuple

    @property
    def limit_text(self) -> str:
        return rule_value_text(self.rule, self.limit)

    @property
    def value_text(self) -> str:
        return rule_value_text(self.rule, self.value)


def _lesson(session: LiveSession, teachers: dict[int, frozenset]) -> Lesson:
    return Lesson(
        session.id,
        session.course_id,
        frozenset(unit.id for unit in session.classes),
        teachers.get(session.course_id, frozenset()),
        session.starts_at,
        session.ends_at,
    )


def compliance_flags(school_id: int, sessions: list[LiveSession], tz: ZoneInfo) -> dict[tuple[int, date], list[Flag]]:
    """(class id, day) -> flags, from `check_sessions` (the check every change goes through).

    Each class is checked on its own: its week's sessions are proposed again against everything
    else stored, for its own students only, so a flag names the class whose students it hurts
    (a lesson shared by two classes is not blamed on both for one class's long day). Stored
    lessons, students and the policy are loaded once for the whole school.
    """
    from app.schedule.checks import check_sessions
    from app.schedule.loading import CheckContext, load_lessons, load_students, school_policy, school_timezone
    from app.schedule.policy import Schedule, StudentLoad

    scheduled = [s for s in sessions if not s.is_cancelled]
    if not scheduled:
        return {}
    teachers = {s.course_id: frozenset(t.id for t in s.course.teachers) for s in scheduled}
    lessons = [_lesson(s, teachers) for s in scheduled]
    start, end = min(lesson.start for lesson in lessons), max(lesson.end for lesson in lessons)
    class_ids = set().union(*(lesson.class_ids for lesson in lessons))
    teacher_ids = set().union(*(lesson.teacher_ids for lesson in lessons))
    zone_name = school_timezone(school_id)
    students = load_students(class_ids, start, end, zone_name)
    every_class = class_ids.union(*(student.class_ids for student in students))
    schedule = Schedule(load_lessons(every_class, teacher_ids, start, end))
    policy = school_policy(school_id)
    flags: dict[tuple[int, date], dict[tuple, Flag]] = defaultdict(dict)
    for class_id in sorted(class_ids):
        mine = [lesson for lesson in lessons if class_id in lesson.class_ids]
        own_students = StudentLoad([student for student in students if class_id in student.class_ids])
        result = check_sessions(school_id, mine, context=CheckContext(schedule, own_students, policy, zone_name))
        for flag, day in _flags_of(result, tz):
            flags[(class_id, day)].setdefault((flag.rule, flag.severity, str(flag.limit)), flag)
    return {key: list(found.values()) for key, found in flags.items()}


def _flags_of(result, tz: ZoneInfo):
    for violation in result.violations:
        severity = "block" if violation.severity == Mode.BLOCK else "warn"
        name = RULE_NAMES.get(violation.rule, str(violation.rule))
        yield (
            Flag(
                str(violation.rule),
                name,
                severity,
                violation.limit,
                violation.value,
                violation.student_count,
                tuple(violation.lesson_ids),
            ),
            violation.day,
        )
    for conflict in result.conflicts:
        pair = (conflict.lesson_id, conflict.other_lesson_id)
        flag = Flag(str(conflict.kind), RULE_NAMES[conflict.kind], "block", "", "", 0, pair)
        yield flag, conflict.start.astimezone(tz).date()
