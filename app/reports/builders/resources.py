"""Resource use by source level (national, provincial, municipal, school) and subject: what the
scope's students opened, finished and watched in the range (ResourceProgress), beside what their
courses assigned (LessonPlanItem)."""

from __future__ import annotations

from datetime import timedelta

from flask_babel import gettext as _
from sqlalchemy import and_, func, or_, select

from app.auth.models import User
from app.catalog.models import LessonPlanItem, Resource
from app.catalog.vocab_labels import LEVEL_LABELS, SUBJECT_LABELS
from app.extensions import db
from app.orgs.models import Course, class_membership, course_class
from app.participation.models import ResourceProgress
from app.reports import queries as q
from app.reports import scopes
from app.reports.report import Chart, Column, Figure, Report, Scope, Series, Table
from app.schedule.loading import school_timezone
from app.schedule.policy_index import day_start

P = ResourceProgress
NUMBER_KEYS = ("opens", "students", "completed", "minutes", "assigned")


def _progress_filter(scope: Scope) -> list:
    tz = school_timezone(scope.school_id)
    start, end = day_start(scope.first, tz), day_start(scope.last + timedelta(days=1), tz)
    conditions = [
        or_(and_(P.opened_at >= start, P.opened_at < end), and_(P.last_report_at >= start, P.last_report_at < end))
    ]
    courses = scopes.course_ids(scope)
    if courses is not None:
        conditions.append(P.course_id.in_(sorted(courses) or [-1]))
    elif scope.kind == "student":
        conditions.append(P.student_id == scope.id)
    else:
        classes = scopes.class_ids(scope)
        if classes is None:
            conditions.append(P.student_id.in_(select(User.id).where(User.school_id == scope.school_id)))
        else:
            members = select(class_membership.c.user_id).where(class_membership.c.class_id.in_(sorted(classes) or [-1]))
            conditions.append(P.student_id.in_(members))
    return conditions


def _courses(scope: Scope):
    courses = scopes.course_ids(scope)
    if courses is not None:
        return sorted(courses) or [-1]
    if scope.kind == "school":
        return select(Course.id).where(Course.school_id == scope.school_id)
    if scope.kind == "student":
        classes = select(class_membership.c.class_id).where(class_membership.c.user_id == scope.id)
    else:
        classes = sorted(scopes.class_ids(scope) or []) or [-1]
    return select(course_class.c.course_id).where(course_class.c.class_id.in_(classes))


def _grouped(scope: Scope, column) -> dict:
    used = db.session.execute(
        select(
            column,
            func.count(),
            func.count(func.distinct(P.student_id)),
            func.count(P.completed_at),
            q._sum(P.seconds_watched),
        )
        .select_from(P)
        .join(Resource, Resource.id == P.resource_id)
        .where(*_progress_filter(scope))
        .group_by(column)
    ).all()
    result = {
        key: {"opens": opens, "students": students, "completed": completed, "minutes": round(float(sec) / 60, 1)}
        for key, opens, students, completed, sec in used
    }
    assigned = db.session.execute(
        select(column, func.count())
        .select_from(LessonPlanItem)
        .join(Resource, Resource.id == LessonPlanItem.resource_id)
        .where(LessonPlanItem.course_id.in_(_courses(scope)))
        .group_by(column)
    ).all()
    for key, count in assigned:
        result.setdefault(key, {"opens": 0, "students": 0, "completed": 0, "minutes": 0.0})["assigned"] = count
    for row in result.values():
        row.setdefault("assigned", 0)
    return result


def _table(name: str, title: str, head: Column, grouped: dict, labels: dict, order=None) -> Table:
    keys = order or sorted(grouped, key=lambda key: -grouped[key]["opens"])
    rows = [
        {"key": str(labels.get(key, key or _("Unknown"))), **grouped.get(key, {k: 0 for k in NUMBER_KEYS})}
        for key in keys
    ]
    cols = [
        head,
        Column("opens", _("Opened"), "int"),
        Column("students", _("Students"), "int"),
        Column("completed", _("Completed"), "int"),
        Column("minutes", _("Minutes watched"), "minutes"),
        Column("assigned", _("Assigned in plans"), "int"),
    ]
    total = q.add_up(rows, NUMBER_KEYS)
    total["key"] = _("Total")
    total["students"] = None  # a student may use several levels: the sum would count them twice
    return Table(name, title, cols, rows, total)


