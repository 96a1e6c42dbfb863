"""The study-time policy engine: one function checks creates, moves, edits, whole series and
import batches against every affected student's own local days; another suggests free slots.

Pure logic on plain data (see policy_types): no Flask, no database. Days and hours are each
student's own local ones; students are checked in groups of identical (stage, zone, classes), and
only the local days the proposed lessons touch (plus neighbours for breaks) are looked at.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from datetime import UTC, date, datetime, time, timedelta

from app.schedule.policy_index import (
    DAY_MINUTES,
    Portion,
    Schedule,
    StudentGroup,
    StudentLoad,
    clock_text,
    day_start,
    local_days,
    number,
    sort_key,
    split_by_local_day,
    zone,
)
from app.schedule.policy_types import (
    CheckResult,
    Conflict,
    ConflictKind,
    Lesson,
    Mode,
    Policy,
    Rule,
    Slot,
    StagePolicy,
    Student,
    Violation,
    to_utc,
)

__all__ = [
    "CheckResult",
    "Conflict",
    "Lesson",
    "Mode",
    "Rule",
    "Schedule",
    "Slot",
    "StagePolicy",
    "Student",
    "StudentLoad",
    "Violation",
    "check",
    "suggest_slots",
]

DEFAULT_SCHOOL_TIMEZONE = "Asia/Shanghai"
SAMPLE_SIZE = 5
RULE_ORDER = {rule: index for index, rule in enumerate(Rule)}


class _Blocked(Exception):
    """Raised to stop early when only a yes/no answer is wanted (slot suggestions)."""


class _Collector:
    """Gathers violations into one entry per (rule, local day, severity, limit)."""

    def __init__(self, stop_at_block: bool):
        self.stop_at_block = stop_at_block
        self.entries: dict[tuple, dict] = {}

    def add(self, rule, severity, limit, day, score, value, group, lesson_id, members=None) -> None:
        if self.stop_at_block and severity == Mode.BLOCK:
            raise _Blocked
        key = (rule, day, severity, str(limit))
        entry = self.entries.get(key)
        if entry is None:
            entry = self.entries[key] = {"limit": limit, "score": score, "value": value, "groups": {}, "lessons": {}}
        elif score > entry["score"]:
            entry["score"], entry["value"] = score, value
        # None stands for every member of the group; a list holds only the members over the limit.
        known = entry["groups"].get(id(group))
        if known is not None and known[1] is not None and members is not None:
            members = sorted(set(known[1]) | set(members), key=sort_key)
        elif known is not None:
            members = None
        entry["groups"][id(group)] = (group, members)
        entry["lessons"][lesson_id] = None

    def violations(self) -> tuple[Violation, ...]:
        result = []
        for (rule, day, severity, _limit), entry in self.entries.items():
            everyone = []
            for group, members in entry["groups"].values():
                everyone.extend(group.members if members is None else members)
            everyone.sort(key=sort_key)
            result.append(
                Violation(
                    rule,
                    severity,
                    entry["limit"],
                    entry["value"],
                    day,
                    len(everyone),
                    tuple(everyone[:SAMPLE_SIZE]),
                    tuple(entry["lessons"]),
                    tuple(everyone),
                )
            )
        result.sort(key=lambda v: (v.severity != Mode.BLOCK, v.day, RULE_ORDER[v.rule]))
        return tuple(result)


class _Evaluator:
    """Holds the stored schedule, the students and the policy for one or many evaluations;
    caches each group's stored lessons per local day so suggestions stay cheap."""

    def __init__(self, schedule: Schedule, removed: set, students: StudentLoad, policy: Policy, school_tz: str):
        zone(school_tz)
        self.schedule, self.removed, self.students = schedule, removed, students
        self.policy, self.school_tz = policy, school_tz
        self._day_cache: dict[tuple, tuple[Lesson, ...]] = {}

    def evaluate(self, proposed: list[Lesson], stop_at_block: bool = False) -> CheckResult:
        collector = _Collector(stop_at_block)
        conflicts = self._conflicts(proposed, stop_at_block)
        class_ids = set().union(*(lesson.class_ids for lesson in proposed)) if proposed else set()
        for group in self.students.groups_for(class_ids):
            stage_policy = self.policy.get(group.stage)
            if stage_policy is None:
                continue
            mine = [lesson for lesson in proposed if lesson.class_ids & group.class_ids]
            self._check_group(group, stage_policy, mine, collector)
        return CheckResult(collector.violations(), tuple(conflicts))

    # -- conflicts -----------------------------------------------------------------------------

    def _conflicts(self, proposed: list[Lesson], stop_at_block: bool) -> list[Conflict]:
        batch = Schedule(proposed)
        order = {lesson.id: index for index, lesson in enumerate(proposed)}
        found = []
        for index, lesson in enumerate(proposed):
            for kind, resources, stored, own in (
                (ConflictKind.CLASS, lesson.class_ids, self.schedule.class_lessons, batch.class_lessons),
                (ConflictKind.TEACHER, lesson.teacher_ids, self.schedule.teacher_lessons, batch.teacher_lessons),
            ):
                for resource in resources:
                    others = [o for o in stored(resource, lesson.start, lesson.end) if o.id not in self.removed]
                    # Within the batch each pair is reported once, on the later lesson.
                    others += [o for o in own(resource, lesson.start, lesson.end) if order[o.id] < index]
                    for other in others:
                        if stop_at_block:
                            raise _Blocked
                        overlap = (max(lesson.start, other.start), min(lesson.end, other.end))
                        found.append(Conflict(kind, resource, lesson.id, other.id, *overlap))
        return found

    # -- per student group ---------------------------------------------------------------------

    def _stored_on(self, group: StudentGroup, day: date) -> tuple[Lesson, ...]:
        key = (group.class_ids, group.timezone, day)
        lessons = self._day_cache.get(key)
        if lessons is None:
            start, end = day_start(day, group.timezone), day_start(day + timedelta(days=1), group.timezone)
            found = {}
            for class_id in group.class_ids:
                for lesson in self.schedule.class_lessons(class_id, start, end):
                    if lesson.id not in self.removed:
                        found[lesson.id] = lesson
            lessons = self._day_cache[key] = tuple(found.values())
        return lessons

    def _check_group(self, group: StudentGroup, policy: StagePolicy, mine: list[Lesson], out: _Collector) -> None:
        abroad = group.timezone != self.school_tz
        days: dict[date, None] = {}
        length_limit = policy.max_lesson_minutes
        for lesson in mine:
            portions = split_by_local_day(lesson.start, lesson.end, group.timezone)
            mode = policy.mode(Rule.LESSON_LENGTH)
            if length_limit is not None and mode != Mode.OFF and lesson.minutes > length_limit:
                minutes = lesson.minutes
                out.add(
                    Rule.LESSON_LENGTH, mode, length_limit, portions[0].day, minutes, number(minutes), group, lesson.id
                )
            for portion in portions:
                days[portion.day] = None
                self._check_when(group, policy, abroad, lesson, portion, out)
        for day in days:
            self._check_day(group, policy, mine, day, out)
        if policy.min_break_minutes is not None and policy.mode(Rule.BREAK) != Mode.OFF:
            for lesson in mine:
                self._check_breaks(group, policy, mine, lesson, out)

    def _check_when(self, group, policy: StagePolicy, abroad: bool, lesson: Lesson, portion: Portion, out) -> None:
        """Allowed hours and days, on the student's own clock; abroad students only warn."""
        hours_mode = policy.mode(Rule.ALLOWED_HOURS)
        if hours_mode != Mode.OFF and (policy.allowed_start or policy.allowed_end):
            low, high = policy.allowed_window
            excess = max(low - portion.start_minute, 0) + max(portion.end_minute - high, 0)
            if excess > 0:
                rule = Rule.ALLOWED_HOURS_ABROAD if abroad else Rule.ALLOWED_HOURS
                severity = Mode.WARN if abroad else hours_mode
                limit = f"{clock_text(low)}-{clock_text(high)}"
                value = f"{clock_text(portion.start_minute)}-{clock_text(portion.end_minute)}"
                out.add(rule, severity, limit, portion.day, excess, value, group, lesson.id)
        days_mode = policy.mode(Rule.ALLOWED_DAYS)
        weekday = portion.day.weekday()
        if days_mode != Mode.OFF and weekday not in policy.allowed_weekdays:
            rule = Rule.ALLOWED_DAYS_ABROAD if abroad else Rule.ALLOWED_DAYS
            severity = Mode.WARN if abroad else days_mode
            out.add(rule, severity, sorted(policy.allowed_weekdays), portion.day, 0, weekday, group, lesson.id)

    def _check_day(self, group, policy: StagePolicy, mine: list[Lesson], day: date, out: _Collector) -> None:
        """Most lessons per day and the daily online total (lessons of every course + resources)."""
        start, end = day_start(day, group.timezone), day_start(day + timedelta(days=1), group.timezone)
        todays_new = [lesson for lesson in mine if lesson.start < end and lesson.end > start]
        lessons = self._stored_on(group, day) + tuple(todays_new)
        count_limit, count_mode = policy.max_lessons_per_day, policy.mode(Rule.LESSONS_PER_DAY)
        if count_limit is not None and count_mode != Mode.OFF and len(lessons) > count_limit:
            for lesson in todays_new:
                out.add(
                    Rule.LESSONS_PER_DAY, count_mode, count_limit, day, len(lessons), len(lessons), group, lesson.id
                )
        daily_limit, daily_mode = policy.max_daily_minutes, policy.mode(Rule.DAILY_TOTAL)
        if daily_limit is None or daily_mode == Mode.OFF:
            return
        minutes = sum((min(lesson.end, end) - max(lesson.start, start)).total_seconds() for lesson in lessons) / 60
        if minutes + group.max_resource_minutes(day) <= daily_limit:
            return
        over, worst = group.members_over(day, minutes, daily_limit)
        if over:
            members = None if over is group.members else over
            for lesson in todays_new:
                out.add(Rule.DAILY_TOTAL, daily_mode, daily_limit, day, worst, number(worst), group, lesson.id, members)

    def _check_breaks(self, group, policy: StagePolicy, mine: list[Lesson], lesson: Lesson, out: _Collector) -> None:
        """Breaks between a student's consecutive lessons, across courses, next to `lesson`.

        Sorted by start, the break before a lesson is its start minus the latest end so far
        (negative when lessons overlap). Only pairs that involve `lesson` are reported: stored
        breaks were checked when they were stored, and removing a lesson never shortens one.
        """
        limit = policy.min_break_minutes
        window_start = lesson.start - timedelta(minutes=limit)
        window_end = lesson.end + timedelta(minutes=limit)
        pool = {}
        for day in local_days(window_start, window_end, group.timezone):
            for other in self._stored_on(group, day):
                if other.start < window_end and other.end > window_start:
                    pool[other.id] = other
        for other in mine:
            if other.start < window_end and other.end > window_start:
                pool[other.id] = other
        latest_end, latest = None, None
        for current in sorted(pool.values(), key=lambda item: (item.start, item.end)):
            if latest is not None and lesson.id in (current.id, latest.id):
                gap = (current.start - latest_end).total_seconds() / 60
                if gap < limit:
                    day = current.start.astimezone(zone(group.timezone)).date()
                    out.add(Rule.BREAK, policy.mode(Rule.BREAK), limit, day, -gap, number(gap), group, lesson.id)
            if latest_end is None or current.end > latest_end:
                latest_end, latest = current.end, current


