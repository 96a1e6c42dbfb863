"""Scopes: parsing the query arguments, naming them, and which classes, courses and students
each one covers (the builders filter the rollups with these)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import select

from app.auth.models import User
from app.core.models import utcnow
from app.extensions import db
from app.orgs.models import Course, OrgUnit, UnitKind, class_membership, course_class, course_teacher
from app.reports.report import ReportError
from app.schedule.policy_index import zone


def kind_label(kind: str) -> str:
    return {
        "school": _("School"),
        "stage": _("Stage"),
        "grade": _("Grade"),
        "class": _("Class"),
        "course": _("Course"),
        "teacher": _("Teacher"),
        "student": _("Student"),
    }.get(kind, kind)


def local_today(user, now: datetime | None = None) -> date:
    now = now or utcnow()
    return now.astimezone(zone(getattr(user, "timezone", None) or "Asia/Shanghai")).date()


def _parse_day(value, field_name: str) -> date | None:
    if value in (None, ""):
        return None
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise ReportError(field_name, _("Enter a date as YYYY-MM-DD.")) from None


def parse_scope(cls, args, user, now: datetime | None = None):
    if user is None or getattr(user, "school_id", None) is None:
        raise ReportError("scope", _("Your account belongs to no school."))
    school_id = user.school_id
    last = _parse_day(args.get("to"), "to")
    first = _parse_day(args.get("from"), "from")
    if last is None:
        last = local_today(user, now) if first is None else first + timedelta(days=6)
    if first is None:
        first = last - timedelta(days=6)
    if first > last:
        raise ReportError("from", _("The start date must not be after the end date."))
    if (last - first).days + 1 > 366:
        raise ReportError("to", _("Choose a range of at most 366 days."))
    kind = (args.get("scope") or "").strip()
    raw_id = args.get("id")
    if not kind:
        from app.reports.permissions import visible_scopes

        scopes = visible_scopes(user)
        if not scopes:
            kind, ident = "school", school_id
        else:
            kind, ident = scopes[0][0], scopes[0][1]
        if raw_id in (None, "") and kind == "school":
            ident = school_id
        return cls(school_id, kind, int(ident), first, last)
    from app.reports.report import SCOPE_KINDS

    if kind not in SCOPE_KINDS:
        raise ReportError("scope", _("Unknown scope."))
    if raw_id in (None, ""):
        if kind != "school":
            raise ReportError("id", _("Choose what to report on."))
        ident = school_id
    else:
        try:
            ident = int(str(raw_id).strip())
        except ValueError:
            raise ReportError("id", _("Choose what to report on.")) from None
    # Ids beyond a 32-bit integer exist nowhere (PostgreSQL would refuse to compare them).
    if not 0 < ident < 2**31 or not _exists(school_id, kind, ident):
        raise ReportError("id", _("There is no such %(kind)s in your school.", kind=kind_label(kind).lower()))
    return cls(school_id, kind, ident, first, last)


def _exists(school_id: int, kind: str, ident: int) -> bool:
    if kind == "school":
        return ident == school_id
    if kind in ("stage", "grade", "class"):
        unit = db.session.get(OrgUnit, ident)
        if unit is None or unit.effective_school_id != school_id:
            return False
        return unit.kind == kind or (kind == "stage" and unit.kind == UnitKind.DEPARTMENT)
    if kind == "course":
        course = db.session.get(Course, ident)
        return course is not None and course.school_id == school_id
    person = db.session.get(User, ident)
    return person is not None and person.school_id == school_id


def label_of(scope) -> str:
    if scope.kind in ("school", "stage", "grade", "class"):
        unit = db.session.get(OrgUnit, scope.id)
        return unit.name if unit else str(scope.id)
    if scope.kind == "course":
        course = db.session.get(Course, scope.id)
        return course.name if course else str(scope.id)
    person = db.session.get(User, scope.id)
    return person.name if person else str(scope.id)


# --- what a scope covers -------------------------------------------------------------------


def class_ids(scope) -> set[int] | None:
    """The classes of a unit scope (None for the whole school: no filter)."""
    if scope.kind == "school":
        return None
    if scope.kind == "class":
        return {scope.id}
    units = db.session.execute(
        select(OrgUnit.id, OrgUnit.parent_id, OrgUnit.kind).where(OrgUnit.school_id == scope.school_id)
    ).all()
    children: dict[int, list] = {}
    for unit_id, parent_id, kind in units:
        children.setdefault(parent_id, []).append((unit_id, kind))
    found, todo = set(), [scope.id]
    while todo:
        for unit_id, kind in children.get(todo.pop(), ()):
            todo.append(unit_id)
            if kind == UnitKind.CLASS:
                found.add(unit_id)
    return found


def course_ids(scope) -> set[int] | None:
    """The courses of a course or teacher scope (None: not a course scope)."""
    if scope.kind == "course":
        return {scope.id}
    if scope.kind == "teacher":
        return set(db.session.scalars(select(course_teacher.c.course_id).where(course_teacher.c.user_id == scope.id)))
    return None


def student_ids(scope) -> set[int] | None:
    """The students a scope covers (None for the whole school)."""
    if scope.kind == "student":
        return {scope.id}
    courses = course_ids(scope)
    if courses is not None:
        classes = set(db.session.scalars(select(course_class.c.class_id).where(course_class.c.course_id.in_(courses))))
    else:
        classes = class_ids(scope)
        if classes is None:
            return None
    if not classes:
        return set()
    return set(db.session.scalars(select(class_membership.c.user_id).where(class_membership.c.class_id.in_(classes))))


def child_units(scope) -> list[tuple[str, int, str]]:
    """The level below a unit scope: (kind, id, name) of stages/grades/classes."""
    units = db.session.execute(
        select(OrgUnit.id, OrgUnit.kind, OrgUnit.name, OrgUnit.grade_number)
        .where(OrgUnit.parent_id == scope.id)
        .order_by(OrgUnit.grade_number, OrgUnit.name, OrgUnit.id)
    ).all()
    result = []
    for unit_id, kind, name, _number in units:
        kind = "stage" if kind == UnitKind.DEPARTMENT else str(kind)
        if kind in ("stage", "grade", "class"):
            result.append((kind, unit_id, name))
    return result
