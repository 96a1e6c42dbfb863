"""Factory fixtures: each returns a creator function, and every creator commits.

def test_x(make_user, make_class):
    klass = make_class()
    student = make_user(roles=["student"], classes=[klass])
"""

from __future__ import annotations

import itertools
from datetime import date

import pytest

from app.auth.models import Role, User, UserRole
from app.extensions import db
from app.orgs.models import Course, OrgUnit, Term, UnitKind

PASSWORD = "correct horse 42"
_counter = itertools.count(1)


def _next() -> int:
    return next(_counter)


@pytest.fixture
def make_school(app):
    def make(name=None, timezone="Asia/Shanghai", code=None) -> OrgUnit:
        number = _next()
        school = OrgUnit(
            kind=UnitKind.SCHOOL, name=name or f"第{number}中学", code=code or f"SCH{number}", timezone=timezone
        )
        db.session.add(school)
        db.session.commit()
        return school

    return make


@pytest.fixture
def school(make_school):
    return make_school()


@pytest.fixture
def make_grade(app, school):
    def make(number=7, name=None, parent=None, stage=None) -> OrgUnit:
        parent = parent or school
        from app.orgs.models import stage_for_grade_number

        grade = OrgUnit(
            kind=UnitKind.GRADE,
            name=name or f"{number}年级",
            code=f"G{_next()}",
            parent_id=parent.id,
            school_id=parent.effective_school_id,
            grade_number=number,
            stage=stage or stage_for_grade_number(number),
        )
        db.session.add(grade)
        db.session.commit()
        return grade

    return make


@pytest.fixture
def make_class(app, make_grade):
    def make(grade=None, name=None) -> OrgUnit:
        grade = grade or make_grade()
        number = _next()
        unit = OrgUnit(
            kind=UnitKind.CLASS,
            name=name or f"{number}班",
            code=f"C{number}",
            parent_id=grade.id,
            school_id=grade.school_id,
            grade_number=grade.grade_number,
            stage=grade.stage,
        )
        db.session.add(unit)
        db.session.commit()
        return unit

    return make


@pytest.fixture
def make_user(app, school):
    def make(
        roles=("student",),
        classes=(),
        username=None,
        name=None,
        school_unit=None,
        password=PASSWORD,
        class_teacher_of=(),
        **fields,
    ) -> User:
        number = _next()
        user = User(
            username=username or f"user{number}",
            name=name or f"用户{number}",
            school_id=(school_unit or school).id,
            **fields,
        )
        user.set_password(password)
        for role in roles:
            user.role_grants.append(UserRole(role=Role(role)))
        for unit in class_teacher_of:
            user.role_grants.append(UserRole(role=Role.CLASS_TEACHER, unit_id=unit.id))
        user.classes.extend(classes)
        db.session.add(user)
        db.session.commit()
        return user

    return make


@pytest.fixture
def make_term(app, school):
    def make(name="2026秋季学期", starts_on=date(2026, 9, 1), ends_on=date(2027, 1, 20), school_unit=None) -> Term:
        term = Term(
            school_id=(school_unit or school).id, name=name, code=f"T{_next()}", starts_on=starts_on, ends_on=ends_on
        )
        db.session.add(term)
        db.session.commit()
        return term

    return make


@pytest.fixture
def make_course(app, school):
    def make(name=None, subject="数学", teachers=(), classes=(), term=None, school_unit=None) -> Course:
        number = _next()
        course = Course(
            school_id=(school_unit or school).id,
            name=name or f"{subject}{number}",
            subject=subject,
            code=f"CRS{number}",
            term_id=term.id if term else None,
        )
        course.teachers.extend(teachers)
        course.classes.extend(classes)
        db.session.add(course)
        db.session.commit()
        return course

    return make


@pytest.fixture
def login(client):
    """Sign `user` in through the real login form; returns the response."""

    def sign_in(user, password=PASSWORD, test_client=None):
        return (test_client or client).post("/login", data={"username": user.username, "password": password})

    return sign_in


@pytest.fixture
def people(make_school, make_class, make_user, make_course, school):
    """One of every role in a school, plus a second school's staff to check scoping.

    Returns a namespace: student, other_student (same school, other class), teacher (teaches
    student's class), other_teacher, class_teacher (of student's class), academic_affairs,
    admin, foreign_admin (another school), klass, other_class, course, other_course.
    """
    from types import SimpleNamespace

    klass = make_class()
    other_class = make_class()
    student = make_user(classes=[klass])
    other_student = make_user(classes=[other_class])
    teacher = make_user(roles=["teacher"])
    other_teacher = make_user(roles=["teacher"])
    class_teacher = make_user(roles=["teacher"], class_teacher_of=[klass])
    academic_affairs = make_user(roles=["academic_affairs"])
    admin = make_user(roles=["admin"])
    other_school = make_school()
    foreign_admin = make_user(roles=["admin", "academic_affairs"], school_unit=other_school)
    course = make_course(teachers=[teacher], classes=[klass])
    other_course = make_course(teachers=[other_teacher], classes=[other_class], subject="语文")
    return SimpleNamespace(**locals())
