"""Scheduling against the database: a 3,000-student school over a full 18-week term.

Targets from the scheduling issue: checking one new session against every affected student's
term <= 50 ms; importing the whole term's timetable with all checks <= 10 s; suggestions for a
course <= 200 ms. Each runs on SQLite and on PostgreSQL (skipped when the server is not up),
then the engine-only benchmark (policy_check.py) runs too.

Run: .venv/bin/python bench/schedule/run.py [sqlite|postgresql]
"""

import statistics
import sys
import tempfile
import time as clock
import uuid
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from sqlalchemy import create_engine, insert, select, text  # noqa: E402

from app import create_app  # noqa: E402
from app.auth.models import User  # noqa: E402
from app.extensions import db  # noqa: E402
from app.orgs.models import Course, OrgUnit, Stage, Term, UnitKind, class_membership  # noqa: E402

SHANGHAI = ZoneInfo("Asia/Shanghai")
TERM_START, WEEKS = date(2030, 3, 4), 18  # a Monday, in the future so suggestions are offered
CLASSES, STUDENTS_PER_CLASS, SUBJECTS = 12, 250, 4
PERIODS = ["08:00", "08:50", "09:40", "10:30"]  # 30-minute lessons, 20-minute breaks
POSTGRES_ADMIN = "postgresql+psycopg://root@127.0.0.1:5432/test"


def seed() -> tuple[OrgUnit, list[Course]]:
    school = OrgUnit(kind=UnitKind.SCHOOL, name="Bench School", code="BENCH", timezone="Asia/Shanghai")
    db.session.add(school)
    db.session.flush()
    grade = OrgUnit(kind=UnitKind.GRADE, name="G8", parent_id=school.id, school_id=school.id, stage=Stage.JUNIOR)
    term = Term(
        school_id=school.id,
        name="Spring",
        starts_on=TERM_START,
        ends_on=TERM_START + timedelta(weeks=WEEKS) - timedelta(days=1),
    )
    db.session.add_all([grade, term])
    db.session.flush()
    classes = [
        OrgUnit(
            kind=UnitKind.CLASS,
            name=f"8-{n}",
            code=f"C{n}",
            parent_id=grade.id,
            school_id=school.id,
            stage=Stage.JUNIOR,
        )
        for n in range(CLASSES)
    ]
    db.session.add_all(classes)
    teachers = [User(username=f"t{n}", name=f"Teacher {n}", school_id=school.id) for n in range(CLASSES * 2)]
    db.session.add_all(teachers)
    db.session.flush()
    rows = [
        {
            "username": f"s{c}-{n}",
            "name": f"Student {c}-{n}",
            "school_id": school.id,
            "disabled": False,
            "must_change_password": False,
            "timezone": "Europe/London" if n % 50 == 0 else "Asia/Shanghai",
        }
        for c in range(CLASSES)
        for n in range(STUDENTS_PER_CLASS)
    ]
    db.session.execute(insert(User), rows)
    ids = db.session.execute(select(User.id, User.username).where(User.username.like("s%"))).all()
    by_class = {unit.code[1:]: unit.id for unit in classes}
    db.session.execute(
        insert(class_membership), [{"user_id": i, "class_id": by_class[name[1:].split("-")[0]]} for i, name in ids]
    )
    courses = []
    for c, unit in enumerate(classes):
        for subject in range(SUBJECTS):
            course = Course(
                school_id=school.id,
                term_id=term.id,
                code=f"K{c}-{subject}",
                name=f"Course {c}-{subject}",
                subject=str(subject),
            )
            course.classes.append(unit)
            course.teachers.append(teachers[(c + subject) % len(teachers)])
            courses.append(course)
    db.session.add_all(courses)
    db.session.commit()
    return school, courses


def timetable_csv(courses) -> bytes:
    lines = ["course,date,start,minutes,weekdays,count"]
    for course in courses:
        period = PERIODS[int(course.subject)]
        lines.append(f"{course.code},{TERM_START.isoformat()},{period},30,Mon;Tue;Wed;Thu;Fri,{WEEKS * 5}")
    return "\n".join(lines).encode()


