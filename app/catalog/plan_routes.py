"""A course's lesson plan pages: see it in order, add a resource, edit, move and remove items.

Moves answer htmx requests with the re-rendered list alone; without JavaScript every form
posts and redirects back, so the page works either way.
"""

from __future__ import annotations

from datetime import date

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.catalog import bp
from app.catalog.models import LessonPlanItem, Resource
from app.catalog.plans import (
    MAX_MINUTES,
    PlanError,
    add_plan_item,
    move_plan_item,
    plan_items,
    remove_plan_item,
    update_plan_item,
)
from app.catalog.routes import render_resource
from app.core.permissions import can, require
from app.core.routing import parse_id
from app.extensions import db
from app.orgs.models import Course


def plan_data_from_form(form) -> dict:
    """Note, date and minutes from a submitted form, typed; PlanError naming the field otherwise."""
    data = {"note": form.get("note", "")}
    raw_date = (form.get("planned_on") or "").strip()
    try:
        data["planned_on"] = date.fromisoformat(raw_date) if raw_date else None
    except ValueError:
        raise PlanError(_("Date: use the form 2026-03-02."), "planned_on") from None
    raw_minutes = (form.get("estimated_minutes") or "").strip()
    try:
        data["estimated_minutes"] = int(raw_minutes) if raw_minutes else None
    except ValueError:
        raise PlanError(
            _("Estimated minutes must be a whole number from 1 to %(most)d.", most=MAX_MINUTES), "estimated_minutes"
        ) from None
    return data


def _course_item(course_id: int, item_id: int) -> tuple[Course, LessonPlanItem]:
    course = db.get_or_404(Course, course_id)
    item = db.get_or_404(LessonPlanItem, item_id)
    if item.course_id != course.id:
        abort(404)
    return course, item


def _render_plan(course: Course, errors: dict | None = None, status: int = 200, partial: bool = False):
    template = "catalog/_plan_items.html" if partial else "catalog/course_plan.html"
    return render_template(
        template,
        course=course,
        items=plan_items(course),
        may_manage=can(current_user, "course.plan.manage", course),
        errors=errors or {},
    ), status


@bp.route("/courses/<int:course_id>/plan")
@login_required
def course_plan(course_id: int):
    course = db.get_or_404(Course, course_id)
    require(current_user, "course.view", course)
    return _render_plan(course)


@bp.route("/catalog/resources/<int:resource_id>/plan", methods=["POST"])
@login_required
def add_to_plan(resource_id: int):
    resource = db.get_or_404(Resource, resource_id)
    require(current_user, "resource.view", resource)
    course_id = parse_id(request.form.get("course_id"))
    course = db.session.get(Course, course_id) if course_id else None
    if course is None:
        errors = {"course_id": [_("Course: choose one of your courses.")]}
        return render_resource(resource, errors, request.form, 422)
    require(current_user, "course.plan.manage", course)
    try:
        add_plan_item(current_user, course, resource, plan_data_from_form(request.form))
    except PlanError as error:
        return render_resource(resource, error.as_errors(), request.form, 422)
    flash(_("Added to the plan of %(course)s.", course=course.name), "success")
    return redirect(url_for("catalog.course_plan", course_id=course.id))


@bp.route("/courses/<int:course_id>/plan/<int:item_id>", methods=["POST"])
@login_required
def update_plan(course_id: int, item_id: int):
    course, item = _course_item(course_id, item_id)
    require(current_user, "course.plan.manage", course)
    try:
        update_plan_item(current_user, item, plan_data_from_form(request.form))
    except PlanError as error:
        return _render_plan(course, {item.id: error.as_errors()}, 422)
    flash(_("Plan item saved."), "success")
    return redirect(url_for("catalog.course_plan", course_id=course.id) + f"#item-{item.id}")


@bp.route("/courses/<int:course_id>/plan/<int:item_id>/move", methods=["POST"])
@login_required
def move_plan(course_id: int, item_id: int):
    course, item = _course_item(course_id, item_id)
    require(current_user, "course.plan.manage", course)
    items = plan_items(course)
    index = next(position for position, other in enumerate(items) if other.id == item.id)
    step = -1 if request.form.get("direction") == "up" else 1
    move_plan_item(current_user, item, index + step)
    if request.headers.get("HX-Request"):
        return _render_plan(course, partial=True)
    return redirect(url_for("catalog.course_plan", course_id=course.id) + f"#item-{item.id}")


@bp.route("/courses/<int:course_id>/plan/<int:item_id>/remove", methods=["POST"])
@login_required
def remove_plan(course_id: int, item_id: int):
    course, item = _course_item(course_id, item_id)
    require(current_user, "course.plan.manage", course)
    title = item.resource.title
    remove_plan_item(current_user, item)
    if request.headers.get("HX-Request"):
        return _render_plan(course, partial=True)
    flash(_("Removed %(title)s from the plan.", title=title), "success")
    return redirect(url_for("catalog.course_plan", course_id=course.id))
