"""What the builders share: the level below a scope, names, day series, status labels."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import select

from app.auth.models import User
from app.extensions import db
from app.orgs.models import Course, OrgUnit, class_membership
from app.participation.loading import chunks
from app.reports import scopes
from app.reports.models import LessonClassRollup
from app.reports.report import Column, Scope


def status_label(status: str) -> str:
    from app.participation.exports import STATUS_LABELS

    return str(STATUS_LABELS.get(status, status))


def lesson_status_label(status: str) -> str:
    return {"scheduled": _("Not held"), "held": _("Held"), "cancelled": _("Cancelled"), "upcoming": _("Upcoming")}.get(
        status, status
    )


def child_groups(scope: Scope) -> list[tuple[str, int, str, set[int]]]:
    """For a school, stage or grade: (kind, id, name, class ids) of each unit one level below."""
    result = []
    for kind, unit_id, name in scopes.child_units(scope):
        classes = {unit_id} if kind == "class" else scopes.class_ids(scope.with_kind(kind, unit_id))
        result.append((kind, unit_id, name, classes))
    return result


def _units_of_classes(groups) -> dict[int, list[tuple[str, int]]]:
    units: dict[int, list[tuple[str, int]]] = defaultdict(list)
    for kind, unit_id, _name, classes in groups:
        for class_id in classes:
            units[class_id].append((kind, unit_id))
    return units


def students_by_unit(groups) -> dict[tuple[str, int], set[int]]:
    """(kind, id) -> the distinct students of each unit of child_groups(): a student in two
    classes of one unit is one student of it."""
    units = _units_of_classes(groups)
    result: dict[tuple[str, int], set[int]] = {(kind, unit_id): set() for kind, unit_id, _n, _c in groups}
    for part in chunks(sorted(units)):
        for user_id, class_id in db.session.execute(
            select(class_membership.c.user_id, class_membership.c.class_id).where(class_membership.c.class_id.in_(part))
        ):
            for unit in units[class_id]:
                result[unit].add(user_id)
    return result


def unit_sums(groups, per_student: dict[int, dict], keys) -> dict[tuple[str, int], dict]:
    """(kind, id) -> the sums of `keys` over each unit's distinct students' rows."""
    from app.reports.queries import add_up

    members = students_by_unit(groups)
    return {unit: add_up([per_student[s] for s in ids if s in per_student], keys) for unit, ids in members.items()}


def lessons_by_unit(scope: Scope, groups) -> dict[tuple[str, int], set[int]]:
    """(kind, id) -> the distinct lessons of each unit's classes over the scope's days: a lesson
    for two classes of one unit is one lesson of it."""
    units = _units_of_classes(groups)
    result: dict[tuple[str, int], set[int]] = {}
    pairs = db.session.execute(
        select(LessonClassRollup.class_id, LessonClassRollup.session_id).where(
            LessonClassRollup.school_id == scope.school_id,
            LessonClassRollup.day >= scope.first,
            LessonClassRollup.day <= scope.last,
        )
    )
    for class_id, session_id in pairs:
        for unit in units.get(class_id, ()):
            result.setdefault(unit, set()).add(session_id)
    return result


def names_of_users(ids) -> dict[int, str]:
    names = {}
    for part in chunks(sorted(set(ids))):
        names.update(dict(db.session.execute(select(User.id, User.name).where(User.id.in_(part))).all()))
    return names


def usernames_of(ids) -> dict[int, str]:
    names = {}
    for part in chunks(sorted(set(ids))):
        names.update(dict(db.session.execute(select(User.id, User.username).where(User.id.in_(part))).all()))
    return names


def names_of_courses(ids) -> dict[int, str]:
    names = {}
    for part in chunks(sorted(set(ids))):
        names.update(dict(db.session.execute(select(Course.id, Course.name).where(Course.id.in_(part))).all()))
    return names


def class_names_of_students(school_id: int, ids) -> dict[int, str]:
    """student id -> their classes' names, joined."""
    names = dict(db.session.execute(select(OrgUnit.id, OrgUnit.name).where(OrgUnit.school_id == school_id)).all())
    result: dict[int, list[str]] = defaultdict(list)
    for part in chunks(sorted(set(ids))):
        for user_id, class_id in db.session.execute(
            select(class_membership.c.user_id, class_membership.c.class_id).where(class_membership.c.user_id.in_(part))
        ):
            if class_id in names:
                result[user_id].append(names[class_id])
    return {key: "、".join(sorted(value)) for key, value in result.items()}


def by_day(rows: list[dict], scope: Scope, keys) -> dict[date, dict]:
    """Rows keyed by "key" (a day) filled out to every day of the scope."""
    found = {row["key"]: row for row in rows}
    return {day: found.get(day, {key: 0 for key in keys}) for day in scope.days}


def label_column() -> Column:
    return Column("name", _("Name"), "text")


def below_title(scope: Scope) -> str:
    """The title of the table one level below the scope."""
    return {
        "school": _("By unit"),
        "stage": _("By grade"),
        "grade": _("By class"),
        "class": _("By student"),
        "course": _("By student"),
        "teacher": _("By course"),
        "student": _("By lesson"),
    }[scope.kind]
