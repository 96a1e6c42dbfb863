"""Who may see and change participation records.

- attendance of a lesson: the course's teachers, the class teachers of its classes, and the
  school's academic affairs and administrators; excusing: the course's teachers and academic affairs.
- a student's record: the student, their class teachers, teachers who teach them, school staff.
- the "not reached" list: a class teacher for their classes, academic affairs for the school.
- contacts: a student's class teachers and academic affairs log them; the author or academic
  affairs change or delete one.
- xAPI export and forwarding: the school's administrators.
"""

from app.auth.models import Role
from app.core.permissions import rule
from app.live.permissions import is_course_teacher, session_class_ids
from app.orgs.permissions import is_school_staff, teaches_student


def _school_of(obj) -> int | None:
    return getattr(obj, "effective_school_id", None) or getattr(obj, "school_id", None)


def is_class_teacher_of_student(user, student) -> bool:
    return bool({c.id for c in student.classes} & user.scoped_unit_ids(Role.CLASS_TEACHER))


@rule("attendance.view")
def can_view_attendance(user, session) -> bool:
    if session is None or user.school_id != session.school_id:
        return False
    if is_school_staff(user, session.school_id) or is_course_teacher(user, session):
        return True
    return bool(session_class_ids(session) & user.scoped_unit_ids(Role.CLASS_TEACHER))


@rule("attendance.excuse")
def can_excuse(user, session) -> bool:
    if session is None or user.school_id != session.school_id:
        return False
    return is_course_teacher(user, session) or is_school_staff(user, session.school_id, Role.ACADEMIC_AFFAIRS)


@rule("participation.student.view")
def can_view_student_record(user, student) -> bool:
    if student is None or user.school_id != student.school_id:
        return False
    if student.id == user.id:
        return True
    if not student.has_role(Role.STUDENT):
        return False
    return is_school_staff(user, student.school_id) or teaches_student(user, student)


@rule("participation.reach.view")
def can_view_not_reached(user, unit) -> bool:
    """`unit` is a class (its class teacher or academic affairs) or a school (academic affairs)."""
    if unit is None or user.school_id != _school_of(unit):
        return False
    if is_school_staff(user, _school_of(unit), Role.ACADEMIC_AFFAIRS):
        return True
    return unit.kind == "class" and unit.id in user.scoped_unit_ids(Role.CLASS_TEACHER)


@rule("participation.contact.log")
def can_log_contact(user, student) -> bool:
    if student is None or user.school_id != student.school_id or not student.has_role(Role.STUDENT):
        return False
    return is_school_staff(user, student.school_id, Role.ACADEMIC_AFFAIRS) or is_class_teacher_of_student(user, student)


@rule("participation.contact.manage")
def can_manage_contact(user, log) -> bool:
    if log is None or user.school_id != log.school_id:
        return False
    return log.by_id == user.id or is_school_staff(user, log.school_id, Role.ACADEMIC_AFFAIRS)


@rule("participation.class.view")
def can_view_class_participation(user, unit) -> bool:
    """Attendance of a whole class over a date range (API)."""
    if unit is None or user.school_id != _school_of(unit) or unit.kind != "class":
        return False
    if is_school_staff(user, _school_of(unit)):
        return True
    if unit.id in user.scoped_unit_ids(Role.CLASS_TEACHER):
        return True
    return any(unit.id in {c.id for c in course.classes} for course in user.taught_courses)


@rule("xapi.export")
def can_export_xapi(user, school) -> bool:
    return is_school_staff(user, _school_of(school), Role.ADMIN)
