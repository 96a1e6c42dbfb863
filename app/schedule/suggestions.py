"""The nearest slots that break nothing, for a new session or for moving a stored one."""

from __future__ import annotations

from datetime import datetime, timedelta

from app.core.models import utcnow
from app.orgs.models import Course
from app.schedule.checks import course_class_ids, make_lesson, new_id
from app.schedule.loading import load_context
from app.schedule.policy import Slot, suggest_slots


def suggest_for(
    course: Course, minutes: int, around: datetime, class_ids=None, session=None, limit: int = 5, days: int = 7
) -> list[Slot]:
    """Up to `limit` slots nearest `around` (same day first, then the next days), never in the
    past; when moving `session`, its own current time does not count against it."""
    class_ids = (
        frozenset(u.id for u in session.classes) if session and not class_ids else course_class_ids(course, class_ids)
    )
    probe = make_lesson(session.id if session else new_id(), course, class_ids, around, minutes)
    window_end = around + timedelta(days=days + 1)
    context = load_context(course.school_id, [probe], around - timedelta(days=1), window_end)
    return suggest_slots(
        class_ids=class_ids,
        teacher_ids=probe.teacher_ids,
        length_minutes=minutes,
        around=around,
        existing=context.schedule,
        students=context.students,
        policy=context.policy,
        school_timezone=context.school_timezone,
        course_id=course.id,
        lesson_id=probe.id,
        replaces=[session.id] if session else (),
        limit=limit,
        days=days,
        not_before=utcnow(),
    )
