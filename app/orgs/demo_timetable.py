"""The demo school's timetable: lesson plans from the sample catalog, then a weekly timetable
for every class from two weeks ago to a week ahead, imported by academic affairs through the
same all-or-nothing import and study-time check as `flask schedule import`.

Five 30-minute periods a school day with 40-minute gaps (08:30-15:30), as the default policy
allows for junior and senior school. In a grade's four classes each subject sits in a different
period (the day's subjects are rotated by class), so no teacher is ever in two rooms at once.
When no regular lesson is left today (a weekend, or after school) every class gets an optional
Q&A lesson (答疑) starting within minutes, so a demo seeded at any hour has lessons today; being
outside school hours or days, those only carry the policy's warnings.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.auth.models import User
from app.catalog.models import Resource
from app.catalog.plans import add_plan_item
from app.extensions import db
from app.orgs.demo import DEMO_WEEKS_AHEAD, DEMO_WEEKS_BACK
from app.orgs.models import Course, OrgUnit, UnitKind
from app.schedule.models import LiveSession
from app.schedule.operations import cancel_series
from app.schedule.policy_index import zone
from app.schedule.timetable_import import import_timetable

PERIODS = (time(8, 30), time(9, 30), time(10, 30), time(14, 0), time(15, 0))
LESSON_MINUTES = 30
# Lessons a week per subject; every grade fills its 25 periods.
WEEKLY_LESSONS = {
    7: {"语文": 5, "数学": 5, "英语": 4, "生物": 3, "历史": 2, "地理": 3, "道德与法治": 3},
    8: {"语文": 4, "数学": 5, "英语": 4, "物理": 3, "生物": 2, "历史": 2, "地理": 2, "道德与法治": 3},
    9: {"语文": 5, "数学": 5, "英语": 4, "物理": 4, "化学": 3, "历史": 2, "道德与法治": 2},
    **{
        grade: {"语文": 3, "数学": 4, "英语": 3, "物理": 3, "化学": 3, "生物": 3, "历史": 2, "地理": 2, "思想政治": 2}
        for grade in (10, 11, 12)
    },
}
# The answer-questions lesson of the Nth class of a grade: four subjects, four teachers.
QA_SUBJECTS = ("语文", "数学", "英语", "历史")
CATALOG_SUBJECTS = {
    "语文": "chinese",
    "数学": "math",
    "英语": "english",
    "物理": "physics",
    "化学": "chemistry",
    "生物": "biology",
    "历史": "history",
    "地理": "geography",
    "道德与法治": "politics",
    "思想政治": "politics",
}
# Resources planned for one class on one day, in minutes: five lessons (150), a Q&A lesson (30)
# and these stay within the 240-minute daily total of junior and senior school.
PLAN_MINUTES_A_DAY = 60
PLAN_NOTES = ("课前预习，完成课后练习。", "看完视频后完成学案第一部分。", "复习用，可以倍速观看。")


@dataclass
class DemoTimetable:
    today: date
    sessions: int = 0
    series: int = 0
    warnings: int = 0
    plan_items: int = 0
    cancelled: LiveSession | None = None
    class_days: dict = field(default_factory=dict)  # class id -> lesson days in the window


def week_grid(grade: int) -> list[list[str]]:
    """Monday..Friday, five different subjects each, each subject on as many days as it has lessons."""
    days: list[list[str]] = [[] for _ in range(5)]
    for subject, count in sorted(WEEKLY_LESSONS[grade].items(), key=lambda item: -item[1]):
        for day in sorted(range(5), key=lambda d: (len(days[d]), d))[:count]:
            days[day].append(subject)
    # Rotate each day so a subject does not always come first.
    return [day[index % 5 :] + day[: index % 5] for index, day in enumerate(days)]


def class_week(grade: int, class_index: int) -> dict[tuple[int, int], str]:
    """(weekday, period) -> subject for the class_index-th class of the grade."""
    grid = week_grid(grade)
    return {(day, period): grid[day][(period + class_index) % 5] for day in range(5) for period in range(5)}


def local_today(now: datetime, tz: str) -> date:
    return now.astimezone(zone(tz)).date()


def _at(day: date, clock: time, tz: str) -> datetime:
    return datetime.combine(day, clock, tzinfo=zone(tz)).astimezone(UTC)


def _classes(school: OrgUnit) -> list[tuple[OrgUnit, int, dict[str, Course]]]:
    """(class, its index in its grade, subject -> course) in grade and class order."""
    units = db.session.scalars(
        select(OrgUnit)
        .where(OrgUnit.school_id == school.id, OrgUnit.kind == UnitKind.CLASS)
        .order_by(OrgUnit.grade_number, OrgUnit.code)
    ).all()
    courses = db.session.scalars(
        select(Course).where(Course.school_id == school.id).options(selectinload(Course.classes))
    ).all()
    by_class: dict[int, dict[str, Course]] = defaultdict(dict)
    for course in courses:
        for unit in course.classes:
            by_class[unit.id][course.subject] = course
    position: dict[int, int] = defaultdict(int)
    result = []
    for unit in units:
        result.append((unit, position[unit.grade_number], by_class[unit.id]))
        position[unit.grade_number] += 1
    return result


def qa_start(now: datetime, today: date, tz: str) -> datetime | None:
    """When today's Q&A lessons start, or None while regular lessons are still to come today."""
    local = now.astimezone(zone(tz))
    last_period = _at(today, PERIODS[-1], tz)
    if today.weekday() < 5 and now < last_period:
        return None
    soon = local + timedelta(minutes=5)
    start = soon.replace(second=0, microsecond=0) + timedelta(minutes=-soon.minute % 10)
    if today.weekday() < 5:  # a break after the last regular lesson
        start = max(start, (last_period + timedelta(minutes=LESSON_MINUTES + 20)).astimezone(zone(tz)))
    # Late in the evening: a lesson that has just begun, still today (qa_minutes ends it by midnight).
    just_begun = local.replace(second=0, microsecond=0) - timedelta(minutes=local.minute % 10)
    latest = max(datetime.combine(today, time(23, 20), tzinfo=zone(tz)), just_begun)
    return min(start, latest).astimezone(UTC)