def median_ms(function, repeat=20) -> tuple[float, float]:
    samples = []
    for _ in range(repeat):
        started = clock.perf_counter()
        function()
        samples.append((clock.perf_counter() - started) * 1000)
    return statistics.median(samples), max(samples)


def run(url: str, label: str) -> None:
    from app.schedule.checks import check_sessions, make_lesson, new_id
    from app.schedule.models import LiveSession
    from app.schedule.suggestions import suggest_for
    from app.schedule.timetable_import import import_timetable, read_rows

    app = create_app(SQLALCHEMY_DATABASE_URI=url, TESTING=True, KEXU_ENV="testing", BABEL_DEFAULT_LOCALE="en")
    with app.app_context():
        db.create_all()
        school, courses = seed()
        rows = read_rows("term.csv", timetable_csv(courses))
        started = clock.perf_counter()
        report = import_timetable(None, school, rows)
        db.session.commit()
        imported = clock.perf_counter() - started
        assert report.ok, report.problems[:5]
        stored = db.session.scalar(select(db.func.count(LiveSession.id)))
        print(f"\n### {label}: {stored} sessions, {CLASSES * STUDENTS_PER_CLASS} students\n")
        print("| operation | median | worst | target |\n| --- | --- | --- | --- |")
        print(
            f"| import the term's timetable ({len(rows)} weekly rows), all checks, stored "
            f"| {imported * 1000:.0f} ms | | 10,000 ms |"
        )
        course = courses[5]
        wednesday = TERM_START + timedelta(weeks=9, days=2)
        fits = datetime.combine(wednesday, datetime.strptime("14:00", "%H:%M").time(), tzinfo=SHANGHAI)
        lesson = make_lesson(new_id(), course, frozenset(u.id for u in course.classes), fits, 30)
        result = check_sessions(school.id, [lesson])
        assert not result.blocked
        median, worst = median_ms(lambda: check_sessions(school.id, [lesson]))
        print(
            f"| check one new session (loads lessons, students, zones, plan minutes, policy) "
            f"| {median:.1f} ms | {worst:.1f} ms | 50 ms |"
        )
        clash = make_lesson(new_id(), course, frozenset(u.id for u in course.classes), fits.replace(hour=8), 45)
        median, worst = median_ms(lambda: check_sessions(school.id, [clash]))
        print(f"| check one session that clashes and is too long | {median:.1f} ms | {worst:.1f} ms | 50 ms |")
        around = fits.replace(hour=9)
        slots = suggest_for(course, 30, around)
        assert slots
        median, worst = median_ms(lambda: suggest_for(course, 30, around))
        print(f"| suggest 5 slots around a busy morning (course) | {median:.1f} ms | {worst:.1f} ms | 200 ms |")
        db.session.remove()
        db.drop_all()


def postgres_url():
    try:
        engine = create_engine(POSTGRES_ADMIN, isolation_level="AUTOCOMMIT")
        name = f"kexu_bench_{uuid.uuid4().hex[:8]}"
        with engine.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as error:  # noqa: BLE001 - a missing server only skips this half
        print(f"\nPostgreSQL skipped: {error.__class__.__name__}")
        return None, None

    def drop():
        with engine.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))

    return POSTGRES_ADMIN.rsplit("/", 1)[0] + "/" + name, drop


def main():
    kinds = sys.argv[1:] or ["sqlite", "postgresql"]
    if "sqlite" in kinds:
        with tempfile.TemporaryDirectory() as folder:
            run(f"sqlite:///{folder}/bench.db", "SQLite")
    if "postgresql" in kinds:
        url, drop = postgres_url()
        if url:
            try:
                run(url, "PostgreSQL")
            finally:
                drop()
    print("\n### Engine only (bench/schedule/policy_check.py)\n")
    from bench.schedule import policy_check

    policy_check.main()


if __name__ == "__main__":
    main()
