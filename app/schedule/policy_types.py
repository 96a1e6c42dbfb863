"""Plain data of the study-time policy engine: rules, stage policies, lessons, students, results.

No web or database imports here: the engine runs the same from a form, the API, a CSV import,
a recurrence expansion or a benchmark script.
"""

from __future__ import annotations

import enum
from collections.abc import Hashable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time


def N_(message: str) -> str:
    """Marks an English msgid for extraction (Babel's default keywords include N_) without
    importing Flask-Babel; the UI translates it with gettext at render time."""
    return message


class Stage(enum.StrEnum):
    """Same values as app.orgs.models.Stage, repeated so the engine needs no model import."""

    PRIMARY_1_2 = "primary_1_2"
    PRIMARY_3_6 = "primary_3_6"
    JUNIOR = "junior"
    SENIOR = "senior"
    UNIVERSITY = "university"


class Mode(enum.StrEnum):
    BLOCK = "block"
    WARN = "warn"
    OFF = "off"


class Rule(enum.StrEnum):
    """Rule names as they appear in violations (and in the API's 422 answer)."""

    LESSON_LENGTH = "max_lesson_minutes"
    DAILY_TOTAL = "max_daily_minutes"
    BREAK = "min_break_minutes"
    LESSONS_PER_DAY = "max_lessons_per_day"
    ALLOWED_HOURS = "allowed_hours"
    ALLOWED_DAYS = "allowed_weekdays"
    # Students whose own zone differs from the school's: always a warning, never a block.
    ALLOWED_HOURS_ABROAD = "allowed_hours_abroad"
    ALLOWED_DAYS_ABROAD = "allowed_weekdays_abroad"


class ConflictKind(enum.StrEnum):
    CLASS = "class_double_booked"
    TEACHER = "teacher_double_booked"


# The rules a school can switch between block / warn / off (the abroad rules follow their parent).
CONFIGURABLE_RULES = (
    Rule.LESSON_LENGTH,
    Rule.DAILY_TOTAL,
    Rule.BREAK,
    Rule.LESSONS_PER_DAY,
    Rule.ALLOWED_HOURS,
    Rule.ALLOWED_DAYS,
)

RULE_NAMES = {
    Rule.LESSON_LENGTH: N_("Longest lesson"),
    Rule.DAILY_TOTAL: N_("Daily online total"),
    Rule.BREAK: N_("Shortest break between lessons"),
    Rule.LESSONS_PER_DAY: N_("Most lessons per day"),
    Rule.ALLOWED_HOURS: N_("Allowed hours"),
    Rule.ALLOWED_DAYS: N_("Allowed days"),
    Rule.ALLOWED_HOURS_ABROAD: N_("Outside allowed hours in the student's own time zone"),
    Rule.ALLOWED_DAYS_ABROAD: N_("Outside allowed days in the student's own time zone"),
    ConflictKind.CLASS: N_("Class already has a lesson at this time"),
    ConflictKind.TEACHER: N_("Teacher already has a lesson at this time"),
}


def _all_block() -> dict[Rule, Mode]:
    return {rule: Mode.BLOCK for rule in CONFIGURABLE_RULES}


@dataclass(frozen=True)
class StagePolicy:
    """The limits for one stage. A limit of None means the rule is not checked."""

    max_lesson_minutes: int | None = None
    max_daily_minutes: int | None = None
    min_break_minutes: int | None = None
    max_lessons_per_day: int | None = None
    allowed_start: time | None = None
    allowed_end: time | None = None  # exclusive; None (or 00:00) means until midnight
    allowed_weekdays: frozenset[int] = frozenset(range(7))  # 0 = Monday
    # Grades 1-2: families choose whether a child joins live lessons (national notices, 2020).
    # The rules still protect a child who does join; participation reads this flag.
    live_optional: bool = False
    modes: Mapping[Rule, Mode] = field(default_factory=_all_block)

    def mode(self, rule: Rule) -> Mode:
        return Mode(self.modes.get(rule, Mode.BLOCK))

    @property
    def daily_limit_minutes(self) -> int | None:
        """The daily online total students are held to: none when unset or the rule is off."""
        return None if self.mode(Rule.DAILY_TOTAL) == Mode.OFF else self.max_daily_minutes

    @property
    def allowed_window(self) -> tuple[int, int]:
        """Allowed hours as minutes of the local day, [start, end)."""
        start = self.allowed_start.hour * 60 + self.allowed_start.minute if self.allowed_start else 0
        end = self.allowed_end.hour * 60 + self.allowed_end.minute if self.allowed_end else 0
        return start, end or 24 * 60

    def as_dict(self) -> dict:
        """JSON-ready form, for storing a school's own policy."""
        return {
            "max_lesson_minutes": self.max_lesson_minutes,
            "max_daily_minutes": self.max_daily_minutes,
            "min_break_minutes": self.min_break_minutes,
            "max_lessons_per_day": self.max_lessons_per_day,
            "allowed_start": self.allowed_start.strftime("%H:%M") if self.allowed_start else None,
            "allowed_end": self.allowed_end.strftime("%H:%M") if self.allowed_end else None,
            "allowed_weekdays": sorted(self.allowed_weekdays),
            "live_optional": self.live_optional,
            "modes": {str(rule): str(self.mode(rule)) for rule in CONFIGURABLE_RULES},
        }

    @classmethod
    def from_dict(cls, data: Mapping) -> StagePolicy:
        def clock(value):
            return time.fromisoformat(value) if value else None

        return cls(
            max_lesson_minutes=data.get("max_lesson_minutes"),
            max_daily_minutes=data.get("max_daily_minutes"),
            min_break_minutes=data.get("min_break_minutes"),
            max_lessons_per_day=data.get("max_lessons_per_day"),
            allowed_start=clock(data.get("allowed_start")),
            allowed_end=clock(data.get("allowed_end")),
            allowed_weekdays=frozenset(data.get("allowed_weekdays", range(7))),
            live_optional=bool(data.get("live_optional", False)),
            modes={Rule(rule): Mode(mode) for rule, mode in (data.get("modes") or {}).items()} or _all_block(),
        )


