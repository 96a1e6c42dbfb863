"""Attendance: derived from presence intervals against the scheduled lesson, stored per roster
student, recomputable at any time, never deleted. Flush, never commit.

`compute_attendance(session_id)` runs when a lesson's room closes (app/live/operations.py
end_lesson); `recompute_sessions` recomputes many lessons set-based (a whole term).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime

from flask_babel import gettext as _
from sqlalchemy import Column, DateTime, MetaData, Table, bindparam, insert, select, update

from app.catalog.models import LessonPlanItem
from app.core import audit
from app.core.models import UTCDateTime, utcnow
from app.extensions import db
from app.orgs.models import Course
from app.participation import loading
from app.participation.models import AttendanceRecord, AttendanceStatus, ResourceProgress
from app.participation.rules import effective_status, evaluate
from app.participation.settings import setting
from app.participation.signals import send_attendance_changed
from app.schedule.loading import school_timezone
from app.schedule.models import LiveSession, SessionStatus
from app.schedule.policy_index import zone

COMPUTED_FIELDS = (
    "computed_status",
    "first_join",
    "last_leave",
    "minutes_present",
    "checked_in",
    "hand_raises",
    "chat_messages",
    "poll_answers",
)
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
    """Recompute these lessons (cancelled ones are skipped) in chunks; returns rows written."""
    now = now or utcnow()
    ids = sorted(set(session_ids))
    written = 0
    for part in loading.chunks(ids, 2000):
        sessions = db.session.execute(
            select(
                LiveSession.id, LiveSession.school_id, LiveSession.course_id, LiveSession.starts_at, LiveSession.ends_at
            ).where(LiveSession.id.in_(part), LiveSession.status != SessionStatus.CANCELLED)
        ).all()
        if sessions:
            written += _compute(sessions, now)
    db.session.flush()
    if ids:
        send_attendance_changed(session_ids=ids)
    return written


def sessions_of_term(term_id: int) -> list[int]:
    query = select(LiveSession.id).join(Course, Course.id == LiveSession.course_id).where(Course.term_id == term_id)
    return list(db.session.scalars(query))


def _compute(sessions, now: datetime) -> int:
    session_ids = [s.id for s in sessions]
    rosters = loading.rosters(sessions)
    presence = loading.presence(session_ids)
    counts = loading.activity_counts(session_ids)
    ended = loading.teacher_ended_at(session_ids)
    existing = _existing(session_ids)
    share, late = setting("ATTENDANCE_PRESENT_SHARE"), setting("ATTENDANCE_LATE_MINUTES")
    inserts, updates = [], []
    naive_now = now.astimezone(UTC).replace(tzinfo=None)
    on_record: dict[int, set[int]] = defaultdict(set)
    for session_id, student_id in existing:
        on_record[session_id].add(student_id)
    for lesson in sessions:
        # A teacher who ends early ends the lesson; a lesson that runs over is judged on its schedule.
        end = min(lesson.ends_at, ended[lesson.id]) if ended.get(lesson.id) else lesson.ends_at
        start, end = lesson.starts_at.replace(tzinfo=None), max(end, lesson.starts_at).replace(tzinfo=None)
        # Students who left the class keep their record: it is never deleted.
        students = rosters.get(lesson.id, set()) | on_record.get(lesson.id, set())
        for student_id in students:
            key = (lesson.id, student_id)
            result = evaluate(presence.get(key, ()), start, end, share, late)
            computed = (
                str(result.status),
                result.first_join,
                result.last_leave,
                result.minutes_present,
                counts["check_ins"].get(key, 0) > 0,
                counts["hand_raises"].get(key, 0),
                counts["chat_messages"].get(key, 0),
                counts["poll_answers"].get(key, 0),
            )
            old = existing.get(key)
            if old is not None:
                record_id, old_status, override = old[0], old[1], old[2]
                status = effective_status(computed[0], override, old_status == AttendanceStatus.MADE_UP)
                if status == old_status and computed == tuple(old[3:]):
                    continue  # unchanged rows are left alone: a second recomputation writes almost nothing
            values = dict(zip(COMPUTED_FIELDS, computed, strict=True))
            values["computed_at"] = naive_now
            if old is None:
                values.update(
                    status=computed[0],
                    session_id=lesson.id,
                    student_id=student_id,
                    school_id=lesson.school_id,
                    course_id=lesson.course_id,
                    starts_at=lesson.starts_at.replace(tzinfo=None),
                )
                inserts.append(values)
            else:
                updates.append({**values, "id": record_id, "status": status})
    if inserts:
        db.session.execute(insert(RAW), inserts)
    if updates:
        statement = update(RAW).where(RAW.c.id == bindparam("record_id"))
        db.session.execute(statement, [{"record_id": row.pop("id"), **row} for row in updates])
    return len(inserts) + len(updates)


def _existing(session_ids: list[int]) -> dict[tuple[int, int], tuple]:
    """(session, student) -> (id, status, override_status, *COMPUTED_FIELDS), times naive UTC."""
    columns = [AttendanceRecord.id, AttendanceRecord.session_id, AttendanceRecord.student_id]
    columns += [AttendanceRecord.status, AttendanceRecord.override_status]
    for name in COMPUTED_FIELDS:
        column = getattr(AttendanceRecord, name)
        columns.append(loading.naive(column) if name in ("first_join", "last_leave") else column)
    result = {}
    for part in loading.chunks(session_ids):
        for row in db.session.execute(select(*columns).where(AttendanceRecord.session_id.in_(part))):
            result[(row[1], row[2])] = (row[0], row[3], row[4], *row[5:])
    return result


def _raw_table() -> Table:
    """attendance_record with plain DateTime columns, for bulk writes of naive UTC values: a
    term's recomputation writes a million rows, and UTCDateTime's conversion per value would
    cost more than the writing."""
    source = AttendanceRecord.__table__
    columns = [
        Column(c.name, DateTime() if isinstance(c.type, UTCDateTime) else c.type, primary_key=c.primary_key)
        for c in source.columns
    ]
    return Table(source.name, MetaData(), *columns)


RAW = _raw_table()


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
