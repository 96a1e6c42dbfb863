"""The demo school: its size, determinism, its term, and production's refusal of demo passwords.
The `flask demo seed` command is tested in test_demo_life.py."""

import hashlib
from datetime import date

import pytest
from sqlalchemy import func, select, update

from app import create_app
from app.auth.models import Role, User, UserRole
from app.extensions import db
from app.orgs.demo import DEMO_PASSWORD, DEMO_USERNAMES, seed_demo_school, term_for
from app.orgs.models import Course, OrgUnit, Term, UnitKind, class_membership, course_class, course_teacher


def _count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def _holders(role: Role) -> list[User]:
    return db.session.scalars(select(User).join(UserRole).where(UserRole.role == role).order_by(User.username)).all()


def _school_digest() -> str:
    """A fingerprint of who is in the school, in which classes, with which roles, teaching what."""
    unit = OrgUnit.__table__.alias("unit")
    queries = [
        select(User.username, User.name, unit.c.name)
        .outerjoin(class_membership, class_membership.c.user_id == User.id)
        .outerjoin(unit, unit.c.id == class_membership.c.class_id),
        select(User.username, UserRole.role, unit.c.name)
        .join(UserRole, UserRole.user_id == User.id)
        .outerjoin(unit, unit.c.id == UserRole.unit_id),
        select(Course.code, Course.name, User.username, unit.c.name)
        .join(course_teacher, course_teacher.c.course_id == Course.id)
        .join(User, User.id == course_teacher.c.user_id)
        .join(course_class, course_class.c.course_id == Course.id)
        .join(unit, unit.c.id == course_class.c.class_id),
    ]
    rows = sorted(tuple(map(str, row)) for query in queries for row in db.session.execute(query))
    return hashlib.sha256(repr(rows).encode()).hexdigest()


def test_the_demo_school_has_six_grades_of_four_classes_of_forty_students(app):
    summary = seed_demo_school(seed=7, today=date(2026, 11, 29))

    assert summary.school.name == "课续实验中学" and summary.school.timezone == "Asia/Shanghai"
    grades = db.session.scalars(select(OrgUnit).where(OrgUnit.kind == UnitKind.GRADE).order_by(OrgUnit.grade_number))
    assert [(g.name, g.grade_number, g.stage) for g in grades] == [
        ("初一", 7, "junior"),
        ("初二", 8, "junior"),
        ("初三", 9, "junior"),
        ("高一", 10, "senior"),
        ("高二", 11, "senior"),
        ("高三", 12, "senior"),
    ]
    classes = db.session.scalars(select(OrgUnit).where(OrgUnit.kind == UnitKind.CLASS)).all()
    assert len(classes) == 24 and {len(unit.students) for unit in classes} == {40}
    assert db.session.scalar(select(OrgUnit).where(OrgUnit.code == "C0701")).name == "初一(1)班"
    assert len(_holders(Role.STUDENT)) == 960
    term = db.session.scalar(select(Term))
    assert (term.name, str(term.starts_on), str(term.ends_on)) == ("2026秋季学期", "2026-09-01", "2027-01-22")
    assert term.code == "2026-autumn" and summary.term is term
    assert [u.username for u in _holders(Role.ACADEMIC_AFFAIRS)] == ["jiaowu"]
    assert [u.username for u in _holders(Role.ADMIN)] == ["admin"]
    assert 40 <= summary.teachers <= 60 and summary.courses == _count(Course) == 196


def test_every_class_has_its_subjects_a_class_teacher_and_teachers_with_two_to_four_classes(app):
    seed_demo_school()

    for unit in db.session.scalars(select(OrgUnit).where(OrgUnit.kind == UnitKind.CLASS)):
        subjects = set(db.session.scalars(select(Course.subject).where(Course.classes.contains(unit))))
        assert {"语文", "数学", "英语", "历史"} <= subjects
        assert ("物理" in subjects) == (unit.grade_number >= 8)
        assert ("化学" in subjects) == (unit.grade_number >= 9)
        assert ("道德与法治" in subjects) == (unit.grade_number <= 9)
        assert ("思想政治" in subjects) == (unit.grade_number >= 10)
        leaders = [u for u in _holders(Role.CLASS_TEACHER) if unit.id in u.scoped_unit_ids(Role.CLASS_TEACHER)]
        assert len(leaders) == 1 and any(unit in course.classes for course in leaders[0].taught_courses)
    for teacher in _holders(Role.TEACHER):
        assert 2 <= len({unit.id for course in teacher.taught_courses for unit in course.classes}) <= 4
    t001 = db.session.scalar(select(User).where(User.username == "t001"))
    assert [grant.unit.name for grant in t001.role_grants if grant.role == Role.CLASS_TEACHER] == ["初一(1)班"]


