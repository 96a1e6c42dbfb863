"""Attendance: derived from presence intervals against the scheduled lesson, stored per roster
student, recomputable at any time, never deleted. Flush, never commit.

`compute_attendance(session_id)` runs when a lesson's room closes (app/live/operations.py
end_lesson); `recompute_sessions` recomputes many lessons set-based (a whole term).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select

from app.catalog.models import LessonPlanItem
from app.core import audit
from app.core.models import utcnow
from app.extensions import db
from app.orgs.models import Course
from app.participation import loading, recompute
from app.participation.models import AttendanceRecord, AttendanceStatus, ResourceProgress
from app.participation.rules import effective_status
from app.participation.signals import send_attendance_changed
from app.schedule.loading import school_timezone
from app.schedule.models import LiveSession, SessionStatus
from app.schedule.policy_index import zone

# Lessons per chunk: a chunk's rosters, presence and records are held in memory at once.
CHUNK_LESSONS = 1000
OVERRIDE_STATUSES = (
    AttendanceStatus.PRESENT,
    AttendanceStatus.LATE,
    AttendanceStatus.LEFT_EARLY,
    AttendanceStatus.ABSENT,
    AttendanceStatus.EXCUSED,
)


class AttendanceError(ValueError):
    """A refused change; `field` names the form field at fault."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


def compute_attendance(session_id: int, now: datetime | None = None) -> int:
    """(Re)compute one lesson's attendance; returns how many records were written."""
    return recompute_sessions([session_id], now)


def recompute_sessions(session_ids, now: datetime | None = None) -> int:
    """Recompute these lessons (cancelled ones are skipped) in chunks; returns rows written.
    Sends attendance_changed with the lessons and students whose records changed."""
    now = now or utcnow()
    ids = sorted(set(session_ids))
    written = 0
    changed_sessions: set[int] = set()
    changed_students: set[int] = set()
    for part in loading.chunks(ids, CHUNK_LESSONS):
        sessions = db.session.execute(
            select(
                LiveSession.id, LiveSession.school_id, LiveSession.course_id, LiveSession.starts_at, LiveSession.ends_at
            ).where(LiveSession.id.in_(part), LiveSession.status != SessionStatus.CANCELLED)
        ).all()
        if sessions:
            count, lessons, students = recompute.compute_chunk(sessions, now)
            written += count
            changed_sessions |= lessons
            changed_students |= students
    db.session.flush()
    if changed_sessions:
        send_attendance_changed(changed_sessions, changed_students)
    return written


def sessions_of_term(term_id: int) -> list[int]:
    query = select(LiveSession.id).join(Course, Course.id == LiveSession.course_id).where(Course.term_id == term_id)
    return list(db.session.scalars(query))


def override_attendance(actor, record: AttendanceRecord, data: dict, now: datetime | None = None) -> AttendanceRecord:
    """Set a record's status by hand (an excuse, usually) with a reason; audited. It survives
    every recomputation until cleared."""
    status = str(data.get("status") or AttendanceStatus.EXCUSED)
    reason = str(data.get("reason") or "").strip()
    if status not in {str(s) for s in OVERRIDE_STATUSES}:
        raise AttendanceError("status", _("Choose a status."))
    if not reason:
        raise AttendanceError("reason", _("Give a reason."))
    previous = record.status
    record.override_status, record.override_reason = status, reason[:2000]
    record.override_by_id, record.override_at = actor.id, now or utcnow()
    record.status = effective_status(record.computed_status, status, False)
    db.session.flush()
    refresh_made_up([record.student_id])
    audit.record(
        actor,
        "attendance.override",
        record,
        school_id=record.school_id,
        session_id=record.session_id,
        student_id=record.student_id,
        previous=previous,
        status=status,
        reason=record.override_reason,
    )
    send_attendance_changed([record.session_id], [record.student_id])
    return record


def clear_override(actor, record: AttendanceRecord) -> AttendanceRecord:
    previous = record.status
    record.override_status = record.override_reason = None
    record.override_by_id = record.override_at = None
    record.status = record.computed_status
    audit.record(
        actor,
        "attendance.override_cleared",
        record,
        school_id=record.school_id,
        session_id=record.session_id,
        student_id=record.student_id,
        previous=previous,
    )
    db.session.flush()
    send_attendance_changed([record.session_id], [record.student_id])
    return record


def refresh_made_up(student_ids) -> int:
    """Excused lessons of these students become made_up once they completed a resource planned
    for the lesson's day in its course (after the lesson started), and back if not."""
    records = db.session.scalars(
        select(AttendanceRecord).where(
            AttendanceRecord.student_id.in_(list(student_ids)),
            AttendanceRecord.override_status == AttendanceStatus.EXCUSED,
        )
    ).all()
    if not records:
        return 0
    completed = defaultdict(list)  # (student, resource) -> [completed_at]
    for student_id, resource_id, completed_at in db.session.execute(
        select(ResourceProgress.student_id, ResourceProgress.resource_id, ResourceProgress.completed_at).where(
            ResourceProgress.student_id.in_([r.student_id for r in records]),
            ResourceProgress.completed_at.is_not(None),
        )
    ):
        completed[(student_id, resource_id)].append(completed_at)
    changed = 0
    changed_sessions: set[int] = set()
    changed_students: set[int] = set()
    zones: dict[int, object] = {}
    for record in records:
        if record.school_id not in zones:
            zones[record.school_id] = zone(school_timezone(record.school_id))
        day = record.starts_at.astimezone(zones[record.school_id]).date()
        planned = db.session.scalars(
            select(LessonPlanItem.resource_id).where(
                LessonPlanItem.course_id == record.course_id, LessonPlanItem.planned_on == day
            )
        ).all()
        made_up = any(
            at >= record.starts_at
            for resource_id in planned
            for at in completed.get((record.student_id, resource_id), [])
        )
        status = effective_status(record.computed_status, record.override_status, made_up)
        if status != record.status:
            record.status = status
            changed += 1
            changed_sessions.add(record.session_id)
            changed_students.add(record.student_id)
    db.session.flush()
    if changed_sessions:
        send_attendance_changed(changed_sessions, changed_students)
    return changed
