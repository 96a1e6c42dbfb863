"""Who may schedule live sessions, set the study-time policy and approve exceptions."""

from app.auth.models import Role
from app.core.permissions import rule
from app.orgs.permissions import is_school_staff


def _school_of(obj) -> int | None:
    return getattr(obj, "effective_school_id", None) or getattr(obj, "school_id", None)


@rule("session.manage")
def can_manage_sessions(user, course) -> bool:
    """Create, edit, move and cancel a course's sessions: its teachers and academic affairs."""
    if course is None:
        return False
    if is_school_staff(user, course.school_id, Role.ACADEMIC_AFFAIRS):
        return True
    return user.has_role(Role.TEACHER) and user.school_id == course.school_id and user in course.teachers


@rule("policy.manage")
def can_manage_policy(user, school) -> bool:
    return is_school_staff(user, _school_of(school), Role.ACADEMIC_AFFAIRS, Role.ADMIN)


@rule("exception.approve")
def can_approve_exception(user, school) -> bool:
    return is_school_staff(user, _school_of(school), Role.ACADEMIC_AFFAIRS)


@rule("timetable.import")
def can_import_timetable(user, school) -> bool:
    """A whole timetable from a file: the school's academic affairs and administrators."""
    return is_school_staff(user, _school_of(school), Role.ACADEMIC_AFFAIRS, Role.ADMIN)
