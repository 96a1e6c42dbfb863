"""Who may see and manage schools, units, courses and people."""

from app.auth.models import Role
from app.core.permissions import rule


def _school_of(obj) -> int | None:
    return getattr(obj, "effective_school_id", None) or getattr(obj, "school_id", None)


def is_school_staff(user, school_id, *roles) -> bool:
    """An admin or academic-affairs user of that school (or the roles named)."""
    roles = roles or (Role.ADMIN, Role.ACADEMIC_AFFAIRS)
    return user.has_role(*roles) and user.school_id is not None and user.school_id == school_id


def class_ids_taught(user) -> set[int]:
    return {c.id for course in user.taught_courses for c in course.classes}


def teaches_student(user, student) -> bool:
    student_class_ids = {c.id for c in student.classes}
    if student_class_ids & user.scoped_unit_ids(Role.CLASS_TEACHER):
        return True
    return bool(student_class_ids & class_ids_taught(user))


@rule("school.view")
def can_view_school(user, school) -> bool:
    return user.school_id == _school_of(school)


@rule("school.structure.view")
def can_view_school_structure(user, school) -> bool:
    """The grades and classes of the school, with their sizes: staff and teachers."""
    roles = (Role.ADMIN, Role.ACADEMIC_AFFAIRS, Role.TEACHER, Role.CLASS_TEACHER)
    return is_school_staff(user, _school_of(school), *roles)


@rule("unit.view")
def can_view_unit(user, unit) -> bool:
    """A class page (with its roster for staff): school staff, its teachers, its students."""
    if unit is None or user.school_id != _school_of(unit):
        return False
    if unit.kind != "class" or is_school_staff(user, unit.school_id):
        return True
    if unit.id in user.scoped_unit_ids(Role.CLASS_TEACHER) or unit.id in class_ids_taught(user):
        return True
    return unit in user.classes


@rule("unit.manage")
def can_manage_units(user, school) -> bool:
    return is_school_staff(user, _school_of(school), Role.ADMIN)


@rule("course.view")
def can_view_course(user, course) -> bool:
    if course is None:
        return False
    if is_school_staff(user, course.school_id):
        return True
    if user in course.teachers:
        return True
    course_class_ids = {c.id for c in course.classes}
    if course_class_ids & user.scoped_unit_ids(Role.CLASS_TEACHER):
        return True
    return bool(course_class_ids & {c.id for c in user.classes})


@rule("course.manage")
def can_manage_course(user, course) -> bool:
    return is_school_staff(user, course.school_id) or (user.has_role(Role.TEACHER) and user in course.teachers)


@rule("user.view")
def can_view_user(user, other) -> bool:
    if other is None:
        return False
    if other.id == user.id:
        return True
    if is_school_staff(user, other.school_id):
        return True
    return other.has_role(Role.STUDENT) and teaches_student(user, other)


@rule("user.manage")
def can_manage_users(user, school) -> bool:
    return is_school_staff(user, _school_of(school), Role.ADMIN)


@rule("roster.import")
def can_import_roster(user, school) -> bool:
    return is_school_staff(user, _school_of(school), Role.ADMIN)


@rule("audit.view")
def can_view_audit(user, school) -> bool:
    return is_school_staff(user, _school_of(school), Role.ADMIN)
