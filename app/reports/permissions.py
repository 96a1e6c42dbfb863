"""Who may see which reports.

- academic affairs and administrators: everything in their school;
- a teacher: their own courses (scope "course" they teach, "teacher" = themselves) and the
  students of those courses (the drill-down under them);
- a class teacher: their class and its students;
- students: nothing.
"""

from __future__ import annotations

from sqlalchemy import exists, select

from app.auth.models import Role, User
from app.core.permissions import rule
from app.extensions import db
from app.orgs.models import Course, OrgUnit, UnitKind, class_membership, course_class, course_teacher
from app.orgs.permissions import is_school_staff

REPORT_ROLES = (Role.ADMIN, Role.ACADEMIC_AFFAIRS, Role.TEACHER, Role.CLASS_TEACHER)


def _teaches_course(user, course_id: int) -> bool:
    return bool(
        db.session.scalar(
            select(exists().where(course_teacher.c.course_id == course_id, course_teacher.c.user_id == user.id))
        )
    )


def _student_in_taught_course(user, student_id: int) -> bool:
    taught_classes = (
        select(course_class.c.class_id)
        .join(course_teacher, course_teacher.c.course_id == course_class.c.course_id)
        .where(course_teacher.c.user_id == user.id)
    )
    member = exists().where(class_membership.c.user_id == student_id, class_membership.c.class_id.in_(taught_classes))
    return bool(db.session.scalar(select(member)))


def _student_in_classes(student_id: int, class_ids: set[int]) -> bool:
    if not class_ids:
        return False
    return bool(
        db.session.scalar(
            select(exists().where(class_membership.c.user_id == student_id, class_membership.c.class_id.in_(class_ids)))
        )
    )


@rule("reports.view")
def can_view_reports(user, scope) -> bool:
    """`scope` is a Scope, or None for "may open reports at all"."""
    if user.school_id is None or not user.has_role(*REPORT_ROLES):
        return False
    if scope is None:
        return True
    if scope.school_id != user.school_id:
        return False
    if is_school_staff(user, scope.school_id):
        return True
    if user.has_role(Role.TEACHER):
        if scope.kind == "teacher" and scope.id == user.id:
            return True
        if scope.kind == "course" and _teaches_course(user, scope.id):
            return True
        if scope.kind == "student" and _student_in_taught_course(user, scope.id):
            return True
    own_classes = user.scoped_unit_ids(Role.CLASS_TEACHER)
    if own_classes:
        if scope.kind == "class" and scope.id in own_classes:
            return True
        if scope.kind == "student" and _student_in_classes(scope.id, own_classes):
            return True
    return False


def visible_scopes(user) -> list[tuple[str, int, str]]:
    """The scopes the user may pick, widest first: (kind, id, label)."""
    if user is None or user.school_id is None or not user.has_role(*REPORT_ROLES):
        return []
    school_id = user.school_id
    result: list[tuple[str, int, str]] = []
    if is_school_staff(user, school_id):
        school = db.session.get(OrgUnit, school_id)
        result.append(("school", school_id, school.name if school else str(school_id)))
        units = db.session.execute(
            select(OrgUnit.id, OrgUnit.kind, OrgUnit.name)
            .where(OrgUnit.school_id == school_id)
            .order_by(OrgUnit.grade_number, OrgUnit.name, OrgUnit.id)
        ).all()
        order = {"stage": 0, "grade": 1, "class": 2}
        picked = []
        for unit_id, kind, name in units:
            kind = "stage" if kind == UnitKind.DEPARTMENT else str(kind)
            if kind in order:
                picked.append((order[kind], kind, unit_id, name))
        result += [(kind, unit_id, name) for _o, kind, unit_id, name in sorted(picked, key=lambda p: p[0])]
        courses = db.session.execute(
            select(Course.id, Course.name).where(Course.school_id == school_id).order_by(Course.name, Course.id)
        ).all()
        result += [("course", course_id, name) for course_id, name in courses]
        teachers = db.session.execute(
            select(User.id, User.name)
            .where(User.school_id == school_id, User.id.in_(select(course_teacher.c.user_id)))
            .order_by(User.name, User.id)
        ).all()
        result += [("teacher", teacher_id, name) for teacher_id, name in teachers]
        return result
    if user.has_role(Role.TEACHER):
        result.append(("teacher", user.id, user.name))
        courses = db.session.execute(
            select(Course.id, Course.name)
            .join(course_teacher, course_teacher.c.course_id == Course.id)
            .where(course_teacher.c.user_id == user.id)
            .order_by(Course.name, Course.id)
        ).all()
        result += [("course", course_id, name) for course_id, name in courses]
    own_classes = sorted(user.scoped_unit_ids(Role.CLASS_TEACHER))
    if own_classes:
        names = dict(db.session.execute(select(OrgUnit.id, OrgUnit.name).where(OrgUnit.id.in_(own_classes))).all())
        result = [("class", class_id, names.get(class_id, str(class_id))) for class_id in own_classes] + result
    return result


@rule("reports.daily.view")
def can_view_daily_reports(user, school) -> bool:
    """The stored daily reports of a school (its whole-school tables): academic affairs, admins."""
    school_id = getattr(school, "effective_school_id", None) or getattr(school, "school_id", None) or school
    return is_school_staff(user, school_id)
