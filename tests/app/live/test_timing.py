"""Lesson length: reminders at the scheduled end and at the policy's longest lesson; the room
closes itself after the configured grace."""

from __future__ import annotations

from datetime import timedelta

from app.core.models import utcnow
from app.extensions import db
from app.live.models import LessonRoomState, PresenceInterval
from app.schedule.models import LiveSession
from tests.app.live.conftest import wait_until


def _lesson(room, starts_ago: timedelta, length: timedelta) -> LiveSession:
    starts_at = utcnow() - starts_ago
    lesson = LiveSession(
        school_id=room.course.school_id,
        course_id=room.course.id,
        title="timed",
        starts_at=starts_at,
        ends_at=starts_at + length,
        original_starts_at=starts_at,
    )
    db.session.add(lesson)
    db.session.commit()
    return lesson


def test_teacher_is_reminded_at_the_scheduled_end(live_server_factory, connect, room):
    lesson = _lesson(room, timedelta(minutes=10), timedelta(minutes=10, seconds=2))
    server = live_server_factory()
    teacher, student = connect(server, room.teacher), connect(server, room.student)
    teacher.join(lesson.id)
    student.join(lesson.id)
    reminder = teacher.wait_for("reminder", lambda d: d["kind"] == "scheduled_end")
    assert reminder["at"] == lesson.ends_at.isoformat()
    assert student.received("reminder") == []  # staff only
    assert len(teacher.received("reminder")) == 1


def test_teacher_is_reminded_at_the_policys_longest_lesson(live_server_factory, connect, room):
    # A grade 7 class: junior stage, whose default longest lesson is 30 minutes (NHC guidance).
    lesson = _lesson(room, timedelta(minutes=30, seconds=-2), timedelta(minutes=45))
    server = live_server_factory()
    teacher = connect(server, room.teacher)
    teacher.join(lesson.id)
    reminder = teacher.wait_for("reminder", lambda d: d["kind"] == "policy_limit")
    assert reminder["minutes"] == 30
    assert reminder["at"] == (lesson.starts_at + timedelta(minutes=30)).isoformat()
    assert [r["kind"] for r in teacher.received("reminder")] == ["policy_limit"]


def test_room_closes_itself_after_the_grace(live_server_factory, connect, room):
    server = live_server_factory(LIVE_CLOSE_GRACE_MINUTES=0.05)  # 3 s after the scheduled end
    lesson = _lesson(room, timedelta(minutes=10), timedelta(minutes=10, seconds=3))
    teacher, student = connect(server, room.teacher), connect(server, room.student)
    teacher.join(lesson.id)
    student.join(lesson.id)
    ended = student.wait_for("ended")
    assert ended["by"] is None
    assert student.call("chat", {"session_id": lesson.id, "text": "hello?"})["error"] == "closed"
    state = wait_until(lambda: db.session.query(LessonRoomState).filter_by(session_id=lesson.id).one().closed_at)
    assert state >= lesson.ends_at + timedelta(seconds=3)
    intervals = db.session.query(PresenceInterval).filter_by(session_id=lesson.id).all()
    assert len(intervals) == 2 and all(i.ended_at is not None for i in intervals)
