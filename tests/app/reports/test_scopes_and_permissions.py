"""Scopes parse from query arguments with clear errors; each role sees its own scopes only."""

from datetime import UTC, date, datetime

import pytest
from werkzeug.datastructures import MultiDict

from app.core.permissions import can
from app.reports.permissions import visible_scopes
from app.reports.report import ReportError, Scope

NOON = datetime(2026, 3, 10, 4, 0, tzinfo=UTC)  # 12:00 in Shanghai


def parse(args, user):
    return Scope.parse(MultiDict(args), user, now=NOON)


def test_the_default_is_the_widest_visible_scope_and_the_last_seven_local_days(people):
    scope = parse({}, people.academic_affairs)
    assert (scope.kind, scope.id, scope.first, scope.last) == (
        "school",
        people.school.id,
        date(2026, 3, 4),
        date(2026, 3, 10),
    )
    assert parse({}, people.class_teacher).kind == "class"
    assert (parse({}, people.teacher).kind, parse({}, people.teacher).id) == ("teacher", people.teacher.id)
    assert parse({"from": "2026-03-01"}, people.admin).last == date(2026, 3, 7)


def test_scope_args_round_trip(people):
    scope = parse(
        {"scope": "class", "id": str(people.klass.id), "from": "2026-03-01", "to": "2026-03-02"}, people.admin
    )
    assert parse(scope.args(), people.admin) == scope


@pytest.mark.parametrize(
    "args,field",
    [
        ({"from": "yesterday"}, "from"),
        ({"to": "2026-02-30"}, "to"),
        ({"from": "2026-03-05", "to": "2026-03-01"}, "from"),
        ({"from": "2025-01-01", "to": "2026-01-02"}, "to"),
        ({"scope": "galaxy"}, "scope"),
        ({"scope": "class"}, "id"),
        ({"scope": "course", "id": "0"}, "id"),
    ],
)
def test_bad_arguments_name_their_field(people, args, field):
    with pytest.raises(ReportError) as caught:
        parse(args, people.academic_affairs)
    assert caught.value.field == field and caught.value.message


def test_another_schools_unit_is_unknown_not_forbidden(people):
    with pytest.raises(ReportError) as caught:
        parse({"scope": "class", "id": str(people.klass.id)}, people.foreign_admin)
    assert caught.value.field == "id"


def test_each_role_picks_from_its_own_scopes(people):
    staff = {(kind, ident) for kind, ident, _label in visible_scopes(people.academic_affairs)}
    assert {("school", people.school.id), ("class", people.klass.id), ("course", people.course.id)} <= staff
    assert ("teacher", people.teacher.id) in staff
    teacher = {(kind, ident) for kind, ident, _label in visible_scopes(people.teacher)}
    assert teacher == {("teacher", people.teacher.id), ("course", people.course.id)}
    assert ("class", people.klass.id) in {(k, i) for k, i, _l in visible_scopes(people.class_teacher)}
    assert visible_scopes(people.student) == []


def test_every_visible_scope_is_allowed(people):
    for user in (people.academic_affairs, people.admin, people.teacher, people.class_teacher):
        for kind, ident, _label in visible_scopes(user):
            assert can(user, "reports.view", Scope(user.school_id, kind, ident, date(2026, 3, 1), date(2026, 3, 7)))


def test_a_teacher_may_drill_to_their_students_but_not_to_others(people):
    window = (date(2026, 3, 1), date(2026, 3, 7))
    mine = Scope(people.school.id, "student", people.student.id, *window)
    other = Scope(people.school.id, "student", people.other_student.id, *window)
    assert can(people.teacher, "reports.view", mine) and not can(people.teacher, "reports.view", other)
    assert can(people.class_teacher, "reports.view", mine) and not can(people.class_teacher, "reports.view", other)
    assert not can(people.student, "reports.view", mine)
    assert can(people.academic_affairs, "reports.daily.view", people.school)
    assert not can(people.teacher, "reports.daily.view", people.school)
