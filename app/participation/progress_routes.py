"""Opening and watching resources: records the opening, then hands over to the resource; the
watch page plays an uploaded video and static/js/progress.js reports the played ranges."""

from __future__ import annotations

from flask import abort, jsonify, redirect, render_template, request
from flask_login import current_user, login_required

from app.auth.models import Role
from app.catalog.models import Resource
from app.catalog.uploads import download_url
from app.core.permissions import can, require
from app.core.routing import parse_id
from app.extensions import db
from app.orgs.models import Course
from app.participation import bp, progress
from app.participation.screen_time import viewer_screen_time_notice, viewer_sitting_minutes

# The screen-time banner (participation/_screen_time.html) is included by pages of other
# domains (timetable, catalog); it asks for the viewer's notice itself, so their handlers need
# not know about study time.
bp.add_app_template_global(viewer_screen_time_notice, "screen_time_notice")
bp.add_app_template_global(viewer_sitting_minutes, "screen_sitting_minutes")


def _resource(resource_id: int) -> Resource:
    resource = db.session.get(Resource, resource_id)
    if resource is None:
        abort(404)
    require(current_user, "resource.view", resource)
    return resource


def _course_id(value) -> int | None:
    """The course the resource was opened from, if the viewer is in it."""
    course_id = parse_id(value)
    course = db.session.get(Course, course_id) if course_id else None
    return course.id if course is not None and can(current_user, "course.view", course) else None


@bp.route("/participation/resources/<int:resource_id>/open")
@login_required
def open_resource(resource_id: int):
    resource = _resource(resource_id)
    course_id = _course_id(request.args.get("course"))
    if current_user.has_role(Role.STUDENT):
        progress.open_resource(current_user, resource, course_id)
    if resource.storage_key and (resource.content_type or "").startswith("video/"):
        return redirect(f"/participation/resources/{resource.id}/watch" + (f"?course={course_id}" if course_id else ""))
    target = download_url(resource) if resource.storage_key else resource.url
    if not target:
        abort(404)
    return redirect(target)


@bp.route("/participation/resources/<int:resource_id>/watch")
@login_required
def watch(resource_id: int):
    resource = _resource(resource_id)
    if not resource.storage_key or not (resource.content_type or "").startswith("video/"):
        abort(404)
    course_id = _course_id(request.args.get("course"))
    record = None
    if current_user.has_role(Role.STUDENT):
        record = progress.open_resource(current_user, resource, course_id)
    config = {"resource": resource.id, "course": course_id, "url": f"/participation/resources/{resource.id}/progress"}
    return render_template(
        "participation/watch.html",
        resource=resource,
        src=download_url(resource),
        config=config,
        progress=record,
        sitting_minutes=viewer_sitting_minutes(),
    )


@bp.route("/participation/resources/<int:resource_id>/progress", methods=["POST"])
@login_required
def report_progress(resource_id: int):
    """JSON {ranges: [[start, end], ...], duration, course}: the ranges played since the last report."""
    resource = _resource(resource_id)
    if not current_user.has_role(Role.STUDENT):
        return jsonify({"recorded": False}), 200
    data = request.get_json(silent=True) or {}
    data["course"] = _course_id(data.get("course"))
    try:
        record = progress.record_playback(current_user, resource, data)
    except progress.ProgressError as error:
        return jsonify({"code": "invalid", "message": str(error)}), 422
    return jsonify(
        {
            "recorded": True,
            "seconds_watched": record.seconds_watched,
            "completed": record.completed_at is not None,
            "share": progress.share_watched(record),
        }
    )