def test_students_have_chinese_names_and_usernames_by_grade_class_and_seat(app):
    seed_demo_school()

    student = db.session.scalar(select(User).where(User.username == "s070101"))
    assert [unit.name for unit in student.classes] == ["初一(1)班"]
    last = db.session.scalar(select(User).where(User.username == "s120440"))
    assert [unit.name for unit in last.classes] == ["高三(4)班"]
    names = db.session.scalars(select(User.name).join(UserRole).where(UserRole.role == Role.STUDENT)).all()
    assert all(2 <= len(name) <= 3 and all("\u4e00" <= ch <= "\u9fff" for ch in name) for name in names)
    assert len(set(names)) > 600  # common surnames repeat, whole names mostly do not


def test_the_same_seed_builds_the_same_school_and_another_seed_a_different_one(app):
    seed_demo_school(seed=11)
    first = _school_digest()
    db.session.rollback()  # the seed only flushed, so this empties the schema again
    seed_demo_school(seed=11)
    assert _school_digest() == first
    db.session.rollback()
    seed_demo_school(seed=12)
    assert _school_digest() != first


@pytest.mark.parametrize(
    ("today", "term"),
    [
        (date(2026, 11, 29), ("2026-autumn", "2026秋季学期", date(2026, 9, 1), date(2027, 1, 22))),
        (date(2027, 1, 10), ("2026-autumn", "2026秋季学期", date(2026, 9, 1), date(2027, 1, 22))),
        (date(2027, 4, 1), ("2027-spring", "2027春季学期", date(2027, 2, 23), date(2027, 7, 10))),
        # In a holiday the term stretches over the weeks the demo timetable fills.
        (date(2027, 8, 20), ("2027-autumn", "2027秋季学期", date(2027, 8, 6), date(2028, 1, 22))),
        (date(2027, 7, 8), ("2027-spring", "2027春季学期", date(2027, 2, 23), date(2027, 7, 15))),
    ],
)
def test_the_demo_term_is_the_one_around_the_day_of_seeding(today, term):
    assert term_for(today) == term


def test_if_empty_does_not_add_the_demo_school_beside_a_real_one(app, school):
    result = app.test_cli_runner().invoke(args=["demo", "seed", "--if-empty"])
    assert result.exit_code == 0 and _count(User) == 0


def test_demo_accounts_sign_in_with_the_demo_password_and_see_their_role_home(app):
    seed_demo_school()
    db.session.commit()

    for username, testid in [
        ("admin", "home-admin"),
        ("jiaowu", "home-academic-affairs"),
        ("t001", "home-class-teacher"),
        ("s070101", "home-courses"),
    ]:
        client = app.test_client()
        response = client.post("/login", data={"username": username, "password": DEMO_PASSWORD})
        assert response.status_code == 302, username
        home = client.get("/").get_data(as_text=True)
        assert f'data-testid="{testid}"' in home, username
    assert "home-admin" not in home and "初一(1)班 语文" in home  # the student sees their own courses


def test_production_refuses_to_start_while_demo_accounts_keep_the_demo_password(app, test_settings):
    seed_demo_school()
    db.session.commit()
    production = {**test_settings, "KEXU_ENV": "production", "SECRET_KEY": "x" * 48}

    with pytest.raises(RuntimeError, match="demo password") as refused:
        create_app(**production)
    assert "admin" in str(refused.value)

    db.session.execute(update(User).where(User.username.in_(DEMO_USERNAMES)).values(disabled=True))
    db.session.commit()
    with pytest.raises(RuntimeError, match="demo password"):
        create_app(**production)  # the other seeded accounts still share the demo password

    for user in db.session.scalars(select(User)):
        user.set_password("a school's own password")
    db.session.commit()
    assert create_app(**production).config["KEXU_ENV"] == "production"


def test_production_refuses_to_start_without_a_secret_key(app, test_settings):
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app(**{**test_settings, "KEXU_ENV": "production", "SECRET_KEY": None})
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app(**{**test_settings, "KEXU_ENV": "production"})  # the development key does not count


def test_production_starts_on_a_database_without_tables(test_settings, tmp_path):
    # `flask db upgrade` itself runs create_app before any table exists.
    settings = {**test_settings, "KEXU_ENV": "production", "SECRET_KEY": "x" * 48}
    empty = tmp_path / "empty.db"
    empty.touch()
    for uri in (f"sqlite:///{empty}", f"sqlite:///{tmp_path / 'not-created-yet.db'}"):
        assert create_app(**{**settings, "SQLALCHEMY_DATABASE_URI": uri}).config["KEXU_ENV"] == "production"
    assert not (tmp_path / "not-created-yet.db").exists()
