"""Teachers' catalog pages: search with filters, a resource with every place it is published,
its file download, undoing a wrong merge, and everybody's "My resources"."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import format_date
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.auth.models import Role
from app.catalog import bp, vocab_labels
from app.catalog.merging import explain_merge, split_origin
from app.catalog.models import LessonPlanItem, Resource, ResourceOrigin
from app.catalog.plans import plan_items
from app.catalog.search import LENGTHS, SORTS, search_resources
from app.catalog.uploads import download_url
from app.core.pagination import page_args
from app.core.permissions import can, require
from app.core.sanitizer import sanitize
from app.core.text_input import tolerates_nul_in_query
from app.extensions import db
from app.orgs.current import current_school
from app.orgs.models import Course
from app.orgs.queries import visible_courses
from courses import vocab

FILTER_KEYS = ("level", "stage", "grade", "subject", "edition", "media_type", "length")
RESULTS_PER_PAGE = 20


@bp.app_context_processor
def inject_catalog_helpers():
    # rich(): stored rich text was sanitized when written; sanitizing again on output costs
    # little and keeps a row written by any other path from reaching the page unchecked.
    def may_upload() -> bool:
        return current_user.is_authenticated and can(current_user, "resource.upload", current_user.school)

    def may_browse() -> bool:
        return current_user.is_authenticated and can(current_user, "catalog.browse", current_user.school)

    return {
        **vocab_labels.template_helpers(),
        "rich": lambda value: sanitize(value, "rich"),
        "explain_merge": explain_merge,
        "format_day": lambda value: format_date(value, "medium") if value else "",
        "may_upload": may_upload,
        "may_browse": may_browse,
    }


def _filter_options(school_id: int) -> dict:
    editions = db.session.scalars(
        select(Resource.edition)
        .where(Resource.school_id == school_id, Resource.edition.is_not(None), Resource.withdrawn.is_(False))
        .distinct()
        .order_by(Resource.edition)
        .limit(100)
    ).all()
    return {
        "levels": list(vocab_labels.LEVEL_LABELS.items()),
        "stages": list(vocab_labels.CATALOG_STAGE_LABELS.items()),
        "grades": [(str(number), vocab_labels.grade_label(number)) for number in range(1, 13)],
        "subjects": [(code, vocab_labels.SUBJECT_LABELS.get(code, code)) for code in vocab.SUBJECTS],
        "editions": [(edition, edition) for edition in editions],
        "media_types": list(vocab_labels.MEDIA_TYPE_LABELS.items()),
        "lengths": [(key, vocab_labels.LENGTH_LABELS[key]) for key in LENGTHS],
    }


@bp.route("/catalog")
@login_required
@tolerates_nul_in_query
def search():
    """Search box and filters; an htmx request gets only the results, which replace the old ones."""
    school = current_school()
    require(current_user, "catalog.browse", school)
    filters = {key: (request.args.get(key) or "").strip()[:100] for key in FILTER_KEYS}
    page, _per_page = page_args(per_page=RESULTS_PER_PAGE)
    query_text = request.args.get("q") or ""
    result = search_resources(current_user, query_text, filters, request.args.get("sort"), page, RESULTS_PER_PAGE)
    context = {
        "result": result,
        "q": query_text[:500],
        "filters": filters,
        "options": _filter_options(school.id),
        "sorts": [(key, vocab_labels.SORT_LABELS[key]) for key in SORTS],
        "active_filters": sum(1 for value in filters.values() if value),
    }
    if request.headers.get("HX-Request") and request.headers.get("HX-Target") == "search-results":
        return render_template("catalog/_results.html", **context)
    return render_template("catalog/search.html", **context)


def plannable_courses(resource: Resource) -> list[Course]:
    """The viewer's courses this resource could be added to (none once it is withdrawn)."""
    if resource.withdrawn or not current_user.has_role(Role.TEACHER, Role.ACADEMIC_AFFAIRS, Role.ADMIN):
        return []
    courses = db.session.scalars(visible_courses(current_user).limit(500)).all()
    return [course for course in courses if can(current_user, "course.plan.manage", course)]


@bp.route("/catalog/resources/<int:resource_id>")
@login_required
def resource(resource_id: int):
    resource = db.get_or_404(Resource, resource_id)
    require(current_user, "resource.view", resource)
    return render_resource(resource)


def render_resource(resource: Resource, plan_errors: dict | None = None, plan_form=None, status: int = 200):
    """The resource page; the add-to-plan form comes back with its errors when it was refused."""
    origins = db.session.scalars(
        select(ResourceOrigin)
        .where(ResourceOrigin.resource_id == resource.id)
        .options(selectinload(ResourceOrigin.source))
        .order_by(ResourceOrigin.id)
    ).all()
    assigned = db.session.scalars(
        select(LessonPlanItem)
        .where(LessonPlanItem.resource_id == resource.id)
        .join(Course, Course.id == LessonPlanItem.course_id)
        .order_by(Course.name)
    ).all()
    courses_by_id = {course.id: course for course in db.session.scalars(visible_courses(current_user)).all()}
    return render_template(
        "catalog/resource.html",
        resource=resource,
        origins=origins,
        assigned=[(courses_by_id[item.course_id], item) for item in assigned if item.course_id in courses_by_id],
        courses=plannable_courses(resource),
        may_split=can(current_user, "resource.split", resource) and len(origins) > 1,
        may_manage_upload=can(current_user, "resource.upload.manage", resource),
        plan_errors=plan_errors or {},
        plan_form=plan_form or {},
        # The course a plan page linked from: the Open button passes it on to the progress record.
        opened_from=request.args.get("course", type=int),
    ), status


@bp.route("/catalog/resources/<int:resource_id>/file")
@login_required
def download(resource_id: int):
    """Redirect to a short-lived signed link (presigned on S3); the page never embeds a lasting one."""
    resource = db.get_or_404(Resource, resource_id)
    require(current_user, "resource.view", resource)
    url = download_url(resource)
    if url is None:
        abort(404)
    return redirect(url)


@bp.route("/catalog/origins/<int:origin_id>/split", methods=["POST"])
@login_required
def split(origin_id: int):
    """Academic affairs undo a wrong merge: the origin becomes its own resource again."""
    origin = db.get_or_404(ResourceOrigin, origin_id)
    resource = origin.resource
    require(current_user, "resource.split", resource)
    reason = (request.form.get("reason") or "").strip()[:1000] or None
    try:
        new = split_origin(current_user, origin, reason)
    except ValueError as error:
        flash(str(error), "danger")
        return redirect(url_for("catalog.resource", resource_id=resource.id))
    flash(_("Split off into its own resource, %(title)s; harvests will keep them apart.", title=new.title), "success")
    return redirect(url_for("catalog.resource", resource_id=resource.id))


@bp.route("/my/resources")
@login_required
def my_resources():
    """Each of the viewer's courses with its plan in order; withdrawn items stay, marked as such."""
    courses = db.session.scalars(visible_courses(current_user).limit(100)).all()
    if current_user.has_role(Role.ADMIN, Role.ACADEMIC_AFFAIRS) and not current_user.has_role(Role.TEACHER):
        # The whole school's plans are on each course's page; here, only what staff uploaded.
        courses = []
    plans = [(course, plan_items(course)) for course in courses]
    uploads = db.session.scalars(
        select(Resource).where(Resource.uploaded_by_id == current_user.id).order_by(Resource.id.desc()).limit(200)
    ).all()
    return render_template("catalog/my_resources.html", plans=plans, uploads=uploads)
