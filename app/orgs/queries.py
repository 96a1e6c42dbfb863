"""Read-side queries for schools, units, courses and people, scoped to a viewer."""

from sqlalchemy import Select, false, func, or_, select

from app.auth.models import Role, User, UserRole
from app.orgs.models import Course, OrgUnit, UnitKind, class_membership, course_class, course_teacher


def visible_courses(viewer: User) -> Select:
    """The courses `viewer` may see: all of the school for staff, else their own."""
    query = select(Course).where(Course.school_id == viewer.school_id).order_by(Course.name, Course.id)
    if viewer.has_role(Role.ADMIN, Role.ACADEMIC_AFFAIRS):
        return query
    own_class_ids = select(class_membership.c.class_id).where(class_membership.c.user_id == viewer.id)
    class_teacher_ids = select(UserRole.unit_id).where(
        UserRole.user_id == viewer.id, UserRole.role == Role.CLASS_TEACHER
    )
    taught = select(course_teacher.c.course_id).where(course_teacher.c.user_id == viewer.id)
    via_class = select(course_class.c.course_id).where(
        or_(course_class.c.class_id.in_(own_class_ids), course_class.c.class_id.in_(class_teacher_ids))
    )
    return query.where(or_(Course.id.in_(taught), Course.id.in_(via_class)))


def visible_units(viewer: User) -> Select:
    """Units of the viewer's school; students see the school's tree but only their own classes."""
    if viewer.school_id is None:
        # `school_id == None` would compile to IS NULL, which matches every school.
        return select(OrgUnit).where(false())
    query = select(OrgUnit).where(or_(OrgUnit.school_id == viewer.school_id, OrgUnit.id == viewer.school_id))
    if viewer.has_role(Role.ADMIN, Role.ACADEMIC_AFFAIRS, Role.TEACHER, Role.CLASS_TEACHER):
        return query.order_by(OrgUnit.id)
    own_class_ids = select(class_membership.c.class_id).where(class_membership.c.user_id == viewer.id)
    return query.where(or_(OrgUnit.kind != UnitKind.CLASS, OrgUnit.id.in_(own_class_ids))).order_by(OrgUnit.id)


def units_of_school(school_id: int, kind: UnitKind | None = None) -> Select:
    query = select(OrgUnit).where(OrgUnit.school_id == school_id)
    if kind is not None:
        query = query.where(OrgUnit.kind == kind)
    return query.order_by(OrgUnit.grade_number, OrgUnit.name)


def class_sizes(school_id: int) -> dict[int, int]:
    rows = (
        select(class_membership.c.class_id, func.count())
        .join(OrgUnit, OrgUnit.id == class_membership.c.class_id)
        .where(OrgUnit.school_id == school_id)
        .group_by(class_membership.c.class_id)
    )
    from app.extensions import db

    return dict(db.session.execute(rows).all())


def people_of_school(school_id: int, search: str | None = None, role: Role | None = None) -> Select:
    query = select(User).where(User.school_id == school_id).order_by(User.username)
    if search:
        pattern = f"%{search.strip()}%"
        query = query.where(or_(User.username.ilike(pattern), User.name.ilike(pattern)))
    if role:
        query = query.where(User.id.in_(select(UserRole.user_id).where(UserRole.role == role)))
    return query
