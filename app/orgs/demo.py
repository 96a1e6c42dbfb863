"""`flask demo seed`: a believable demo school, 课续实验中学, for trying Kexu out.

Junior and senior high (grades 7-12), four classes a grade, forty students a class, the
teachers of every subject, a class teacher (班主任) for each class, one academic-affairs
account and one administrator. The same seed always builds the same school.
"""

from __future__ import annotations

import os
import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import create_engine, func, inspect, or_, select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.security import check_password_hash, generate_password_hash

from app.auth.models import Role, User, UserRole
from app.core import audit
from app.extensions import db
from app.orgs.models import Course, OrgUnit, Term, UnitKind, stage_for_grade_number

DEMO_PASSWORD = "kexu-demo"
DEFAULT_SEED = 2026
SCHOOL_NAME = "课续实验中学"
SCHOOL_CODE = "KEXU-DEMO"
TIMEZONE = "Asia/Shanghai"
# The accounts the README hands out; production refuses to start while they keep DEMO_PASSWORD.
DEMO_USERNAMES = ("admin", "jiaowu", "t001", "s070101")

DEMO_WEEKS_BACK, DEMO_WEEKS_AHEAD = 2, 1
GRADE_NAMES = {7: "初一", 8: "初二", 9: "初三", 10: "高一", 11: "高二", 12: "高三"}
CLASSES_PER_GRADE = 4
STUDENTS_PER_CLASS = 40
# Autumn term: September to the winter holiday; spring term: after the Spring Festival to July.
AUTUMN = ((9, 1), (1, 22))
SPRING = ((2, 23), (7, 10))

# (subject, code, grades taught), in the order a class teacher is chosen among a class's teachers.
SUBJECTS = (
    ("语文", "YW", range(7, 13)),
    ("数学", "SX", range(7, 13)),
    ("英语", "YY", range(7, 13)),
    ("物理", "WL", range(8, 13)),
    ("化学", "HX", range(9, 13)),
    ("生物", "SW", (7, 8, 10, 11, 12)),
    ("历史", "LS", range(7, 13)),
    ("地理", "DL", (7, 8, 10, 11, 12)),
    ("道德与法治", "DF", range(7, 10)),
    ("思想政治", "ZZ", range(10, 13)),
)
# A teacher usually takes one subject for a whole grade (four classes); in the graduating
# grades 语文 and 数学 are split between two teachers with two classes each.
SPLIT_SUBJECTS = {(9, "语文"), (9, "数学"), (12, "语文"), (12, "数学")}

# The most common surnames, the first ones weighted as they are in the population.
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
    "姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
SURNAME_WEIGHTS = [8] * 5 + [4] * 10 + [2] * 20 + [1] * (len(SURNAMES) - 35)
# Given-name characters popular for children born around 2010 and for adults born 1970-1995.
STUDENT_GIVEN = (
    "子梓涵轩浩宇欣怡雨泽一诺晨博文佳思嘉俊杰明睿然瑞奕可馨萱琪悦彤昊皓辰逸航宸铭宁安乐心语若依雅婷静慧雪晴"
    "芮妍泓翔鑫磊凯鹏阳宏天景书晓梦舒菲蕊颖琳诗芸锦煜铭哲熙紫怡沐"
)
ADULT_GIVEN = "建国华军平红丽敏静燕芳霞伟强勇涛斌波辉刚峰磊鹏杰超娟玲丹艳萍琳颖莉雪梅秀英文明海志春晓婷洁慧卫东"


class DemoSchoolExists(Exception):
    """The demo accounts are already taken; seeding twice would clash on usernames."""


@dataclass(frozen=True)
class DemoSummary:
    school: OrgUnit
    term: Term
    grades: int
    classes: int
    students: int
    teachers: int
    class_teachers: int
    courses: int


class _Names:
    """Chinese names from one random stream, never repeated within a group (a class, the staff)."""

    def __init__(self, rng: random.Random):
        self.rng = rng

    def person(self, given_chars: str, taken: set[str]) -> str:
        while True:
            surname = self.rng.choices(SURNAMES, weights=SURNAME_WEIGHTS)[0]
            length = 1 if self.rng.random() < 0.3 else 2
            name = surname + "".join(self.rng.choice(given_chars) for _ in range(length))
            if name not in taken:
                taken.add(name)
                return name


