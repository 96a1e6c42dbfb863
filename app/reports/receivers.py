"""Keeping the rollups fresh inside the transaction that changed their inputs.

- attendance: `attendance_changed` (app/participation/signals.py) is sent whenever attendance
  is computed (a lesson ends), recomputed, overridden, cleared or made up; a term-sized change
  only marks its days for the next rebuild (app/reports/stale.py);
- the schedule: a lesson created, moved, re-timed, given other classes, cancelled or deleted,
  by any path (form, API, import, series), is noted when the ORM flushes it and refreshed, with
  the study-time checks, just before the transaction commits;
- the live room: the first opening of a lesson's room marks its row held (one UPDATE, so the
  join path stays cheap); the rest follows when attendance is computed at the lesson's end.

A failure here is logged and rolled back to a savepoint: a report must never stop a lesson from
being scheduled or attendance from being recorded (the nightly job rebuilds the rows anyway).
"""

from __future__ import annotations

import logging

from flask import has_app_context
from sqlalchemy import delete, event, inspect, update
from sqlalchemy.orm import Session

from app.live.models import LessonRoomState
from app.participation.signals import attendance_changed
from app.schedule.models import LiveSession

log = logging.getLogger(__name__)

PENDING_KEY = "kexu.reports.changed_lessons"
WATCHED = ("status", "starts_at", "ends_at", "course_id", "classes")
COMPLIANCE_BATCH_LIMIT = 500


def _safely(session, work) -> None:
    try:
        with session.begin_nested():
            work()
    except Exception:
        log.exception("reports: refreshing rollups failed; the nightly job will rebuild them")


def on_attendance_changed(sender, session_ids=(), student_ids=(), **extra) -> None:
    if not session_ids or not has_app_context():
        return
    from app.extensions import db
    from app.reports.rollups import refresh_for_attendance

    _safely(db.session(), lambda: refresh_for_attendance(session_ids, student_ids))


def _changed(obj) -> bool:
    state = inspect(obj)
    return any(state.attrs[name].history.has_changes() for name in WATCHED)


def note_lesson_changes(session, flush_context) -> None:
    pending = session.info.setdefault(PENDING_KEY, {"changed": set(), "deleted": set(), "opened": set()})
    for obj in session.new:
        if isinstance(obj, LiveSession) and obj.id is not None:
            pending["changed"].add(obj.id)
        elif isinstance(obj, LessonRoomState) and obj.session_id is not None:
            pending["opened"].add(obj.session_id)
    for obj in session.dirty:
        if isinstance(obj, LiveSession) and obj.id is not None and _changed(obj):
            pending["changed"].add(obj.id)
    for obj in session.deleted:
        if isinstance(obj, LiveSession) and obj.id is not None:
            pending["deleted"].add(obj.id)


def refresh_changed_lessons(session) -> None:
    pending = session.info.pop(PENDING_KEY, None)
    if not pending or not any(pending.values()) or not has_app_context():
        return
    from app.reports.models import LessonRollup, LessonStatus
    from app.reports.rollups import refresh_for_sessions

    def work():
        if pending["opened"]:
            session.execute(
                update(LessonRollup)
                .where(
                    LessonRollup.session_id.in_(sorted(pending["opened"])),
                    LessonRollup.status == LessonStatus.SCHEDULED,
                )
                .values(status=LessonStatus.HELD)
                .execution_options(synchronize_session=False)
            )
        if pending["deleted"]:
            session.execute(delete(LessonRollup).where(LessonRollup.session_id.in_(sorted(pending["deleted"]))))
        changed = pending["changed"] - pending["deleted"]
        if changed:
            # A whole term imported at once is checked by the nightly rebuild, day by day, rather
            # than inside the import's request.
            refresh_for_sessions(sorted(changed), check_compliance=len(changed) <= COMPLIANCE_BATCH_LIMIT)

    _safely(session, work)


def forget_changes(session, *args) -> None:
    session.info.pop(PENDING_KEY, None)


def connect() -> None:
    """Connect once per process (create_app may run many times in tests)."""
    attendance_changed.connect(on_attendance_changed)
    if not event.contains(Session, "after_flush", note_lesson_changes):
        event.listen(Session, "after_flush", note_lesson_changes)
        event.listen(Session, "before_commit", refresh_changed_lessons)
        event.listen(Session, "after_rollback", forget_changes)
