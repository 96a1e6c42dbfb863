"""Pages: a lesson's attendance sheet (with excuses and CSV/XLSX export) and a student's own
record. The "not reached" list is in reach_routes.py, resource progress in progress_routes.py."""

from __future__ import annotations

from datetime import timedelta

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import get_timezone
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.auth.models import Role, User
from app.core.models import utcnow
from app.core.permissions import can, require
from app.extensions import db
from app.participation import attendance, bp, engagement, exports, queries, study_time
from app.participation.models import AttendanceRecord
from app.schedule.models import LiveSession


def _lesson(session_id: int, action: str = "attendance.view") -> LiveSession:
    lesson = db.session.get(LiveSession, session_id)
    if lesson is None or lesson.school_id != current_user.school_id:
        abort(404)
    require(current_user, action, lesson)
    return lesson


def _records(lesson: LiveSession) -> list[AttendanceRecord]:
    """The sheet; a lesson that has started but whose sheet is missing (nobody opened its room,
    or it is still running) is computed now."""
    now = utcnow()
    records = queries.sheet(lesson.id)
    if now >= lesson.starts_at and not lesson.is_cancelled and (not records or now < lesson.ends_at):
        attendance.compute_attendance(lesson.id, now)
        db.session.expire_all()
        records = queries.sheet(lesson.id)
    return records


@bp.route("/participation/sessions/<int:session_id>/attendance")
@login_required
def sheet(session_id: int):
    lesson = _lesson(session_id)
    records = _records(lesson)
    counts: dict[str, int] = {}
    for record in records:
        counts[record.status] = counts.get(record.status, 0) + 1
    return render_template(
        "participation/sheet.html",
        lesson=lesson,
        records=records,
        counts=counts,
        labels=exports.STATUS_LABELS,
        may_excuse=can(current_user, "attendance.excuse", lesson),
        started=utcnow() >= lesson.starts_at,
    )


@bp.route("/participation/sessions/<int:session_id>/attendance.<any(csv, xlsx):fmt>")
@login_required
def export_sheet(session_id: int, fmt: str):
    lesson = _lesson(session_id)
    records = _records(lesson)
    zone = get_timezone()
    name = f"attendance-{lesson.id}-{lesson.starts_at.astimezone(zone):%Y%m%d}"
    if fmt == "csv":
        body, mimetype = exports.to_csv(records, zone), "text/csv; charset=utf-8"
    else:
        body = exports.to_xlsx(records, zone, lesson.title)
        mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return Response(body, mimetype=mimetype, headers={"Content-Disposition": f'attachment; filename="{name}.{fmt}"'})


def _record(lesson: LiveSession, record_id: int) -> AttendanceRecord:
    record = db.session.get(AttendanceRecord, record_id)
    if record is None or record.session_id != lesson.id:
        abort(404)
    return record


@bp.route("/participation/sessions/<int:session_id>/attendance/<int:record_id>/override", methods=["POST"])
@login_required
def override(session_id: int, record_id: int):
    lesson = _lesson(session_id, "attendance.excuse")
    record = _record(lesson, record_id)
    data = {"status": request.form.get("status") or "excused", "reason": request.form.get("reason")}
    try:
        attendance.override_attendance(current_user, record, data)
    except attendance.AttendanceError as error:
        flash(str(error), "danger")
        return redirect(url_for("participation.sheet", session_id=lesson.id)), 303
    flash(_("Saved: %(name)s.", name=record.student.name), "success")
    return redirect(url_for("participation.sheet", session_id=lesson.id))


@bp.route("/participation/sessions/<int:session_id>/attendance/<int:record_id>/clear", methods=["POST"])
@login_required
def clear(session_id: int, record_id: int):
    lesson = _lesson(session_id, "attendance.excuse")
    attendance.clear_override(current_user, _record(lesson, record_id))
    return redirect(url_for("participation.sheet", session_id=lesson.id))


@bp.route("/participation/sessions/<int:session_id>/attendance/recompute", methods=["POST"])
@login_required
def recompute(session_id: int):
    lesson = _lesson(session_id, "attendance.excuse")
    attendance.compute_attendance(lesson.id)
    flash(_("Attendance recomputed from presence."), "success")
    return redirect(url_for("participation.sheet", session_id=lesson.id))


@bp.route("/participation/me")
@login_required
def my_record():
    if not current_user.has_role(Role.STUDENT):
        abort(403)
    return _student_page(current_user)


@bp.route("/participation/students/<int:student_id>")
@login_required
def student_record(student_id: int):
    student = db.session.get(User, student_id)
    if student is None or student.school_id != current_user.school_id:
        abort(404)
    require(current_user, "participation.student.view", student)
    return _student_page(student)


def _student_page(student: User):
    now = utcnow()
    today = study_time.local_today(student, now)
    days = study_time.study_days([student], today - timedelta(days=6), today)
    week = [days[(student.id, today - timedelta(days=offset))] for offset in range(7)]
    history = db.session.scalars(queries.student_history(student.id).limit(200)).unique().all()
    return render_template(
        "participation/student.html",
        student=student,
        own=student.id == current_user.id,
        today=week[0],
        week=week,
        history=history,
        labels=exports.STATUS_LABELS,
        resources=queries.resources_of(student.id),
        engagement=engagement.compare_with_own_history(student.id, now),
        contacts=_contacts_if_allowed(student),
    )


def _contacts_if_allowed(student: User):
    from app.participation.reach import contacts_of

    return contacts_of(student.id) if can(current_user, "participation.contact.log", student) else None
