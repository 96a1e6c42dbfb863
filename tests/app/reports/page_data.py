"""A week of held lessons with attendance, as the report pages and the browser test read it.

The people fixture's class gets three more students; the course has one 40-minute lesson on
each of five school days, the room was opened for each, and students stayed as a class does:
one always present, one always late, one absent twice, one never there. Then the rollups are
rebuilt as the nightly job would.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

from app.extensions import db
from app.live.models import LessonRoomState, PresenceInterval
from app.participation.attendance import recompute_sessions
from app.reports.rollups import refresh_rollups
from app.schedule.models import LiveSession

SHANGHAI = ZoneInfo("Asia/Shanghai")
LESSON_MINUTES = 40


def _lesson(course, day: date, hour: int) -> LiveSession:
    starts_at = datetime.combine(day, time(hour, 0), SHANGHAI).astimezone(ZoneInfo("UTC"))
    lesson = LiveSession(
        school_id=course.school_id,
        course_id=course.id,
        title=f"{course.name} {day.isoformat()}",
        starts_at=starts_at,
        ends_at=starts_at + timedelta(minutes=LESSON_MINUTES),
        original_starts_at=starts_at,
    )
    lesson.classes.extend(course.classes)
    db.session.add(lesson)
    db.session.flush()
    opened, closed = starts_at - timedelta(minutes=5), lesson.ends_at + timedelta(minutes=1)
    db.session.add(LessonRoomState(session_id=lesson.id, opened_at=opened, closed_at=closed))
    return lesson


def _stay(lesson: LiveSession, student, start_minute: float, end_minute: float) -> None:
    start = lesson.starts_at + timedelta(minutes=start_minute)
    end = lesson.starts_at + timedelta(minutes=end_minute)
    db.session.add(PresenceInterval(session_id=lesson.id, user_id=student.id, started_at=start, ended_at=end,
                                    last_seen_at=end))  # fmt: skip


def week_of_lessons(people, make_user, first: date) -> SimpleNamespace:
    """Five lessons on `first` and the four days after it (give a Monday)."""
    always = people.student
    late = make_user(classes=[people.klass], name="迟到生")
    sometimes = make_user(classes=[people.klass], name="缺课生")
    never = make_user(classes=[people.klass], name="未到生")
    days = [first + timedelta(days=n) for n in range(5)]
    lessons = []
    for number, day in enumerate(days):
        lesson = _lesson(people.course, day, 9)
        lessons.append(lesson)
        _stay(lesson, always, -2, LESSON_MINUTES)
        _stay(lesson, late, 12, LESSON_MINUTES)
        if number % 2 == 0:
            _stay(lesson, sometimes, 0, LESSON_MINUTES)
    db.session.commit()
    recompute_sessions([lesson.id for lesson in lessons], now=lessons[-1].ends_at + timedelta(hours=2))
    refresh_rollups(people.school.id, days[0], days[-1] + timedelta(days=2))
    db.session.commit()
    return SimpleNamespace(
        first=days[0], last=days[-1] + timedelta(days=2), lessons=lessons,
        students=SimpleNamespace(always=always, late=late, sometimes=sometimes, never=never),
    )  # fmt: skip
