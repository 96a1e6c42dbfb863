"""/api/v1/resources (search the catalog, one resource with its origins) and a course's lesson plan
at /api/v1/courses/{id}/resources. The same operations and rules as the pages."""

from __future__ import annotations

from flask import abort
from flask_smorest import abort as abort_with
from marshmallow import fields, validate
from sqlalchemy import select

from app.api.auth import current_api_user
from app.api.base import ApiBlueprint
from app.api.schemas import PageArgsSchema, page_of
from app.api.validation import ApiSchema, Id
from app.catalog.merging import explain_merge
from app.catalog.models import LessonPlanItem, Resource, ResourceOrigin
from app.catalog.plans import MAX_MINUTES, NOTE_MAX_LENGTH, PlanError, add_plan_item, plan_items, remove_plan_item
from app.catalog.search import LENGTHS, SORTS, search_resources
from app.catalog.uploads import download_url
from app.core.pagination import page_args
from app.core.permissions import require
from app.extensions import db
from app.orgs.models import Course
from courses import vocab

blp = ApiBlueprint("api-catalog", __name__, description="The resource catalog and courses' lesson plans")


class ResourceSummarySchema(ApiSchema):
    id = fields.Integer()
    title = fields.String()
    url = fields.String(allow_none=True, metadata={"description": "Where the resource is published, if harvested"})
    level = fields.String(metadata={"description": "national, provincial, municipal or school"})
    provider = fields.String(allow_none=True)
    subject = fields.String(allow_none=True, metadata={"description": "Subject code, e.g. math"})
    stages = fields.List(fields.String())
    grades = fields.List(fields.Integer())
    edition = fields.String(allow_none=True)
    chapter = fields.String(allow_none=True)
    duration_minutes = fields.Integer(allow_none=True)
    media_type = fields.String()
    withdrawn = fields.Boolean()
    uploaded = fields.Function(lambda resource: resource.storage_key is not None, metadata={"type": "boolean"})


class OriginSchema(ApiSchema):
    id = fields.Integer()
    source = fields.Function(lambda origin: origin.source.name if origin.source else None, metadata={"type": "string"})
    external_id = fields.String()
    url = fields.String(allow_none=True)
    level = fields.String()
    provider = fields.String(allow_none=True)
    merge_reason = fields.String(metadata={"description": "first, url, content or split"})
    merge_explanation = fields.Function(explain_merge, metadata={"type": "string", "description": "Why it merged"})
    first_seen_at = fields.AwareDateTime()
    last_seen_at = fields.AwareDateTime()
    withdrawn_at = fields.AwareDateTime(allow_none=True)


class ResourceDetailSchema(ResourceSummarySchema):
    description = fields.String(metadata={"description": "Sanitized HTML"})
    language = fields.String(allow_none=True)
    licence = fields.String(allow_none=True)
    file_name = fields.String(allow_none=True)
    file_size = fields.Integer(allow_none=True)
    file_sha256 = fields.String(allow_none=True)
    download_url = fields.Function(
        download_url, metadata={"type": "string", "description": "Signed, expiring link to an uploaded file"}
    )
    origins = fields.List(fields.Nested(OriginSchema))


class ResourceSearchArgsSchema(PageArgsSchema):
    q = fields.String(metadata={"description": "Words to find (Chinese or English); empty lists everything"})
    level = fields.String(validate=validate.OneOf(["national", "provincial", "municipal", "school"]))
    stage = fields.String(validate=validate.OneOf(list(vocab.STAGES)))
    grade = fields.Integer(validate=validate.Range(min=1, max=12))
    subject = fields.String(validate=validate.OneOf(list(vocab.SUBJECTS)))
    edition = fields.String(validate=validate.Length(max=80))
    media_type = fields.String(validate=validate.OneOf(list(vocab.MEDIA_TYPES)))
    length = fields.String(validate=validate.OneOf(list(LENGTHS)))
    sort = fields.String(validate=validate.OneOf(list(SORTS)))


class ResourceSearchPageSchema(page_of(ResourceSummarySchema)):
    notice = fields.String(allow_none=True, metadata={"description": "empty, no_terms, truncated, partial, no_results"})
    message = fields.String(allow_none=True, metadata={"description": "What to tell the searcher, translated"})
    more = fields.Boolean(metadata={"description": "More resources match than `total` (counts stop at 1,000)"})


class PlanItemSchema(ApiSchema):
    id = fields.Integer()
    position = fields.Integer(metadata={"description": "0-based order in the plan"})
    note = fields.String(metadata={"description": "Sanitized HTML"})
    planned_on = fields.Date(allow_none=True)
    estimated_minutes = fields.Integer(allow_none=True)
    resource = fields.Nested(ResourceSummarySchema)