def headline(scope: Scope) -> list[Figure]:
    row = db.session.execute(
        select(
            func.count(),
            func.count(func.distinct(P.student_id)),
            func.count(func.distinct(P.resource_id)),
            func.count(P.completed_at),
        ).where(*_progress_filter(scope))
    ).one()
    return [
        Figure("resources_opened", _("Resources opened"), int(row[0]), "int", "by_level"),
        Figure("resource_students", _("Students using resources"), int(row[1]), "int", "breakdown"),
        Figure("distinct_resources", _("Different resources used"), int(row[2]), "int", "by_subject"),
        Figure("resources_completed", _("Resources completed"), int(row[3]), "int", "by_level"),
    ]


def breakdown(scope: Scope) -> Table:
    """Use one level below: units, students, a teacher's courses, or one student's resources."""
    from app.reports.builders.common import (
        below_title,
        child_groups,
        class_names_of_students,
        names_of_courses,
        names_of_users,
    )

    numbers = (func.count(), func.count(P.completed_at), q._sum(P.seconds_watched))
    key = {"teacher": P.course_id, "student": P.resource_id}.get(scope.kind, P.student_id)
    found = db.session.execute(select(key, *numbers).where(*_progress_filter(scope)).group_by(key)).all()
    rows = []
    if scope.kind in ("school", "stage", "grade"):
        per_student = {student_id: (opens, done, sec) for student_id, opens, done, sec in found}
        for kind, unit_id, name, class_ids in child_groups(scope):
            members = set(
                db.session.scalars(
                    select(class_membership.c.user_id).where(class_membership.c.class_id.in_(sorted(class_ids) or [-1]))
                )
            )
            mine = [per_student[s] for s in members if s in per_student]
            row = _row(name, len(mine), sum(m[0] for m in mine), sum(m[1] for m in mine), sum(m[2] for m in mine))
            rows.append({**row, "_drill": scope.with_kind(kind, unit_id), "_label": name})
    elif scope.kind == "student":
        titles = dict(
            db.session.execute(
                select(Resource.id, Resource.title).where(Resource.id.in_([r[0] for r in found] or [-1]))
            ).all()
        )
        rows = [_row(titles.get(rid, ""), 1, opens, done, sec) for rid, opens, done, sec in found]
    else:
        kind = "course" if scope.kind == "teacher" else "student"
        names = names_of_courses(r[0] for r in found) if kind == "course" else names_of_users(r[0] for r in found)
        for ident, opens, done, sec in found:
            row = _row(names.get(ident, ""), 1, opens, done, sec)
            rows.append({**row, "_drill": scope.with_kind(kind, ident), "_label": row["name"]})
        if kind == "student":
            classes = class_names_of_students(scope.school_id, [r[0] for r in found])
            for row, (ident, *_rest) in zip(rows, found, strict=True):
                row["class"] = classes.get(ident, "")
    rows.sort(key=lambda r: (-r["opens"], r["name"]))
    cols = [
        Column("name", _("Name"), "text"),
        Column("students", _("Students"), "int"),
        Column("opens", _("Opened"), "int"),
        Column("completed", _("Completed"), "int"),
        Column("minutes", _("Minutes watched"), "minutes"),
    ]
    return Table("breakdown", below_title(scope), cols, rows, None)


def _row(name, students, opens, completed, seconds) -> dict:
    return {
        "name": name,
        "students": int(students),
        "opens": int(opens or 0),
        "completed": int(completed or 0),
        "minutes": round(float(seconds or 0) / 60, 1),
    }


def build(scope: Scope) -> Report:
    levels = _grouped(scope, Resource.level)
    levels = {str(key): value for key, value in levels.items()}
    subjects = _grouped(scope, Resource.subject)
    by_level = _table(
        "by_level", _("By source level"), Column("key", _("Level"), "text"), levels, LEVEL_LABELS, list(LEVEL_LABELS)
    )
    by_subject = _table("by_subject", _("By subject"), Column("key", _("Subject"), "text"), subjects, SUBJECT_LABELS)
    charts = [
        Chart(
            "resources_by_level",
            _("Resources opened by source level"),
            "bar",
            [row["key"] for row in by_level.rows],
            [
                Series(_("Opened"), [row["opens"] for row in by_level.rows]),
                Series(_("Assigned in plans"), [row["assigned"] for row in by_level.rows]),
            ],
            "by_level",
        ),
        Chart(
            "resources_by_subject",
            _("Resources opened by subject"),
            "bar",
            [row["key"] for row in by_subject.rows],
            [Series(_("Opened"), [row["opens"] for row in by_subject.rows])],
            "by_subject",
        ),
    ]
    tables = [by_level, by_subject, breakdown(scope)]
    return Report("resources", _("Resource use"), scope, headline(scope), tables, charts)