def _prepare(existing, students, replaces, proposed):
    schedule = existing if isinstance(existing, Schedule) else Schedule(existing)
    load = students if isinstance(students, StudentLoad) else StudentLoad(students)
    ids = [lesson.id for lesson in proposed]
    if len(set(ids)) != len(ids):
        raise ValueError("proposed lessons need distinct ids")
    return schedule, load, set(replaces) | set(ids)


def check(
    proposed: Iterable[Lesson],
    existing: Schedule | Iterable[Lesson] = (),
    students: StudentLoad | Iterable[Student] = (),
    policy: Policy | None = None,
    *,
    replaces: Iterable[Hashable] = (),
    school_timezone: str = DEFAULT_SCHOOL_TIMEZONE,
) -> CheckResult:
    """Check proposed lessons against the stored ones for every student they reach.

    `replaces` names stored lessons the proposal removes (moves, edits, a re-expanded series);
    a proposed lesson whose id is a stored id replaces that lesson too.
    """
    proposed = list(proposed)
    schedule, load, removed = _prepare(existing, students, replaces, proposed)
    return _Evaluator(schedule, removed, load, policy or {}, school_timezone).evaluate(proposed)


def _candidate_minutes(step: int, anchor_minute: float) -> list[int]:
    minutes = range(0, DAY_MINUTES, step)
    return sorted(minutes, key=lambda minute: (abs(minute - anchor_minute), minute))


