"""Indexes the policy engine reads: lessons by class and teacher, students grouped by signature,
and local-day arithmetic that stays right across DST changes (zoneinfo)."""

from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict
from collections.abc import Hashable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from app.schedule.policy_types import Lesson, Student

DAY_MINUTES = 24 * 60


@lru_cache(maxsize=4096)
def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown time zone {name!r}") from exc


@lru_cache(maxsize=65536)
def day_start(day: date, zone_name: str) -> datetime:
    """The UTC instant the local day begins (23 or 25 hours apart on DST days)."""
    return datetime.combine(day, time(0), tzinfo=zone(zone_name)).astimezone(UTC)


@dataclass(frozen=True, slots=True)
class Portion:
    """The part of a lesson that falls on one local day, with its wall-clock minutes of day."""

    day: date
    start: datetime  # UTC
    end: datetime
    start_minute: float  # local minutes since midnight
    end_minute: float  # 1440 when the portion runs to the next local midnight

    @property
    def minutes(self) -> float:
        return (self.end - self.start).total_seconds() / 60


def number(value: float) -> int | float:
    """Minutes as shown in a violation: whole numbers stay ints."""
    return int(round(value)) if abs(value - round(value)) < 1e-6 else round(value, 1)


def clock_text(minute: float) -> str:
    minute = int(minute)
    return f"{minute // 60:02d}:{minute % 60:02d}"


def _minute_of_day(moment: datetime) -> float:
    return moment.hour * 60 + moment.minute + moment.second / 60


def split_by_local_day(start: datetime, end: datetime, zone_name: str) -> list[Portion]:
    """Cuts [start, end) at local midnights: a lesson across midnight counts on both days,
    each day with the minutes that fall on it."""
    local_start = start.astimezone(zone(zone_name))
    day = local_start.date()
    cursor, cursor_minute = start, _minute_of_day(local_start)
    portions = []
    while True:
        midnight = day_start(day + timedelta(days=1), zone_name)
        if end <= midnight:
            end_minute = _minute_of_day(end.astimezone(zone(zone_name))) if end < midnight else DAY_MINUTES
            portions.append(Portion(day, cursor, end, cursor_minute, end_minute))
            return portions
        portions.append(Portion(day, cursor, midnight, cursor_minute, DAY_MINUTES))
        day, cursor, cursor_minute = day + timedelta(days=1), midnight, 0


def local_days(start: datetime, end: datetime, zone_name: str) -> list[date]:
    """Every local date that [start, end] touches."""
    first = start.astimezone(zone(zone_name)).date()
    last = end.astimezone(zone(zone_name)).date()
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


class _Timeline:
    """Lessons of one class or teacher sorted by start, for overlap queries by bisection."""

    __slots__ = ("starts", "lessons", "longest")

    def __init__(self, lessons: list[Lesson]):
        lessons.sort(key=lambda lesson: (lesson.start, lesson.end))
        self.lessons = lessons
        self.starts = [lesson.start for lesson in lessons]
        self.longest = max((lesson.end - lesson.start for lesson in lessons), default=timedelta(0))

    def overlapping(self, start: datetime, end: datetime) -> Iterator[Lesson]:
        index = bisect_left(self.starts, start - self.longest)
        lessons = self.lessons
        while index < len(lessons) and lessons[index].start < end:
            lesson = lessons[index]
            if lesson.end > start:
                yield lesson
            index += 1