def term_for(today: date) -> tuple[str, str, date, date]:
    """Code, name and dates of the term around `today`, stretched in the holidays to cover the
    weeks the demo timetable fills (two back, one ahead)."""
    if today.month >= 8 or today.month == 1:
        year = today.year if today.month >= 8 else today.year - 1
        (start_month, start_day), (end_month, end_day) = AUTUMN
        code, name = f"{year}-autumn", f"{year}秋季学期"
        starts_on, ends_on = date(year, start_month, start_day), date(year + 1, end_month, end_day)
    else:
        year = today.year
        (start_month, start_day), (end_month, end_day) = SPRING
        code, name = f"{year}-spring", f"{year}春季学期"
        starts_on, ends_on = date(year, start_month, start_day), date(year, end_month, end_day)
    starts_on = min(starts_on, today - timedelta(days=DEMO_WEEKS_BACK * 7))
    ends_on = max(ends_on, today + timedelta(days=DEMO_WEEKS_AHEAD * 7))
    return code, name, starts_on, ends_on


def seed_demo_school(seed: int = DEFAULT_SEED, today: date | None = None) -> DemoSummary:
    """Build the demo school in the session and flush; the caller commits. The term is the one
    around `today` (the school's today by default)."""
    taken = db.session.scalars(select(User.username).where(User.username.in_(DEMO_USERNAMES))).all()
    if taken:
        raise DemoSchoolExists(f"The demo accounts already exist: {', '.join(sorted(taken))}.")
    rng = random.Random(seed)
    names = _Names(rng)
    # Hash the shared password once: a real hash (scrypt) costs tens of milliseconds, and a
    # thousand of them would make seeding take a minute. The accounts sharing one salt reveals
    # only that they share a password, which the README publishes anyway.
    password_hash = generate_password_hash(
        DEMO_PASSWORD, method=current_app.config.get("KEXU_PASSWORD_HASH_METHOD", "scrypt")
    )

    def account(username: str, name: str, school: OrgUnit, *roles: Role) -> User:
        user = User(username=username, name=name, school=school, password_hash=password_hash, timezone=TIMEZONE)
        user.role_grants.extend(UserRole(role=role) for role in roles)
        db.session.add(user)
        return user

    school = OrgUnit(kind=UnitKind.SCHOOL, name=SCHOOL_NAME, code=SCHOOL_CODE, timezone=TIMEZONE)
    db.session.add(school)
    db.session.flush()
    today = today or datetime.now(UTC).astimezone(ZoneInfo(TIMEZONE)).date()
    code, term_name, starts_on, ends_on = term_for(today)
    term = Term(school_id=school.id, name=term_name, code=code, starts_on=starts_on, ends_on=ends_on)
    db.session.add(term)

    classes_of_grade = _build_units(school)
    student_count = _add_students(classes_of_grade, school, names, account)
    staff_names: set[str] = set()
    teachers, courses = _add_teachers_and_courses(classes_of_grade, school, term, names, staff_names, account)
    class_teachers = _appoint_class_teachers(classes_of_grade, courses)
    account("jiaowu", names.person(ADULT_GIVEN, staff_names), school, Role.ACADEMIC_AFFAIRS)
    account("admin", names.person(ADULT_GIVEN, staff_names), school, Role.ADMIN)
    audit.record(None, "demo.seeded", school, school_id=school.id, seed=seed)
    db.session.flush()
    return DemoSummary(
        school=school,
        term=term,
        grades=len(classes_of_grade),
        classes=sum(len(units) for units in classes_of_grade.values()),
        students=student_count,
        teachers=len(teachers),
        class_teachers=class_teachers,
        courses=len(courses),
    )


def _build_units(school: OrgUnit) -> dict[int, list[OrgUnit]]:
    """Grades 初一..高三 under the school, four classes under each; flushed so they have ids."""
    classes_of_grade: dict[int, list[OrgUnit]] = {}
    for number, grade_name in GRADE_NAMES.items():
        stage = stage_for_grade_number(number)
        grade = OrgUnit(
            kind=UnitKind.GRADE, name=grade_name, code=f"G{number:02d}", parent=school, stage=stage, grade_number=number
        )
        grade.school_id = school.id
        classes_of_grade[number] = [
            OrgUnit(
                kind=UnitKind.CLASS,
                name=f"{grade_name}({index})班",
                code=f"C{number:02d}{index:02d}",
                parent=grade,
                school_id=school.id,
                stage=stage,
                grade_number=number,
            )
            for index in range(1, CLASSES_PER_GRADE + 1)
        ]
        db.session.add(grade)
    db.session.flush()
    return classes_of_grade


def _add_students(classes_of_grade, school, names: _Names, account) -> int:
    count = 0
    for number, units in classes_of_grade.items():
        for index, unit in enumerate(units, start=1):
            class_names: set[str] = set()
            for seat in range(1, STUDENTS_PER_CLASS + 1):
                student = account(
                    f"s{number:02d}{index:02d}{seat:02d}",
                    names.person(STUDENT_GIVEN, class_names),
                    school,
                    Role.STUDENT,
                )
                student.classes.append(unit)
                count += 1
    return count