def qa_minutes(start: datetime, tz: str) -> int:
    """A Q&A lesson's length: a regular lesson's, cut short so it ends by local midnight."""
    local = start.astimezone(zone(tz))
    midnight = datetime.combine(local.date() + timedelta(days=1), time(0), tzinfo=zone(tz))
    return min(LESSON_MINUTES, int((midnight - local).total_seconds() // 60))


def _add_plans(classes, school: OrgUnit, days_of_course: dict[int, list[date]], today: date) -> int:
    """Up to three sample resources per course, planned on its lesson days: one last week, one
    in the last days, one next week; never more than PLAN_MINUTES_A_DAY per class and day."""
    resources = db.session.scalars(
        select(Resource)
        .where(Resource.school_id == school.id, Resource.withdrawn.is_(False), Resource.duration_minutes.is_not(None))
        .order_by(Resource.id)
    ).all()
    by_key: dict[tuple[str, int], list[Resource]] = defaultdict(list)
    for resource in resources:
        for grade in resource.grades or ():
            by_key[(resource.subject, int(grade))].append(resource)
    planned: dict[tuple[int, date], int] = defaultdict(int)
    teachers = {}
    count = 0
    for unit, _index, courses in classes:
        for subject, course in sorted(courses.items()):
            choices = by_key.get((CATALOG_SUBJECTS.get(subject), unit.grade_number), [])
            days = days_of_course[course.id]
            wanted = (
                [d for d in days if today - timedelta(days=12) <= d <= today - timedelta(days=7)],
                [d for d in days if today - timedelta(days=5) <= d < today][::-1],
                [d for d in days if today < d],
            )
            for resource, candidates in zip(choices, wanted, strict=False):
                minutes = min(resource.duration_minutes, LESSON_MINUTES)
                day = next((d for d in candidates if planned[(unit.id, d)] + minutes <= PLAN_MINUTES_A_DAY), None)
                if day is None:
                    continue
                planned[(unit.id, day)] += minutes
                teacher = teachers.setdefault(course.id, course.teachers[0] if course.teachers else None)
                data = {"planned_on": day, "estimated_minutes": minutes, "note": PLAN_NOTES[count % len(PLAN_NOTES)]}
                add_plan_item(teacher, course, resource, data)
                count += 1
    return count


def build_timetable(school: OrgUnit, now: datetime) -> DemoTimetable:
    """Plans, then the timetable in one import batch, then one lesson cancelled. Flushes."""
    tz = school.timezone or "Asia/Shanghai"
    today = local_today(now, tz)
    first, last = today - timedelta(weeks=DEMO_WEEKS_BACK), today + timedelta(weeks=DEMO_WEEKS_AHEAD)
    window = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    classes = _classes(school)
    rows: list[dict] = []
    days_of_course: dict[int, list[date]] = defaultdict(list)
    result = DemoTimetable(today=today)
    start = qa_start(now, today, tz)
    for unit, index, courses in classes:
        periods_of: dict[tuple[str, int], list[int]] = defaultdict(list)
        for (weekday, period), subject in class_week(unit.grade_number, index).items():
            periods_of[(subject, period)].append(weekday)
        for (subject, period), weekdays in sorted(periods_of.items()):
            course = courses[subject]
            row = {"course": course.code, "date": first, "until": last, "start": PERIODS[period]}
            row.update(minutes=LESSON_MINUTES, classes=unit.code, weekdays=";".join(str(d + 1) for d in weekdays))
            rows.append(row)
            days_of_course[course.id].extend(d for d in window if d.weekday() in weekdays)
        if start is not None:
            course = courses[QA_SUBJECTS[index % len(QA_SUBJECTS)]]
            clock = start.astimezone(zone(tz)).time()
            rows.append(
                {"course": course.code, "date": today, "start": clock, "minutes": qa_minutes(start, tz)}
                | {"classes": unit.code}
                | {"title": f"{course.subject}答疑"}
            )
            days_of_course[course.id].append(today)
        result.class_days[unit.id] = sorted({d for d in window if d.weekday() < 5} | ({today} if start else set()))
    for days in days_of_course.values():
        days.sort()
    result.plan_items = _add_plans(classes, school, days_of_course, today)
    registrar = db.session.scalar(select(User).where(User.username == "jiaowu"))
    report = import_timetable(registrar, school, rows)
    if not report.ok:  # the demo's own timetable must pass the school's policy
        raise RuntimeError("The demo timetable was refused: " + "; ".join(f"row {n}: {m}" for n, m in report.problems))
    result.sessions, result.series, result.warnings = report.sessions, report.series, len(report.warnings)
    result.cancelled = _cancel_one(classes, now)
    return result


def _cancel_one(classes, now: datetime) -> LiveSession | None:
    """The first class's history teacher was at a district training a few days ago."""
    _unit, _index, courses = classes[0]
    course = courses.get("历史")
    if course is None:
        return None
    past = db.session.scalars(
        select(LiveSession)
        .where(LiveSession.course_id == course.id, LiveSession.ends_at < now - timedelta(days=3))
        .order_by(LiveSession.starts_at.desc())
    ).first()
    if past is None:
        return None
    reason = "任课教师参加区教研活动，本节课改为自学：阅读课本并完成练习册。"
    cancel_series(course.teachers[0], past, {"reason": reason}, scope="one")
    return past
