"""Lessons at a time relative to now, for the live-room page and browser tests."""

from __future__ import annotations

from datetime import timedelta

from app.core.models import utcnow
from app.extensions import db
from app.schedule.models import LiveSession, SessionStatus


def add_lesson(course, starts_in_minutes: float = -5, minutes: int = 40, title="Fractions", **fields) -> LiveSession:
    """Commit a lesson of `course` for all its classes, starting `starts_in_minutes` from now
    (negative: it has started)."""
    starts_at = utcnow() + timedelta(minutes=starts_in_minutes)
    lesson = LiveSession(
        school_id=course.school_id,
        course_id=course.id,
        title=title,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(minutes=minutes),
        original_starts_at=starts_at,
        status=fields.pop("status", SessionStatus.SCHEDULED),
        **fields,
    )
    lesson.classes.extend(course.classes)
    db.session.add(lesson)
    db.session.commit()
    return lesson
