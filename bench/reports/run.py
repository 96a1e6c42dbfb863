"""Reports at school scale: a generated 16-week term for a 3,000-student school (3 grades of 20
classes of 50; 3 courses a class, 60 teachers; 3 lessons a class each weekday, a few too long or
too close; attendance records, presence, resource progress and plan items).

Measures: building the term's rollups (`refresh_rollups`), the whole-school dashboard (last 7
days, and the whole term), each report one level down and further (grade, class, course,
teacher, student; last 7 days), and the XLSX export of the whole term's per-student table.
Targets: dashboard <= 500 ms, each drill-down <= 200 ms, the export <= 10 s.

    .venv/bin/python bench/reports/run.py --db sqlite|postgresql [--scale 0.1]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from sqlalchemy import select  # noqa: E402

from app import create_app  # noqa: E402
from app.extensions import db  # noqa: E402
from bench.participation.run import database, rows_in_chunks  # noqa: E402

WEEKS, GRADES, CLASSES_PER_GRADE, PER_CLASS = 16, 3, 20, 50
SUBJECTS = ("math", "chinese", "english")
STATUSES = (("present", 0.80), ("late", 0.07), ("left_early", 0.03), ("absent", 0.08), ("excused", 0.02))
LEVELS = ("national", "provincial", "municipal", "school")


def _pick(rng, weighted):
    roll, total = rng.random(), 0.0
    for value, weight in weighted:
        total += weight
        if roll < total:
            return value
    return weighted[-1][0]


def generate(scale: float, rng: random.Random) -> dict:
    from app.auth.models import Role, User, UserRole
    from app.catalog.models import LessonPlanItem, Resource
    from app.live.models import LessonRoomState, PresenceInterval
    from app.orgs.models import Course, OrgUnit, Term, UnitKind, class_membership, course_class, course_teacher
    from app.participation.models import AttendanceRecord, ResourceProgress, ResourceStudyDay
    from app.schedule.models import LiveSession

    per_grade = max(1, int(CLASSES_PER_GRADE * scale))
    school = OrgUnit(kind=UnitKind.SCHOOL, name="第一中学", code="BENCH", timezone="Asia/Shanghai")
    db.session.add(school)
    db.session.flush()
    today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    first_day = today - timedelta(weeks=WEEKS) + timedelta(days=1)
    term = Term(school_id=school.id, code="T", name="学期", starts_on=first_day.date(), ends_on=today.date())
    db.session.add(term)
    class_ids, grade_ids = [], []
    for number in range(7, 7 + GRADES):
        grade = OrgUnit(
            kind=UnitKind.GRADE, name=f"{number}年级", code=f"G{number}", parent_id=school.id,
            school_id=school.id, grade_number=number, stage="junior",
        )  # fmt: skip
        db.session.add(grade)
        db.session.flush()
        grade_ids.append(grade.id)
        for n in range(per_grade):
            unit = OrgUnit(
                kind=UnitKind.CLASS, name=f"{number}年级{n + 1}班", code=f"C{number}-{n}", parent_id=grade.id,
                school_id=school.id, grade_number=number, stage="junior",
            )  # fmt: skip
            db.session.add(unit)
            db.session.flush()
            class_ids.append(unit.id)
    students = len(class_ids) * PER_CLASS
    users = [dict(username=f"s{n}", name=f"学生{n}", school_id=school.id, timezone="Asia/Shanghai",
                  disabled=False, must_change_password=False) for n in range(students)]  # fmt: skip
    teachers = max(1, len(class_ids))
    users += [dict(username=f"t{n}", name=f"老师{n}", school_id=school.id, timezone="Asia/Shanghai",
                   disabled=False, must_change_password=False) for n in range(teachers)]  # fmt: skip
    rows_in_chunks(User.__table__, users)
    ids = list(db.session.scalars(select(User.id).where(User.school_id == school.id).order_by(User.id)))
    student_ids, teacher_ids = ids[:students], ids[students:]
    rows_in_chunks(UserRole.__table__, [dict(user_id=s, role=Role.STUDENT) for s in student_ids])
    rows_in_chunks(UserRole.__table__, [dict(user_id=t, role=Role.TEACHER) for t in teacher_ids])
    members = {c: student_ids[i * PER_CLASS : (i + 1) * PER_CLASS] for i, c in enumerate(class_ids)}
    rows_in_chunks(class_membership, [dict(user_id=s, class_id=c) for c, ss in members.items() for s in ss])
    rows_in_chunks(Course.__table__, [
        dict(school_id=school.id, term_id=term.id, code=f"K{c}-{p}", name=f"{subject}-{c}", subject=subject)
        for c in class_ids for p, subject in enumerate(SUBJECTS)
    ])  # fmt: skip
    course_of = {}
    for course_id, code in db.session.execute(select(Course.id, Course.code).where(Course.school_id == school.id)):
        class_id, period = code[1:].split("-")
        course_of[(int(class_id), int(period))] = course_id
    rows_in_chunks(course_class, [dict(course_id=k, class_id=c) for (c, _p), k in course_of.items()])
    # A teacher teaches one subject to three classes.
    teacher_of = {key: teacher_ids[(class_ids.index(key[0]) // 3 * 3 + key[1]) % teachers] for key in course_of}
    rows_in_chunks(course_teacher, [dict(course_id=k, user_id=teacher_of[key]) for key, k in course_of.items()])
    rows_in_chunks(Resource.__table__, [
        dict(school_id=school.id, title=f"资源{n}", level=LEVELS[n % 4], subject=SUBJECTS[n % 3], media_type="video",
             description="", search_title="", search_body="", stages=[], grades=[], withdrawn=False, sample=False)
        for n in range(400)
    ])  # fmt: skip
    resource_ids = list(db.session.scalars(select(Resource.id).where(Resource.school_id == school.id)))
    rows_in_chunks(LessonPlanItem.__table__, [
        dict(course_id=k, resource_id=resource_ids[(i * 7 + n) % len(resource_ids)], position=n, note="",
             added_by_id=teacher_of[key], created_at=first_day + timedelta(days=n * 7), updated_at=first_day)
        for i, (key, k) in enumerate(course_of.items()) for n in range(10)
    ])  # fmt: skip
    sessions = []
    for day in range(WEEKS * 7):
        moment = first_day + timedelta(days=day)  # 08:00 in Shanghai
        if moment.weekday() >= 5:
            continue
        for (class_id, period), course_id in course_of.items():
            starts = moment + timedelta(minutes=50 * period)
            minutes = 40 if rng.random() < 0.02 else 30  # a few too long, and then the break is short
            status = "cancelled" if rng.random() < 0.02 else "scheduled"
            sessions.append(dict(school_id=school.id, course_id=course_id, title="直播课", starts_at=starts,
                                 ends_at=starts + timedelta(minutes=minutes), original_starts_at=starts,
                                 status=status, sequence=0, created_by_id=teacher_of[(class_id, period)]))  # fmt: skip
    rows_in_chunks(LiveSession.__table__, sessions)
    now = datetime.now(UTC)
    lessons = db.session.execute(
        select(LiveSession.id, LiveSession.course_id, LiveSession.starts_at, LiveSession.ends_at, LiveSession.status)
        .where(LiveSession.school_id == school.id)
    ).all()  # fmt: skip
    class_of_course = {k: c for (c, _p), k in course_of.items()}
    rooms, records, intervals = [], [], []
    for session_id, course_id, starts, ends, status in lessons:
        if status == "cancelled" or ends > now:
            continue
        if rng.random() < 0.97:
            rooms.append(dict(session_id=session_id, opened_at=starts - timedelta(minutes=5), closed_at=ends,
                              muted_all=False))  # fmt: skip
        length = (ends - starts).total_seconds() / 60
        for student_id in members[class_of_course[course_id]]:
            state = _pick(rng, STATUSES)
            minutes = {"present": length, "late": length - 8, "left_early": length / 2}.get(state, 0.0)
            joined = starts + timedelta(minutes=8 if state == "late" else 0)
            records.append(dict(session_id=session_id, student_id=student_id, school_id=school.id,
                                course_id=course_id, starts_at=starts, computed_status=state, status=state,
                                minutes_present=minutes, checked_in=False, hand_raises=0, chat_messages=0,
                                poll_answers=0, computed_at=now,
                                first_join=joined if minutes else None,
                                last_leave=joined + timedelta(minutes=minutes) if minutes else None))  # fmt: skip
            if minutes:
                intervals.append(dict(session_id=session_id, user_id=student_id, connections=0, started_at=joined,
                                      last_seen_at=joined + timedelta(minutes=minutes),
                                      ended_at=joined + timedelta(minutes=minutes)))  # fmt: skip
    rows_in_chunks(LessonRoomState.__table__, rooms)
    rows_in_chunks(AttendanceRecord.__table__, records)
    rows_in_chunks(PresenceInterval.__table__, intervals)
    progress, study = [], {}
    for student_id in student_ids:
        for _n in range(20):
            opened = first_day + timedelta(days=rng.randrange(WEEKS * 7), hours=rng.randrange(10, 14))
            if opened > now:
                continue
            seconds = rng.uniform(60, 1800)
            course = course_of[(class_ids[student_ids.index(student_id) // PER_CLASS], rng.randrange(3))]
            progress.append(dict(student_id=student_id, resource_id=rng.choice(resource_ids), course_id=course,
                                 opened_at=opened, last_report_at=opened + timedelta(seconds=seconds),
                                 duration_seconds=1800.0, played_ranges=[[0, seconds]], seconds_watched=seconds,
                                 completed_at=opened if seconds > 1600 else None))  # fmt: skip
            key = (student_id, (opened + timedelta(hours=8)).date())
            study[key] = study.get(key, 0.0) + seconds
    rows_in_chunks(ResourceProgress.__table__, progress)
    rows_in_chunks(ResourceStudyDay.__table__, [dict(student_id=s, day=d, seconds=v) for (s, d), v in study.items()])
    db.session.commit()
    return {
        "school_id": school.id, "grade_id": grade_ids[0], "class_id": class_ids[0],
        "course_id": course_of[(class_ids[0], 0)], "teacher_id": teacher_ids[0], "student_id": student_ids[0],
        "first": first_day.date(), "last": today.date(), "students": students, "lessons": len(lessons),
        "records": len(records), "intervals": len(intervals), "progress": len(progress),
    }  # fmt: skip


def timed(function, repeat: int) -> tuple[float, object]:
    samples, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = function()
        samples.append((time.perf_counter() - started) * 1000)
        db.session.rollback()
    return statistics.median(samples), result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--scale", type=float, default=1.0, help="share of the 20 classes per grade")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    url, drop = database(args.db)
    app = create_app(SQLALCHEMY_DATABASE_URI=url, KEXU_ENV="testing", TESTING=True, BABEL_DEFAULT_LOCALE="zh_Hans_CN")
    with app.app_context(), app.test_request_context():
        db.create_all()
        try:
            run(args, random.Random(11))
        finally:
            drop()


def run(args, rng) -> None:
    from app.reports.exports import export
    from app.reports.report import REPORT_NAMES, Scope, build_report, dashboard
    from app.reports.rollups import refresh_rollups

    started = time.perf_counter()
    data = generate(args.scale, rng)
    print(
        f"{args.db}: {data['students']} students, {data['lessons']} lessons, {data['records']} attendance records, "
        f"{data['intervals']} presence intervals, {data['progress']} resource progress rows "
        f"(generated in {time.perf_counter() - started:.0f} s)"
    )
    school = data["school_id"]
    started = time.perf_counter()
    counts = refresh_rollups(school, data["first"], data["last"])
    db.session.commit()
    print(f"rollups for the term: {time.perf_counter() - started:.1f} s ({counts})")
    if db.engine.dialect.name == "postgresql":
        # Fresh tables have no statistics until autovacuum comes by; production has them.
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql("ANALYZE")
    week = Scope(school, "school", school, data["last"] - timedelta(days=6), data["last"])
    term = Scope(school, "school", school, data["first"], data["last"])
    ms, _report = timed(lambda: dashboard(week), args.repeat)
    print(f"dashboard, whole school, last 7 days: {ms:.0f} ms median")
    ms, _report = timed(lambda: dashboard(term), args.repeat)
    print(f"dashboard, whole school, whole term: {ms:.0f} ms median")
    levels = [
        ("school", school), ("grade", data["grade_id"]), ("class", data["class_id"]),
        ("course", data["course_id"]), ("teacher", data["teacher_id"]), ("student", data["student_id"]),
    ]  # fmt: skip
    worst = {}
    for kind, ident in levels:
        scope = week.with_kind(kind, ident)
        for name in REPORT_NAMES:
            ms, _report = timed(lambda scope=scope, name=name: build_report(name, scope), args.repeat)
            worst[kind] = max(worst.get(kind, (0, "")), (ms, name))
        print(f"reports at {kind} level, last 7 days: slowest {worst[kind][1]} {worst[kind][0]:.0f} ms median")
    started = time.perf_counter()
    report = build_report("attendance", term)
    data_bytes, filename, _mimetype = export(report, "xlsx", "students")
    seconds = time.perf_counter() - started
    rows = len(report.table("students").rows)
    print(f"XLSX of the term's per-student table: {seconds:.1f} s ({rows} rows, {len(data_bytes)} bytes)")


if __name__ == "__main__":
    main()
