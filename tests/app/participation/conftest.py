"""Participation fixtures: lessons with presence stored as the live room stores it."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest

from app.core.models import utcnow
from app.extensions import db
from app.live.models import PresenceInterval
from app.orgs.models import OrgUnit
from app.schedule.models import LiveSession
from app.schedule.policy_index import day_start
from tests.app.api.conftest import bearer, token_for  # noqa: F401 - fixtures
from tests.app.live.conftest import _sqlite_wal, connect, session_cookie  # noqa: F401 - fixtures
from tests.app.participation.ralph_lrs import ralph  # noqa: F401 - a fixture
from tests.live_server import live_server_factory  # noqa: F401 - a fixture


def _finished_start(course, minutes: int):
    """A lesson that ended half an hour ago, or at the school's midnight when it would straddle
    it: its minutes then fall on one local day whatever the hour the suite runs at."""
    start = utcnow() - timedelta(minutes=minutes + 30)
    zone_name = db.session.get(OrgUnit, course.school_id).timezone or "Asia/Shanghai"
    midnight = day_start(start.astimezone(ZoneInfo(zone_name)).date() + timedelta(days=1), zone_name)
    return midnight - timedelta(minutes=minutes) if start < midnight < start + timedelta(minutes=minutes) else start


@pytest.fixture
def make_lesson(app):
    def make(course, starts_at=None, minutes=40, title="直播课", classes=()) -> LiveSession:
        starts_at = starts_at or _finished_start(course, minutes)
        lesson = LiveSession(
            school_id=course.school_id,
            course_id=course.id,
            title=title,
            starts_at=starts_at,
            ends_at=starts_at + timedelta(minutes=minutes),
            original_starts_at=starts_at,
        )
        lesson.classes.extend(classes)
        db.session.add(lesson)
        db.session.commit()
        return lesson

    return make


@pytest.fixture
def stay(app):
    """stay(lesson, student, from_minute, to_minute): a presence interval relative to the start."""

    def add(lesson, student, start_minute: float, end_minute: float | None, last_seen_minute=None):
        start = lesson.starts_at + timedelta(minutes=start_minute)
        end = lesson.starts_at + timedelta(minutes=end_minute) if end_minute is not None else None
        last_seen = lesson.starts_at + timedelta(
            minutes=last_seen_minute if last_seen_minute is not None else end_minute
        )
        db.session.add(
            PresenceInterval(
                session_id=lesson.id, user_id=student.id, started_at=start, ended_at=end, last_seen_at=last_seen
            )
        )
        db.session.commit()

    return add


@pytest.fixture
def lesson_people(people, make_user, make_lesson):
    """people + two more students in the class and a finished 40-minute lesson of people.course."""
    extra = [make_user(classes=[people.klass], name=f"学生{n}") for n in range(2)]
    lesson = make_lesson(people.course)
    return SimpleNamespace(**vars(people), students=[people.student, *extra], lesson=lesson)