def _add_teachers_and_courses(classes_of_grade, school, term, names: _Names, staff_names: set[str], account):
    """One course per subject and class, each taught by one teacher who has 2-4 classes.

    Teachers are numbered in grade and subject order, so t001 teaches 语文 in 初一(1)班.
    """
    teachers: list[User] = []
    courses: list[Course] = []
    for number, units in classes_of_grade.items():
        for subject, subject_code, grades in SUBJECTS:
            if number not in grades:
                continue
            size = 2 if (number, subject) in SPLIT_SUBJECTS else len(units)
            for start in range(0, len(units), size):
                teacher = account(
                    f"t{len(teachers) + 1:03d}", names.person(ADULT_GIVEN, staff_names), school, Role.TEACHER
                )
                teachers.append(teacher)
                for unit in units[start : start + size]:
                    course = Course(
                        school_id=school.id,
                        term_id=term.id,
                        code=f"{term.code}-{unit.code}-{subject_code}",
                        name=f"{unit.name} {subject}",
                        subject=subject,
                    )
                    course.teachers.append(teacher)
                    course.classes.append(unit)
                    db.session.add(course)
                    courses.append(course)
    return teachers, courses


def _appoint_class_teachers(classes_of_grade, courses: list[Course]) -> int:
    """Each class's 班主任 is one of its own teachers, earliest subject first, one class each."""
    teachers_of_class: dict[int, list[User]] = {}
    for course in courses:  # already in SUBJECTS order
        teachers_of_class.setdefault(course.classes[0].id, []).extend(course.teachers)
    appointed: set[str] = set()
    for units in classes_of_grade.values():
        for unit in units:
            teacher = next(t for t in teachers_of_class[unit.id] if t.username not in appointed)
            appointed.add(teacher.username)
            teacher.role_grants.append(UserRole(role=Role.CLASS_TEACHER, unit_id=unit.id))
    return len(appointed)


def school_exists() -> bool:
    return db.session.scalar(select(OrgUnit.id).where(OrgUnit.kind == UnitKind.SCHOOL).limit(1)) is not None


def demo_accounts_with_demo_password(database_uri: str, instance_path: str) -> list[str]:
    """Usernames of enabled accounts that still sign in with DEMO_PASSWORD.

    Runs before the app's database is set up (the factory checks production settings first),
    so it opens its own short-lived engine. No tables yet (before `flask db upgrade`) means no
    accounts. Besides the well-known demo usernames it checks every password hash shared by
    several accounts: only the demo seed shares a salt, so that finds the thousand seeded
    students too, at the cost of one hash check per distinct hash.
    """
    url = make_url(database_uri)
    if url.get_backend_name() == "sqlite":
        path = url.database or ""
        if path in ("", ":memory:"):
            return []
        # Flask-SQLAlchemy resolves relative SQLite paths against the instance folder.
        path = path if os.path.isabs(path) else os.path.join(instance_path, path)
        if not os.path.exists(path):
            return []
        url = url.set(database=path)
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            if not inspect(conn).has_table(User.__tablename__):
                return []
            active = select(User.username, User.password_hash).where(User.disabled.is_(False))
            shared = (
                select(User.password_hash)
                .where(User.password_hash.is_not(None))
                .group_by(User.password_hash)
                .having(func.count() > 1)
                .limit(10)
            )
            rows = conn.execute(
                active.where(or_(User.username.in_(DEMO_USERNAMES), User.password_hash.in_(shared))).order_by(
                    User.username
                )
            ).all()
    finally:
        engine.dispose()
    verdicts: dict[str, bool] = {}
    for _username, password_hash in rows:
        if password_hash and password_hash not in verdicts:
            verdicts[password_hash] = check_password_hash(password_hash, DEMO_PASSWORD)
    return [username for username, password_hash in rows if password_hash and verdicts[password_hash]]


def check_no_demo_passwords(app) -> None:
    """Refuse to run a production app while demo accounts keep the published password."""
    try:
        usernames = demo_accounts_with_demo_password(app.config["SQLALCHEMY_DATABASE_URI"], app.instance_path)
    except SQLAlchemyError as error:
        raise RuntimeError(f"Could not check the database for demo accounts before starting: {error}") from error
    if usernames:
        shown = ", ".join(usernames[:5]) + (f" and {len(usernames) - 5} more" if len(usernames) > 5 else "")
        raise RuntimeError(
            f"{len(usernames)} account(s) still have the demo password {DEMO_PASSWORD!r} ({shown}); "
            "refusing to start with KEXU_ENV=production. Use a fresh database rather than the demo school, "
            "or change or disable these accounts first (`KEXU_ENV=development flask users reset-password NAME`)."
        )


def register_cli(app) -> None:
    from app.orgs.demo_cli import demo_cli

    app.cli.add_command(demo_cli)
