"""Scheduling pages: the session form (one-off or weekly), a session's page, edit/move and
cancel. Handlers parse, authorize and delegate to operations; the request boundary commits."""

from __future__ import annotations

from datetime import datetime

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.core.permissions import can, require
from app.extensions import db
from app.orgs.models import Course, OrgUnit
from app.schedule import bp
from app.schedule import operations as ops
from app.schedule.display import describe, local
from app.schedule.forms import CancelForm, EditSessionForm, SessionForm
from app.schedule.loading import school_timezone
from app.schedule.models import LiveSession
from app.schedule.suggestions import suggest_for


def _get(model, object_id):
    obj = db.session.get(model, object_id)
    if obj is None or obj.school_id != current_user.school_id:
        abort(404)
    return obj


def _may_approve(school_id) -> bool:
    return can(current_user, "exception.approve", db.session.get(OrgUnit, school_id))


def _field_errors(form, error: ops.InvalidSchedule) -> None:
    for name, message in error.errors.items():
        field = getattr(
            form, {"starts_at": "day", "start_time": "start", "class_ids": "class_ids"}.get(name, name), None
        )
        if field is not None:
            field.errors = [*field.errors, _(message)]
        else:
            flash(_(message), "error")


@bp.route("/courses/<int:course_id>/sessions/new", methods=["GET", "POST"])
@login_required
def new_session(course_id: int):
    """Schedule a lesson or a weekly series; on refusal show why and the nearest free slots."""
    course = _get(Course, course_id)
    require(current_user, "session.manage", course)
    form = SessionForm()
    form.class_ids.choices = [(unit.id, unit.name) for unit in course.classes]
    school_tz, viewer_tz = school_timezone(course.school_id), current_user.timezone
    if request.method == "GET":
        form.class_ids.data = [unit.id for unit in course.classes]
        form.title.data = course.name
    if request.form.get("use_slot"):
        chosen = local(datetime.fromisoformat(request.form["use_slot"]), viewer_tz)
        form.day.data, form.start.data = chosen.date(), chosen.time().replace(tzinfo=None)
    problems, slots = [], []
    if form.validate_on_submit():
        data = form.operation_data(viewer_tz)
        if data.get("exception_reason") and not _may_approve(course.school_id):
            abort(403)
        try:
            if form.repeat.data:
                series, result = ops.create_series(current_user, course, data)
                first = series.sessions[0]
            else:
                first, result = ops.create_session(current_user, course, data)
            for row in describe(result):
                flash(_("Warning: %(rule)s on %(day)s for %(count)d students.", **row), "warning")
            flash(_("The lesson is scheduled."), "success")
            return redirect(url_for("schedule.session_detail", session_id=first.id))
        except ops.InvalidSchedule as error:
            _field_errors(form, error)
        except ops.ScheduleRefused as error:
            problems = describe(error.result)
            if not form.repeat.data:
                slots = suggest_for(course, form.minutes.data, data["starts_at"], class_ids=data["class_ids"])
    return render_template(
        "schedule/session_form.html",
        form=form,
        course=course,
        problems=problems,
        slots=[local(slot.start, viewer_tz) for slot in slots],
        may_approve=_may_approve(course.school_id),
        school_tz=school_tz,
        viewer_tz=viewer_tz,
    ), (422 if problems else 200)


@bp.route("/schedule/sessions/<int:session_id>")
@login_required
def session_detail(session_id: int):
    session = _get(LiveSession, session_id)
    require(current_user, "course.view", session.course)
    return render_template(
        "schedule/session.html",
        session=session,
        starts=local(session.starts_at, current_user.timezone),
        ends=local(session.ends_at, current_user.timezone),
        may_manage=can(current_user, "session.manage", session.course),
    )


@bp.route("/schedule/sessions/<int:session_id>/edit", methods=["GET", "POST"])
@login_required
def edit_session(session_id: int):
    """Edit or move one lesson, this and the following ones, or the whole series."""
    session = _get(LiveSession, session_id)
    require(current_user, "session.manage", session.course)
    viewer_tz = current_user.timezone
    form = EditSessionForm()
    if not session.series_id:
        form.scope.choices = form.scope.choices[:1]
    if request.method == "GET":
        starts = local(session.starts_at, viewer_tz)
        form.title.data, form.join_url.data, form.minutes.data = session.title, session.join_url, session.minutes
        form.day.data, form.start.data = starts.date(), starts.time().replace(tzinfo=None)
    if request.form.get("use_slot"):
        chosen = local(datetime.fromisoformat(request.form["use_slot"]), viewer_tz)
        form.day.data, form.start.data = chosen.date(), chosen.time().replace(tzinfo=None)
    problems, slots = [], []
    if form.validate_on_submit():
        reason = form.exception_reason.data or None
        if reason and not _may_approve(session.school_id):
            abort(403)
        starts_at = datetime.combine(form.day.data, form.start.data, tzinfo=local(session.starts_at, viewer_tz).tzinfo)
        data = {"title": form.title.data, "join_url": form.join_url.data, "minutes": form.minutes.data}
        data["exception_reason"] = reason
        if form.scope.data == "one":
            data["starts_at"] = starts_at
        else:
            data["start_time"] = local(starts_at, session.series.timezone).time().replace(tzinfo=None)
        try:
            ops.edit_series(current_user, session, data, form.scope.data)
            flash(_("The lesson is changed."), "success")
            return redirect(url_for("schedule.session_detail", session_id=session.id))
        except ops.InvalidSchedule as error:
            _field_errors(form, error)
        except ops.ScheduleRefused as error:
            db.session.rollback()
            problems = describe(error.result)
            if form.scope.data == "one":
                slots = suggest_for(session.course, form.minutes.data, starts_at, session=session)
    return render_template(
        "schedule/edit.html",
        form=form,
        session=session,
        problems=problems,
        slots=[local(slot.start, viewer_tz) for slot in slots],
        may_approve=_may_approve(session.school_id),
        viewer_tz=viewer_tz,
    ), (422 if problems else 200)


@bp.route("/schedule/sessions/<int:session_id>/cancel", methods=["GET", "POST"])
@login_required
def cancel_session(session_id: int):
    session = _get(LiveSession, session_id)
    require(current_user, "session.manage", session.course)
    form = CancelForm()
    if not session.series_id:
        form.scope.choices = form.scope.choices[:1]
    if form.validate_on_submit():
        count = ops.cancel_series(current_user, session, {"reason": form.reason.data}, form.scope.data)
        flash(_("%(count)d lessons cancelled.", count=count), "success")
        return redirect(url_for("schedule.session_detail", session_id=session.id))
    return render_template("schedule/cancel.html", form=form, session=session)
