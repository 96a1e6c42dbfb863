"""Database -> policy engine inputs, in a handful of set-based queries (no per-student loops
of queries): the stored lessons around a window, every affected student with stage, zone and
plan-item minutes, and the school's policy."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, or_, select

from app.auth.models import User
from app.catalog.models import LessonPlanItem
from app.extensions import db
from app.orgs.models import OrgUnit, class_membership, course_class, course_teacher
from app.schedule.models import LiveSession, PolicySetting, SessionStatus, live_session_class
from app.schedule.policy import DEFAULT_SCHOOL_TIMEZONE, Lesson, Schedule, StagePolicy, Student, StudentLoad
from app.schedule.policy_index import zone
from app.schedule.presets import default_policy

# Local days run up to 14 h either side of UTC, and a break rule looks past a lesson's ends:
# two days of margin catch every stored lesson that shares a local day with the window.
MARGIN = timedelta(days=2)


@dataclass
class CheckContext:
    """Everything the engine needs for one check or one round of suggestions."""

    schedule: Schedule
    students: StudentLoad
    policy: dict[str, StagePolicy]
    school_timezone: str


def school_timezone(school_id: int) -> str:
    name = db.session.scalar(select(OrgUnit.timezone).where(OrgUnit.id == school_id))
    return name or DEFAULT_SCHOOL_TIMEZONE


def school_policy(school_id: int) -> dict[str, StagePolicy]:
    """The default presets, overridden stage by stage by what academic affairs stored."""
    policy = default_policy()
    for setting in db.session.scalars(select(PolicySetting).where(PolicySetting.school_id == school_id)):
        policy[setting.stage] = setting.stage_policy
    return policy


def _valid_zone(name: str | None, fallback: str) -> str:
    try:
        zone(name or fallback)
        return name or fallback
    except ValueError:
        return fallback


def load_students(class_ids: set[int], start: datetime, end: datetime, fallback_tz: str) -> list[Student]:
    """Every student of these classes with all of their classes (an elective's lessons count
    toward the same daily total), their stage, their own zone and their plan-item minutes."""
    if not class_ids:
        return []
    in_classes = select(class_membership.c.user_id).where(class_membership.c.class_id.in_(class_ids))
    memberships = db.session.execute(
        select(class_membership.c.user_id, class_membership.c.class_id, User.timezone)
        .join(User, User.id == class_membership.c.user_id)
        .where(class_membership.c.user_id.in_(in_classes), User.disabled.is_(False))
    ).all()
    classes_of: dict[int, set[int]] = defaultdict(set)
    zones: dict[int, str] = {}
    for user_id, class_id, timezone in memberships:
        classes_of[user_id].add(class_id)
        zones[user_id] = timezone
    all_classes = {class_id for _user, class_id, _tz in memberships}
    stages = dict(
        db.session.execute(
            select(OrgUnit.id, OrgUnit.stage).where(OrgUnit.id.in_(all_classes), OrgUnit.stage.is_not(None))
        ).all()
    )
    minutes_by_class = _plan_minutes(all_classes, start, end)
    students = []
    for user_id, classes in classes_of.items():
        # The stage of a homeroom class wins over electives without one; lowest id for ties.
        stage = next((str(stages[c]) for c in sorted(classes) if c in stages), "")
        resource_minutes: dict[date, float] = defaultdict(float)
        for course_minutes in _courses_of(classes, minutes_by_class):
            for day, minutes in course_minutes.items():
                resource_minutes[day] += minutes
        students.append(
            Student(
                user_id, stage, _valid_zone(zones[user_id], fallback_tz), frozenset(classes), dict(resource_minutes)
            )
        )
    return students


def _plan_minutes(class_ids: set[int], start: datetime, end: datetime) -> dict[int, dict[int, dict[date, float]]]:
    """class id -> course id -> date -> planned minutes, for plan items dated in the window."""
    rows = db.session.execute(
        select(
            course_class.c.class_id,
            LessonPlanItem.course_id,
            LessonPlanItem.planned_on,
            func.sum(LessonPlanItem.estimated_minutes),
        )
        .join(course_class, course_class.c.course_id == LessonPlanItem.course_id)
        .where(
            course_class.c.class_id.in_(class_ids),
            LessonPlanItem.planned_on >= (start - MARGIN).date(),
            LessonPlanItem.planned_on <= (end + MARGIN).date(),
            LessonPlanItem.estimated_minutes.is_not(None),
        )
        .group_by(course_class.c.class_id, LessonPlanItem.course_id, LessonPlanItem.planned_on)
    ).all()
    result: dict[int, dict[int, dict[date, float]]] = defaultdict(lambda: defaultdict(dict))
    for class_id, course_id, day, minutes in rows:
        result[class_id][course_id][day] = float(minutes or 0)
    return result


def _courses_of(classes: set[int], minutes_by_class) -> list[dict[date, float]]:
    # A course taught to two of the student's classes counts once.
    seen: dict[int, dict[date, float]] = {}
    for class_id in classes:
        for course_id, days in minutes_by_class.get(class_id, {}).items():
            seen.setdefault(course_id, days)
    return list(seen.values())


def load_lessons(class_ids: set[int], teacher_ids: set[int], start: datetime, end: datetime) -> list[Lesson]:
    """Scheduled sessions around [start, end) that involve these classes or teachers."""
    if not class_ids and not teacher_ids:
        return []
    of_classes = select(live_session_class.c.session_id).where(live_session_class.c.class_id.in_(class_ids))
    of_teachers = select(course_teacher.c.course_id).where(course_teacher.c.user_id.in_(teacher_ids))
    rows = db.session.execute(
        select(LiveSession.id, LiveSession.course_id, LiveSession.starts_at, LiveSession.ends_at).where(
            LiveSession.status == SessionStatus.SCHEDULED,
            LiveSession.starts_at < end + MARGIN,
            LiveSession.ends_at > start - MARGIN,
            or_(LiveSession.id.in_(of_classes), LiveSession.course_id.in_(of_teachers)),
        )
    ).all()
    if not rows:
        return []
    session_ids = [row.id for row in rows]
    course_ids = {row.course_id for row in rows}
    classes_of = _pairs(
        select(live_session_class.c.session_id, live_session_class.c.class_id),
        live_session_class.c.session_id,
        session_ids,
    )
    teachers_of = _pairs(
        select(course_teacher.c.course_id, course_teacher.c.user_id), course_teacher.c.course_id, course_ids
    )
    return [
        Lesson(
            row.id,
            row.course_id,
            classes_of.get(row.id, ()),
            teachers_of.get(row.course_id, ()),
            row.starts_at,
            row.ends_at,
        )
        for row in rows
    ]


def _pairs(query, key_column, keys, chunk: int = 5000) -> dict:
    """key -> set of values, chunked so a whole term stays under PostgreSQL's parameter limit."""
    keys = list(keys)
    result: dict = defaultdict(set)
    for index in range(0, len(keys), chunk):
        for key, value in db.session.execute(query.where(key_column.in_(keys[index : index + chunk]))):
            result[key].add(value)
    return result


def course_teacher_ids(course_id: int) -> set[int]:
    return set(db.session.scalars(select(course_teacher.c.user_id).where(course_teacher.c.course_id == course_id)))


def load_context(
    school_id: int, lessons: list[Lesson], start: datetime | None = None, end: datetime | None = None
) -> CheckContext:
    """The engine's inputs for checking `lessons` (or suggesting slots in [start, end))."""
    class_ids = set().union(*(lesson.class_ids for lesson in lessons)) if lessons else set()
    teacher_ids = set().union(*(lesson.teacher_ids for lesson in lessons)) if lessons else set()
    start = min([lesson.start for lesson in lessons] + ([start] if start else []))
    end = max([lesson.end for lesson in lessons] + ([end] if end else []))
    school_tz = school_timezone(school_id)
    students = load_students(class_ids, start, end, school_tz)
    every_class = class_ids.union(*(student.class_ids for student in students))
    stored = load_lessons(every_class, teacher_ids, start, end)
    return CheckContext(Schedule(stored), StudentLoad(students), school_policy(school_id), school_tz)
