"""Who may manage catalog sources, see resources and undo merges."""

from sqlalchemy import select

from app.auth.models import Role
from app.core.permissions import can, rule
from app.extensions import db
from app.orgs.permissions import is_school_staff


def _school_of(obj) -> int | None:
    return getattr(obj, "effective_school_id", None) or getattr(obj, "school_id", None)


@rule("catalog.source.manage")
def can_manage_sources(user, school_or_source) -> bool:
    """Academic affairs and the administrator of the school add, test and harvest its sources."""
    return is_school_staff(user, _school_of(school_or_source), Role.ADMIN, Role.ACADEMIC_AFFAIRS)


@rule("resource.view")
def can_view_resource(user, resource) -> bool:
    """Anyone in the school; a withdrawn resource only where it is assigned (and to school staff).

    A withdrawn lesson stays reachable from the lesson plans that list it, so a class keeps
    its plan; search never shows it (app.catalog.search filters it out).
    """
    if resource is None or user.school_id is None or user.school_id != resource.school_id:
        return False
    if not resource.withdrawn or is_school_staff(user, resource.school_id):
        return True
    from app.catalog.models import LessonPlanItem
    from app.orgs.models import Course

    courses = db.session.scalars(
        select(Course)
        .join(LessonPlanItem, LessonPlanItem.course_id == Course.id)
        .where(LessonPlanItem.resource_id == resource.id)
    ).all()
    return any(can(user, "course.view", course) for course in courses)


@rule("resource.split")
def can_split_resource(user, resource) -> bool:
    """Academic affairs and administrators undo a wrong merge of their school's resources."""
    return resource is not None and is_school_staff(user, resource.school_id, Role.ADMIN, Role.ACADEMIC_AFFAIRS)
