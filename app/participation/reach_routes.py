"""Pages: the morning "not reached" list (a class teacher's classes, or the whole school for
academic affairs) and logging a contact with a student."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import get_timezone
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy import select

from app.auth.models import Role, User
from app.core.models import utcnow
from app.core.permissions import can, require
from app.core.routing import parse_id
from app.extensions import db
from app.orgs.models import OrgUnit, UnitKind
from app.participation import bp, reach, study_time
from app.participation.models import ContactChannel, ContactOutcome
from app.participation.settings import setting

CHANNEL_LABELS = {
    "phone": _l("Phone"),
    "wechat": _l("WeChat"),
    "visit": _l("Home visit"),
    "message": _l("Message"),
    "other": _l("Other"),
}
OUTCOME_LABELS = {
    "reached": _l("Reached"),
    "no_answer": _l("No answer"),
    "left_message": _l("Left a message"),
    "other": _l("Other"),
}


def _scope():
    """The classes the viewer looks after, or None for the whole school (academic affairs)."""
    school = db.session.get(OrgUnit, current_user.school_id) if current_user.school_id else None
    if school is not None and can(current_user, "participation.reach.view", school):
        return school, None
    class_ids = current_user.scoped_unit_ids(Role.CLASS_TEACHER)
    if not class_ids:
        abort(403)
    return school, class_ids


@bp.route("/participation/not-reached")
@login_required
def not_reached():
    school, class_ids = _scope()
    chosen = request.args.get("class")
    if chosen:
        class_id = parse_id(chosen)
        unit = db.session.get(OrgUnit, class_id) if class_id else None
        if unit is None or unit.kind != UnitKind.CLASS:
            abort(404)
        require(current_user, "participation.reach.view", unit)
        class_ids = {unit.id}
    days = setting("PARTICIPATION_NOT_REACHED_DAYS")
    students = reach.not_reached(school.id, class_ids, days=days)
    classes = db.session.scalars(
        select(OrgUnit)
        .where(OrgUnit.school_id == school.id, OrgUnit.kind == UnitKind.CLASS)
        .where(OrgUnit.id.in_(class_ids) if class_ids is not None else OrgUnit.id.is_not(None))
        .order_by(OrgUnit.name)
    ).all()
    return render_template(
        "participation/not_reached.html",
        students=students,
        days=days,
        classes=classes,
        chosen=chosen,
        over_limit=_over_limit(classes),
        channels=[(c.value, CHANNEL_LABELS[c.value]) for c in ContactChannel],
        outcomes=[(o.value, OUTCOME_LABELS[o.value]) for o in ContactOutcome],
        outcome_labels=OUTCOME_LABELS,
        channel_labels=CHANNEL_LABELS,
    )


def _over_limit(classes) -> list:
    """Yesterday's and today's days over the daily online total, for the same students."""
    class_ids = [c.id for c in classes]
    if not class_ids:
        return []
    students = db.session.scalars(
        select(User).where(User.classes.any(OrgUnit.id.in_(class_ids)), User.disabled.is_(False))
    ).all()
    students = [s for s in students if s.has_role(Role.STUDENT)]
    now = utcnow()
    today = study_time.local_today(current_user, now)
    from datetime import timedelta

    days = study_time.over_limit_days(students, today - timedelta(days=1), today)
    by_id = {s.id: s for s in students}
    return [(by_id[d.student_id], d) for d in days]


def _parse_local(value: str | None) -> datetime | None:
    """A datetime-local form value in the viewer's zone, as aware UTC."""
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=get_timezone())
    return moment.astimezone(UTC)


@bp.route("/participation/students/<int:student_id>/contacts", methods=["POST"])
@login_required
def log_contact(student_id: int):
    student = db.session.get(User, student_id)
    if student is None or student.school_id != current_user.school_id:
        abort(404)
    require(current_user, "participation.contact.log", student)
    data = {
        "channel": request.form.get("channel"),
        "outcome": request.form.get("outcome"),
        "note": request.form.get("note"),
        "contacted_at": _parse_local(request.form.get("contacted_at")),
    }
    try:
        reach.log_contact(current_user, student, data)
    except reach.ContactError as error:
        flash(str(error), "danger")
    else:
        flash(_("Contact with %(name)s logged.", name=student.name), "success")
    target = request.form.get("next") or ""
    if not target.startswith("/") or target.startswith("//"):
        target = url_for("participation.not_reached")
    return redirect(target, 303)
