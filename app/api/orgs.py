"""/api/v1/org-units and /api/v1/courses, scoped to what the caller may see."""

from flask import abort
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.api.auth import current_api_user
from app.api.base import ApiBlueprint, paginated
from app.api.schemas import CourseListArgsSchema, CourseSchema, OrgUnitListArgsSchema, OrgUnitSchema, page_of
from app.core.permissions import require
from app.extensions import db
from app.orgs.models import Course, OrgUnit, course_class, course_teacher
from app.orgs.queries import visible_courses, visible_units

blp = ApiBlueprint("api-orgs", __name__, description="Schools, their units, and courses")


@blp.route("/org-units")
@blp.arguments(OrgUnitListArgsSchema, location="query")
@blp.response(200, page_of(OrgUnitSchema))
def list_org_units(args):
    """List org units

    The caller's school and its units. Staff and teachers see every class; a student sees the
    school's grades and only their own classes.
    """
    query = visible_units(current_api_user())
    if args.get("kind") is not None:
        query = query.where(OrgUnit.kind == args["kind"])
    if args.get("parent") is not None:
        query = query.where(OrgUnit.parent_id == args["parent"])
    return paginated(query, args)


@blp.route("/courses")
@blp.arguments(CourseListArgsSchema, location="query")
@blp.response(200, page_of(CourseSchema))
def list_courses(args):
    """List courses

    Academic affairs and administrators see every course of their school; teachers the courses
    they teach or whose class they lead; students the courses of their classes.
    """
    query = visible_courses(current_api_user()).options(
        selectinload(Course.term), selectinload(Course.teachers), selectinload(Course.classes)
    )
    if args.get("term") is not None:
        query = query.where(Course.term_id == args["term"])
    if args.get("class_id") is not None:
        in_class = select(course_class.c.course_id).where(course_class.c.class_id == args["class_id"])
        query = query.where(Course.id.in_(in_class))
    if args.get("teacher") is not None:
        taught = select(course_teacher.c.course_id).where(course_teacher.c.user_id == args["teacher"])
        query = query.where(Course.id.in_(taught))
    return paginated(query, args)


@blp.route("/courses/<int:course_id>")
@blp.response(200, CourseSchema)
@blp.alt_response(403, response="FORBIDDEN")
@blp.alt_response(404, response="NOT_FOUND")
def get_course(course_id: int):
    """Get a course

    A course of another school answers 404, so course ids do not leak across schools.
    """
    user = current_api_user()
    course = db.session.get(Course, course_id)
    if course is None or course.school_id != user.school_id:
        abort(404)
    require(user, "course.view", course)
    return course