Policy = Mapping[str, StagePolicy]


@dataclass(frozen=True)
class Lesson:
    """One live lesson. `id` is any hashable; new lessons use placeholders such as ("new", 0).

    A proposed lesson whose id equals an existing lesson's id replaces it (an edit or a move).
    """

    id: Hashable
    course_id: Hashable
    class_ids: frozenset
    teacher_ids: frozenset
    start: datetime
    end: datetime

    def __post_init__(self):
        if self.start.tzinfo is None or self.end.tzinfo is None:
            raise ValueError("lesson times must be aware datetimes")
        if self.end <= self.start:
            raise ValueError("a lesson must end after it starts")
        object.__setattr__(self, "start", self.start.astimezone(UTC))
        object.__setattr__(self, "end", self.end.astimezone(UTC))
        object.__setattr__(self, "class_ids", frozenset(self.class_ids))
        object.__setattr__(self, "teacher_ids", frozenset(self.teacher_ids))

    @property
    def minutes(self) -> float:
        return (self.end - self.start).total_seconds() / 60


@dataclass(frozen=True)
class Student:
    """What the engine needs to know of one student; lessons reach them through their classes."""

    id: Hashable
    stage: str
    timezone: str
    class_ids: frozenset
    # Assigned resources dated on the student's local day, with their estimated minutes.
    resource_minutes: Mapping[date, float] = field(default_factory=dict)


@dataclass(frozen=True)
class Violation:
    rule: Rule
    severity: Mode  # BLOCK or WARN
    limit: object
    value: object  # the worst value any of the students reached that day
    day: date  # the students' own local date
    student_count: int
    student_sample: tuple  # at most five ids, smallest first
    lesson_ids: tuple  # the proposed lessons involved
    student_ids: tuple = ()  # every student concerned, smallest first (names on demand)

    def as_dict(self) -> dict:
        return {
            "rule": str(self.rule),
            "severity": str(self.severity),
            "limit": self.limit,
            "value": self.value,
            "day": self.day.isoformat(),
            "students": {"count": self.student_count, "sample": list(self.student_sample)},
            "lessons": list(self.lesson_ids),
        }


@dataclass(frozen=True)
class Conflict:
    """A class or a teacher booked twice at once: always refused."""

    kind: ConflictKind
    resource_id: Hashable  # the class id or the teacher id
    lesson_id: Hashable  # the proposed lesson
    other_lesson_id: Hashable  # the lesson it collides with (stored or proposed)
    start: datetime  # the overlap, UTC
    end: datetime

    def as_dict(self) -> dict:
        return {
            "rule": str(self.kind),
            "resource": self.resource_id,
            "lesson": self.lesson_id,
            "other_lesson": self.other_lesson_id,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
        }


@dataclass(frozen=True)
class CheckResult:
    violations: tuple[Violation, ...] = ()
    conflicts: tuple[Conflict, ...] = ()

    @property
    def blocking(self) -> tuple[Violation, ...]:
        return tuple(v for v in self.violations if v.severity == Mode.BLOCK)

    @property
    def warnings(self) -> tuple[Violation, ...]:
        return tuple(v for v in self.violations if v.severity == Mode.WARN)

    @property
    def blocked(self) -> bool:
        """True when the change must be refused (the API answers 422)."""
        return bool(self.conflicts) or bool(self.blocking)

    def as_dict(self) -> dict:
        return {
            "violations": [v.as_dict() for v in self.violations],
            "conflicts": [c.as_dict() for c in self.conflicts],
        }


@dataclass(frozen=True)
class Slot:
    start: datetime
    end: datetime
    warnings: tuple[Violation, ...] = ()


def to_utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError("aware datetime expected")
    return moment.astimezone(UTC)
