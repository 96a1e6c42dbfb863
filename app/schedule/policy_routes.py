"""Academic affairs' pages: the study-time policy per stage and approved exceptions."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from app.core.permissions import require
from app.extensions import db
from app.orgs.current import current_school
from app.orgs.models import Stage
from app.schedule import bp
from app.schedule import operations as ops
from app.schedule.display import weekday_choices
from app.schedule.forms import ExceptionForm
from app.schedule.loading import school_policy
from app.schedule.models import LiveSession, PolicyException
from app.schedule.policy_types import CONFIGURABLE_RULES, RULE_NAMES
from app.schedule.presets import PRESETS
from app.schedule.queries import policy_settings

NUMBER_FIELDS = ("max_lesson_minutes", "max_daily_minutes", "min_break_minutes", "max_lessons_per_day")


def _rules_from_form(stage: str) -> dict:
    form = request.form
    rules = {name: form.get(f"{stage}-{name}") or None for name in NUMBER_FIELDS}
    rules["allowed_start"] = form.get(f"{stage}-allowed_start") or None
    rules["allowed_end"] = form.get(f"{stage}-allowed_end") or None
    rules["allowed_weekdays"] = form.getlist(f"{stage}-allowed_weekdays")
    rules["live_optional"] = bool(form.get(f"{stage}-live_optional"))
    rules["modes"] = {str(rule): form.get(f"{stage}-mode-{rule}", "block") for rule in CONFIGURABLE_RULES}
    return rules


@bp.route("/schedule/policy", methods=["GET", "POST"])
@login_required
def policy():
    """Pick a preset per stage, edit the numbers, set each rule to block, warn or off."""
    school = current_school()
    require(current_user, "policy.manage", school)
    errors: dict[str, dict] = {}
    if request.method == "POST":
        stage = request.form.get("stage", "")
        data = {"stage": stage}
        if request.form.get("action") == "preset":
            data["preset"] = request.form.get(f"{stage}-preset")
        else:
            data["rules"] = _rules_from_form(stage)
        try:
            ops.set_policy(current_user, school, data)
            flash(_("The policy is saved."), "success")
            return redirect(url_for("schedule.policy") + f"#stage-{stage}")
        except ops.InvalidSchedule as error:
            errors[stage] = {name: _(message) for name, message in error.errors.items()}
    stored = policy_settings(school.id)
    policies = school_policy(school.id)
    stages = [
        {
            "key": str(stage),
            "policy": policies.get(str(stage)),
            "preset": stored[str(stage)].preset_key if str(stage) in stored else None,
            "presets": [p for p in PRESETS.values() if str(stage) in p.stages],
        }
        for stage in Stage
    ]
    rules = [(str(rule), _(RULE_NAMES[rule])) for rule in CONFIGURABLE_RULES]
    return render_template(
        "schedule/policy.html",
        stages=stages,
        rules=rules,
        weekdays=weekday_choices(),
        number_fields=NUMBER_FIELDS,
        errors=errors,
    ), (422 if errors else 200)


@bp.route("/schedule/exceptions")
@login_required
def exceptions():
    """Every approved exception of the school, newest first, with its reason."""
    school = current_school()
    require(current_user, "exception.approve", school)
    rows = db.session.scalars(
        select(PolicyException)
        .join(LiveSession)
        .where(LiveSession.school_id == school.id)
        .order_by(PolicyException.approved_at.desc())
        .limit(200)
    ).all()
    return render_template("schedule/exceptions.html", rows=rows, rule_names=RULE_NAMES)


@bp.route("/schedule/sessions/<int:session_id>/exception", methods=["GET", "POST"])
@login_required
def approve_exception(session_id: int):
    """Approve one rule's exception for a stored session, with a written reason."""
    session = db.session.get(LiveSession, session_id)
    if session is None or session.school_id != current_user.school_id:
        abort(404)
    require(current_user, "exception.approve", current_school())
    form = ExceptionForm()
    form.rule.choices = [(str(rule), _(RULE_NAMES[rule])) for rule in CONFIGURABLE_RULES]
    if form.validate_on_submit():
        try:
            ops.approve_exception(current_user, session, {"rule": form.rule.data, "reason": form.reason.data})
            flash(_("The exception is approved."), "success")
            return redirect(url_for("schedule.session_detail", session_id=session.id))
        except ops.InvalidSchedule as error:
            form.reason.errors = [_(message) for message in error.errors.values()]
    return render_template("schedule/exception_form.html", form=form, session=session)


# The timetable import pages are academic affairs' too; importing them here registers them
# with the blueprint wherever the schedule pages are loaded.
from app.schedule import import_routes as _import_routes  # noqa: E402, F401
