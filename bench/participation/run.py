"""Participation at school scale: a generated 18-week term for a 3,000-student school (60 classes
of 50, three lessons a day each, about a million presence intervals).

Measures: recomputing the whole term's attendance (first run writes every record, a second run
finds nothing changed; the time spent in attendance_changed receivers, the reports' rollups, is
printed apart), the school-wide "not reached" list, and one student's term history.
Targets: term <= 60 s, not reached <= 300 ms, a student's history <= 100 ms.

    .venv/bin/python bench/participation/run.py --db sqlite
    .venv/bin/python bench/participation/run.py --db postgresql [--scale 0.1]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from sqlalchemy import create_engine, insert, select, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from app import create_app  # noqa: E402
from app.extensions import db  # noqa: E402

POSTGRES_URL = "postgresql+psycopg://root@127.0.0.1:5432/test"
WEEKS, CLASSES, PER_CLASS, LESSONS_PER_DAY, MINUTES = 18, 60, 50, 3, 40


def database(kind: str):
    if kind == "sqlite":
        path = Path(tempfile.mkdtemp(prefix="kexu-bench-")) / "participation.db"
        return f"sqlite:///{path}", lambda: None
    admin = make_url(POSTGRES_URL)
    name = f"kexu_bench_{uuid.uuid4().hex[:8]}"
    engine = create_engine(admin, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))

    def drop():
        db.session.remove()
        db.engine.dispose()
        with engine.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))

    return admin.set(database=name).render_as_string(hide_password=False), drop


def rows_in_chunks(table, rows, size=20000):
    for start in range(0, len(rows), size):
        db.session.execute(insert(table), rows[start : start + size])


def generate(scale: float, rng: random.Random) -> dict:
    """The school, its people, its term of lessons and the presence of every lesson."""
    from app.auth.models import Role, User, UserRole
    from app.live.models import PresenceInterval
    from app.orgs.models import Course, OrgUnit, Term, UnitKind, class_membership, course_class
    from app.schedule.models import LiveSession

    classes = max(1, int(CLASSES * scale))
    school = OrgUnit(kind=UnitKind.SCHOOL, name="第一中学", code="BENCH", timezone="Asia/Shanghai")
    db.session.add(school)
    db.session.flush()
    grade = OrgUnit(
        kind=UnitKind.GRADE,
        name="7年级",
        code="G7",
        parent_id=school.id,
        school_id=school.id,
        grade_number=7,
        stage="junior",
    )
    db.session.add(grade)
    db.session.flush()
    today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    first_day = today - timedelta(weeks=WEEKS)
    term = Term(school_id=school.id, code="T", name="学期", starts_on=first_day.date(), ends_on=today.date())
    db.session.add(term)
    db.session.flush()
    class_rows = [
        dict(
            kind=UnitKind.CLASS,
            name=f"{n}班",
            code=f"C{n}",
            parent_id=grade.id,
            school_id=school.id,
            grade_number=7,
            stage="junior",
        )
        for n in range(classes)
    ]
    rows_in_chunks(OrgUnit.__table__, class_rows)
    class_ids = list(db.session.scalars(select(OrgUnit.id).where(OrgUnit.kind == UnitKind.CLASS)))
    user_rows = [
        dict(
            username=f"s{n}",
            name=f"学生{n}",
            school_id=school.id,
            timezone="Asia/Shanghai",
            disabled=False,
            must_change_password=False,
        )
        for n in range(classes * PER_CLASS)
    ]
    rows_in_chunks(User.__table__, user_rows)
    student_ids = list(db.session.scalars(select(User.id).order_by(User.id)))
    rows_in_chunks(UserRole.__table__, [dict(user_id=s, role=Role.STUDENT) for s in student_ids])
    members = {c: student_ids[i * PER_CLASS : (i + 1) * PER_CLASS] for i, c in enumerate(class_ids)}
    rows_in_chunks(class_membership, [dict(user_id=s, class_id=c) for c, ss in members.items() for s in ss])
    course_rows = [
        dict(school_id=school.id, term_id=term.id, code=f"K{c}-{p}", name=f"课{c}-{p}", subject="数学")
        for c in class_ids
        for p in range(LESSONS_PER_DAY)
    ]
    rows_in_chunks(Course.__table__, course_rows)
    courses = db.session.execute(select(Course.id, Course.code)).all()
    course_of = {}
    for course_id, code in courses:
        class_id, period = code[1:].split("-")
        course_of[(int(class_id), int(period))] = course_id
    rows_in_chunks(course_class, [dict(course_id=k, class_id=c) for (c, _p), k in course_of.items()])
    session_rows = []
    for day in range(WEEKS * 7):
        moment = first_day + timedelta(days=day)
        if moment.weekday() >= 5:
            continue
        for (_class_id, period), course_id in course_of.items():
            starts = moment + timedelta(hours=0, minutes=60 * period)  # 08:00 Shanghai and on
            session_rows.append(
                dict(
                    school_id=school.id,
                    course_id=course_id,
                    title="直播课",
                    starts_at=starts,
                    ends_at=starts + timedelta(minutes=MINUTES),
                    original_starts_at=starts,
                    status="scheduled",
                    sequence=0,
                )
            )
    rows_in_chunks(LiveSession.__table__, session_rows)
    lessons = db.session.execute(select(LiveSession.id, LiveSession.course_id, LiveSession.starts_at)).all()
    class_of_course = {k: c for (c, _p), k in course_of.items()}
    # Half the students stop participating in the last week, so the not-reached list has work to do.
    quiet = set(rng.sample(student_ids, len(student_ids) // 20))
    last_week = today - timedelta(days=7)
    intervals = []
    for session_id, course_id, starts in lessons:
        for student_id in members[class_of_course[course_id]]:
            if (student_id in quiet and starts >= last_week) or rng.random() < 0.08:
                continue
            start = starts + timedelta(minutes=rng.choice((-2, 0, 1, 3, 7)))
            pieces = 1 + (rng.random() < 0.25) + (rng.random() < 0.1)
            for _piece in range(pieces):
                end = start + timedelta(minutes=rng.uniform(8, MINUTES) / pieces)
                intervals.append(
                    dict(
                        session_id=session_id,
                        user_id=student_id,
                        connections=0,
                        started_at=start,
                        last_seen_at=end,
                        ended_at=end,
                    )
                )
                start = end + timedelta(minutes=rng.uniform(0.2, 2))
    rows_in_chunks(PresenceInterval.__table__, intervals)
    db.session.commit()
    return {
        "school_id": school.id,
        "term_id": term.id,
        "students": len(student_ids),
        "sessions": len(lessons),
        "intervals": len(intervals),
        "student_ids": student_ids,
        "term_start": first_day,
        "term_end": today,
    }


def median_ms(function, repeat: int) -> float:
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        samples.append((time.perf_counter() - started) * 1000)
        db.session.rollback()
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--scale", type=float, default=1.0, help="share of the 60 classes")
    args = parser.parse_args()
    url, drop = database(args.db)
    app = create_app(SQLALCHEMY_DATABASE_URI=url, KEXU_ENV="testing", TESTING=True)
    with app.app_context():
        db.create_all()
        try:
            run(args, random.Random(7))
        finally:
            drop()


def run(args, rng) -> None:
    from app.participation import attendance, engagement, queries, reach
    from app.participation.attendance import recompute_sessions, sessions_of_term

    # Receivers of attendance_changed (the reports' rollups) run inside the recomputation: timed apart.
    in_receivers = [0.0]
    send = attendance.send_attendance_changed

    def timed_send(*args, **kwargs):
        started = time.perf_counter()
        send(*args, **kwargs)
        in_receivers[0] += time.perf_counter() - started

    attendance.send_attendance_changed = timed_send

    started = time.perf_counter()
    data = generate(args.scale, rng)
    print(
        f"{args.db}: {data['students']} students, {data['sessions']} lessons, {data['intervals']} intervals "
        f"(generated in {time.perf_counter() - started:.0f} s)"
    )
    ids = sessions_of_term(data["term_id"])
    started = time.perf_counter()
    for label in ("first run", "nothing changed"):
        started, in_receivers[0] = time.perf_counter(), 0.0
        written = recompute_sessions(ids)
        db.session.commit()
        print(
            f"term recomputation, {label}: {time.perf_counter() - started:.1f} s ({written} records written; "
            f"{in_receivers[0]:.1f} s of it in attendance_changed receivers)"
        )
    # Five days: the generated term ends on whatever weekday the bench runs, weekends have no lessons.
    listed = len(reach.not_reached(data["school_id"], days=5))
    ms = median_ms(lambda: reach.not_reached(data["school_id"], days=5), 10)
    print(f"not reached, whole school: {ms:.0f} ms median ({listed} students listed)")
    students = rng.sample(data["student_ids"], 20)

    def history():
        student = students[rng.randrange(len(students))]
        rows = db.session.scalars(queries.student_history(student, data["term_start"], data["term_end"])).unique().all()
        engagement.summarize(student, data["term_start"], data["term_end"])
        return rows

    ms = median_ms(history, 20)
    print(f"a student's term history (+ summary): {ms:.1f} ms median ({len(history())} lessons)")


if __name__ == "__main__":
    main()
