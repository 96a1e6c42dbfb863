"""Small builders for the policy engine tests: lessons at school-local times, students, policies."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from app.schedule.policy import Lesson, Mode, StagePolicy, Student

SHANGHAI = "Asia/Shanghai"
LONDON = "Europe/London"
NEW_YORK = "America/New_York"

# 2026-03-02 is a Monday.
MONDAY = "2026-03-02"


def at(day: str, clock: str, tz: str = SHANGHAI) -> datetime:
    return datetime.combine(date.fromisoformat(day), time.fromisoformat(clock), tzinfo=ZoneInfo(tz))


def lesson(lesson_id, day, clock, minutes, classes=(1,), teachers=None, course=1, tz=SHANGHAI) -> Lesson:
    start = at(day, clock, tz)
    teachers = teachers if teachers is not None else (f"teacher-{lesson_id}",)
    return Lesson(lesson_id, course, frozenset(classes), frozenset(teachers), start, start + timedelta(minutes=minutes))


def students(count, first_id=1, stage="junior", tz=SHANGHAI, classes=(1,), resources=None) -> list[Student]:
    return [Student(first_id + n, stage, tz, frozenset(classes), dict(resources or {})) for n in range(count)]


def junior(**limits) -> dict[str, StagePolicy]:
    """A policy for juniors with only the given limits (everything else unchecked)."""
    modes = limits.pop("modes", None)
    policy = StagePolicy(**limits) if modes is None else StagePolicy(**limits, modes=modes)
    return {"junior": policy}


def every(mode: Mode):
    from app.schedule.policy_types import CONFIGURABLE_RULES

    return {rule: mode for rule in CONFIGURABLE_RULES}


def rules(result) -> list[str]:
    return [str(v.rule) for v in result.violations]
