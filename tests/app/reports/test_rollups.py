"""Rollups follow attendance and the schedule inside the transaction that changed them."""

from datetime import timedelta

from sqlalchemy import select

from app.extensions import db
from app.participation.attendance import compute_attendance, override_attendance
from app.participation.models import AttendanceRecord
from app.reports.models import LessonRollup, StudentDayRollup
from app.reports.report import Scope, build_report
from app.reports.rollups import refresh_rollups
from app.schedule.operations import cancel_session


def lesson_row(lesson):
    return db.session.scalar(select(LessonRollup).where(LessonRollup.session_id == lesson.id))


def student_day(student):
    return db.session.scalar(select(StudentDayRollup).where(StudentDayRollup.student_id == student.id))


def test_a_finished_lesson_is_rolled_up_with_its_attendance(lesson_people, stay):
    p = lesson_people
    stay(p.lesson, p.students[0], 0, 40)
    stay(p.lesson, p.students[1], 12, 40)
    compute_attendance(p.lesson.id)
    db.session.commit()
    row = lesson_row(p.lesson)
    assert (row.status, row.roster, row.present, row.late, row.absent) == ("held", 3, 1, 1, 1)
    assert row.teacher_id == p.teacher.id
    day = student_day(p.students[0])
    assert (day.lessons, day.attended, day.present) == (1, 1, 1)
    assert day.live_minutes == 40
    grade = build_report("attendance", Scope(p.school.id, "grade", p.klass.parent_id, row.day, row.day))
    assert (grade.figure("attendance_rate").value, grade.figure("absent").value) == (round(2 / 3, 4), 1)


def test_a_late_reconnect_and_a_later_excuse_rewrite_the_rows(lesson_people, stay):
    p = lesson_people
    stay(p.lesson, p.students[0], 0, 10)
    compute_attendance(p.lesson.id)
    db.session.commit()
    assert (student_day(p.students[0]).left_early, student_day(p.students[0]).present) == (1, 0)
    stay(p.lesson, p.students[0], 10, 40)  # the phone reconnected; the interval arrives late
    compute_attendance(p.lesson.id)
    db.session.commit()
    assert (student_day(p.students[0]).left_early, student_day(p.students[0]).present) == (0, 1)
    record = db.session.scalar(select(AttendanceRecord).where(AttendanceRecord.student_id == p.students[1].id))
    override_attendance(p.teacher, record, {"status": "excused", "reason": "病假"})
    db.session.commit()
    assert (lesson_row(p.lesson).excused, lesson_row(p.lesson).absent) == (1, 1)
    assert student_day(p.students[1]).excused == 1


def test_cancelling_a_lesson_updates_its_row_before_the_commit(lesson_people):
    p = lesson_people
    db.session.commit()
    assert lesson_row(p.lesson).status == "scheduled"
    cancel_session(p.academic_affairs, p.lesson, {"reason": "停电"})
    db.session.commit()
    assert lesson_row(p.lesson).status == "cancelled"


def test_the_nightly_rebuild_gives_the_same_rows(lesson_people, stay):
    p = lesson_people
    stay(p.lesson, p.students[0], 0, 40)
    compute_attendance(p.lesson.id)
    db.session.commit()
    before = lesson_row(p.lesson)
    before = (before.status, before.present, before.absent)
    day = student_day(p.students[0]).day
    db.session.execute(LessonRollup.__table__.delete())
    refresh_rollups(p.school.id, day, day)
    db.session.commit()
    after = lesson_row(p.lesson)
    assert (after.status, after.present, after.absent) == before
    assert student_day(p.students[0]).attended == 1


def test_a_lesson_longer_than_its_stage_allows_is_flagged_when_scheduled(people, make_lesson):
    from app.schedule.loading import school_policy

    limit = school_policy(people.school.id)[str(people.klass.stage)].max_lesson_minutes
    lesson = make_lesson(people.course, minutes=limit + 15)
    fine = make_lesson(people.course, starts_at=lesson.starts_at - timedelta(hours=3), minutes=limit)
    assert lesson_row(lesson).over_length and not lesson_row(fine).over_length