class PlanItemInputSchema(ApiSchema):
    resource_id = Id(required=True)
    note = fields.String(validate=validate.Length(max=NOTE_MAX_LENGTH), load_default="")
    planned_on = fields.Date(allow_none=True)
    estimated_minutes = fields.Integer(allow_none=True, validate=validate.Range(min=1, max=MAX_MINUTES))
    position = fields.Integer(validate=validate.Range(min=0), metadata={"description": "0-based; default: last"})


def _resource_in_school(resource_id: int) -> Resource:
    """A resource of the caller's school; another school's ids answer 404 so they do not leak."""
    user = current_api_user()
    resource = db.session.get(Resource, resource_id)
    if resource is None or resource.school_id != user.school_id:
        abort(404)
    require(user, "resource.view", resource)
    return resource


def _course_in_school(course_id: int, action: str) -> Course:
    user = current_api_user()
    course = db.session.get(Course, course_id)
    if course is None or course.school_id != user.school_id:
        abort(404)
    require(user, action, course)
    return course


@blp.route("/resources")
@blp.arguments(ResourceSearchArgsSchema, location="query")
@blp.response(200, ResourceSearchPageSchema)
@blp.alt_response(403, response="FORBIDDEN")
def list_resources(args):
    """Search the catalog

    Teachers, academic affairs and administrators search their school's catalog: every word of
    `q` must match (title matches first), narrowed by the filters. Withdrawn resources are never
    listed. An empty or unsearchable `q` lists everything, with a `notice` saying so.
    """
    user = current_api_user()
    require(user, "catalog.browse", user.school)
    page, per_page = page_args(args.get("page"), args.get("per_page"))
    filters = {key: args.get(key) for key in ("level", "stage", "grade", "subject", "edition", "media_type", "length")}
    result = search_resources(user, args.get("q"), filters, args.get("sort"), page, per_page)
    return {"items": result.items, **result.meta(), "notice": result.notice, "message": result.message}


@blp.route("/resources/<int:resource_id>")
@blp.response(200, ResourceDetailSchema)
@blp.alt_response(403, response="FORBIDDEN")
@blp.alt_response(404, response="NOT_FOUND")
def get_resource(resource_id: int):
    """Get a resource with its origins

    Every place the resource is published, with why each one was merged into it. Uploaded files
    come with a signed `download_url` that expires.
    """
    resource = _resource_in_school(resource_id)
    resource.origins = list(db.session.scalars(select(ResourceOrigin).where(ResourceOrigin.resource_id == resource.id)))
    return resource


@blp.route("/courses/<int:course_id>/resources")
@blp.arguments(PageArgsSchema, location="query")
@blp.response(200, page_of(PlanItemSchema))
@blp.alt_response(403, response="FORBIDDEN")
@blp.alt_response(404, response="NOT_FOUND")
def list_course_resources(args, course_id: int):
    """List a course's lesson plan

    The resources assigned to the course, in order. Everyone who may see the course sees its
    plan, withdrawn resources included (marked `withdrawn`).
    """
    course = _course_in_school(course_id, "course.view")
    page, per_page = page_args(args.get("page"), args.get("per_page"))
    items = plan_items(course)
    start = (page - 1) * per_page
    return {
        "items": items[start : start + per_page],
        "page": page,
        "per_page": per_page,
        "total": len(items),
        "pages": max(1, -(-len(items) // per_page)),
    }


@blp.route("/courses/<int:course_id>/resources", methods=["POST"])
@blp.arguments(PlanItemInputSchema)
@blp.response(201, PlanItemSchema)
@blp.alt_response(403, response="FORBIDDEN")
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
def add_course_resource(data, course_id: int):
    """Add a resource to a course's lesson plan

    For the course's teachers and the school's academic affairs. A withdrawn resource, or one
    already in the plan, is refused with 422 naming `resource_id`.
    """
    course = _course_in_school(course_id, "course.plan.manage")
    resource = db.session.get(Resource, data.pop("resource_id"))
    if resource is None or resource.school_id != course.school_id:
        abort_with(422, message=PlanError.unknown_resource(), errors={"resource_id": [PlanError.unknown_resource()]})
    try:
        return add_plan_item(current_api_user(), course, resource, data), 201
    except PlanError as error:
        abort_with(422, message=error.message, errors=error.as_errors())


@blp.route("/courses/<int:course_id>/resources/<int:resource_id>", methods=["DELETE"])
@blp.response(204)
@blp.alt_response(403, response="FORBIDDEN")
@blp.alt_response(404, response="NOT_FOUND")
def remove_course_resource(course_id: int, resource_id: int):
    """Remove a resource from a course's lesson plan

    The resource stays in the catalog. A resource that is not in the plan answers 404.
    """
    course = _course_in_school(course_id, "course.plan.manage")
    item = db.session.scalar(
        select(LessonPlanItem).where(LessonPlanItem.course_id == course.id, LessonPlanItem.resource_id == resource_id)
    )
    if item is None:
        abort(404)
    remove_plan_item(current_api_user(), item)