class Schedule:
    """The stored lessons, indexed once and queried many times (checks, suggestions)."""

    def __init__(self, lessons: Iterable[Lesson] = ()):
        self.by_id: dict[Hashable, Lesson] = {lesson.id: lesson for lesson in lessons}
        by_class, by_teacher = defaultdict(list), defaultdict(list)
        for lesson in self.by_id.values():
            for class_id in lesson.class_ids:
                by_class[class_id].append(lesson)
            for teacher_id in lesson.teacher_ids:
                by_teacher[teacher_id].append(lesson)
        self._classes = {key: _Timeline(value) for key, value in by_class.items()}
        self._teachers = {key: _Timeline(value) for key, value in by_teacher.items()}

    def __len__(self) -> int:
        return len(self.by_id)

    def __iter__(self) -> Iterator[Lesson]:
        return iter(self.by_id.values())

    def class_lessons(self, class_id, start: datetime, end: datetime) -> Iterator[Lesson]:
        timeline = self._classes.get(class_id)
        return timeline.overlapping(start, end) if timeline else iter(())

    def teacher_lessons(self, teacher_id, start: datetime, end: datetime) -> Iterator[Lesson]:
        timeline = self._teachers.get(teacher_id)
        return timeline.overlapping(start, end) if timeline else iter(())

    def replaced(self, proposed: Iterable[Lesson], replaces: Iterable[Hashable] = ()) -> Schedule:
        """A new schedule with `replaces` (and the proposed ids) removed and `proposed` added."""
        proposed = list(proposed)
        gone = set(replaces) | {lesson.id for lesson in proposed}
        return Schedule([lesson for lesson in self if lesson.id not in gone] + proposed)


class StudentGroup:
    """Students who share stage, time zone and classes: they see the same lessons on the same
    local days, so the lesson rules are computed once for all of them."""

    __slots__ = ("stage", "timezone", "class_ids", "members", "_resources", "_max_resource")

    def __init__(self, stage: str, timezone: str, class_ids: frozenset):
        self.stage, self.timezone, self.class_ids = stage, timezone, class_ids
        self.members: list = []
        self._resources: list[tuple[Hashable, dict]] = []  # only members with resources assigned
        self._max_resource: dict[date, float] = {}

    def add(self, student: Student) -> None:
        self.members.append(student.id)
        if student.resource_minutes:
            self._resources.append((student.id, student.resource_minutes))
            for day, minutes in student.resource_minutes.items():
                if minutes > self._max_resource.get(day, 0):
                    self._max_resource[day] = minutes

    def max_resource_minutes(self, day: date) -> float:
        return self._max_resource.get(day, 0)

    def members_over(self, day: date, lesson_minutes: float, limit: float) -> tuple[list, float]:
        """Members whose lessons plus resources that day exceed `limit`, and the worst total."""
        if lesson_minutes > limit:
            worst = lesson_minutes + self.max_resource_minutes(day)
            return self.members, worst
        over, worst = [], 0.0
        for student_id, resources in self._resources:
            total = lesson_minutes + resources.get(day, 0)
            if total > limit:
                over.append(student_id)
                worst = max(worst, total)
        return over, worst


class StudentLoad:
    """All students of a check, grouped once: 3,000 students in 12 classes become ~12 groups."""

    def __init__(self, students: Iterable[Student]):
        groups: dict[tuple, StudentGroup] = {}
        for student in students:
            zone(student.timezone)  # fail early on an unknown zone name
            key = (str(student.stage), student.timezone, frozenset(student.class_ids))
            group = groups.get(key)
            if group is None:
                group = groups[key] = StudentGroup(*key)
            group.add(student)
        self.groups = list(groups.values())
        self._by_class: dict[Hashable, list[StudentGroup]] = defaultdict(list)
        for group in self.groups:
            group.members.sort(key=sort_key)
            for class_id in group.class_ids:
                self._by_class[class_id].append(group)

    def __len__(self) -> int:
        return sum(len(group.members) for group in self.groups)

    def groups_for(self, class_ids: Iterable) -> list[StudentGroup]:
        """The groups that attend at least one of these classes, each once."""
        seen: dict[int, StudentGroup] = {}
        for class_id in class_ids:
            for group in self._by_class.get(class_id, ()):
                seen.setdefault(id(group), group)
        return list(seen.values())


def sort_key(value) -> tuple:
    # Ids are usually ints; mixed types still sort deterministically.
    return (0, value, "") if isinstance(value, int | float) else (1, 0, str(value))