def suggest_slots(
    *,
    class_ids: Iterable,
    teacher_ids: Iterable,
    length_minutes: int,
    around: datetime,
    existing: Schedule | Iterable[Lesson] = (),
    students: StudentLoad | Iterable[Student] = (),
    policy: Policy | None = None,
    school_timezone: str = DEFAULT_SCHOOL_TIMEZONE,
    course_id: Hashable = None,
    lesson_id: Hashable = ("suggestion",),
    replaces: Iterable[Hashable] = (),
    step_minutes: int = 10,
    limit: int = 5,
    days: int = 7,
    not_before: datetime | None = None,
) -> list[Slot]:
    """The nearest free slots: the day of `around` first (nearest time of day first), then the
    following days (nearest to the same time of day). A slot breaks no blocking rule for any
    student and no conflict; its warnings come with it. Times are on the school's grid of
    `step_minutes` in the school's zone; local times skipped by a DST change are left out."""
    school_zone = zone(school_timezone)
    local_around = to_utc(around).astimezone(school_zone)
    anchor = local_around.hour * 60 + local_around.minute
    probe = Lesson(lesson_id, course_id, class_ids, teacher_ids, around, around + timedelta(minutes=length_minutes))
    schedule, load, removed = _prepare(existing, students, replaces, [probe])
    evaluator = _Evaluator(schedule, removed, load, policy or {}, school_timezone)
    not_before = to_utc(not_before) if not_before else None
    slots: list[Slot] = []
    for offset in range(days):
        day = local_around.date() + timedelta(days=offset)
        for minute in _candidate_minutes(step_minutes, anchor):
            wall = datetime.combine(day, time(minute // 60, minute % 60), tzinfo=school_zone)
            start = wall.astimezone(UTC)
            if start.astimezone(school_zone).replace(tzinfo=None) != wall.replace(tzinfo=None):
                continue  # a wall time that does not exist on a spring-forward day
            if not_before and start < not_before:
                continue
            candidate = Lesson(
                lesson_id, course_id, class_ids, teacher_ids, start, start + timedelta(minutes=length_minutes)
            )
            try:
                evaluator.evaluate([candidate], stop_at_block=True)
            except _Blocked:
                continue
            slots.append(Slot(candidate.start, candidate.end, evaluator.evaluate([candidate]).warnings))
            if len(slots) >= limit:
                return slots
    return slots
