"""Report figures follow the rollups; every report builds for every scope kind."""

import pytest
from sqlalchemy import select

from app.extensions import db
from app.participation.attendance import compute_attendance, override_attendance
from app.participation.models import AttendanceRecord
from app.reports.report import REPORTS, SCOPE_KINDS, build_report, dashboard


def figure(report, key):
    return report.figure(key).value


def test_a_late_reconnect_and_a_later_excuse_change_the_attendance_figures(lesson_people, stay, scope_of):
    p = lesson_people
    scope = scope_of("class", p.klass, p.school, p.lesson.starts_at)
    stay(p.lesson, p.students[0], 0, 40)
    compute_attendance(p.lesson.id)
    db.session.commit()
    report = build_report("attendance", scope)
    assert figure(report, "attendance_rate") == pytest.approx(1 / 3, abs=1e-4)
    assert figure(report, "absent") == 2

    stay(p.lesson, p.students[1], 15, 40)  # a late reconnect reported after the lesson ended
    compute_attendance(p.lesson.id)
    db.session.commit()
    report = build_report("attendance", scope)
    assert figure(report, "attendance_rate") == pytest.approx(2 / 3, abs=1e-4)
    assert figure(report, "on_time_rate") == pytest.approx(1 / 2)

    record = db.session.scalar(select(AttendanceRecord).where(AttendanceRecord.student_id == p.students[2].id))
    override_attendance(p.academic_affairs, record, {"status": "excused", "reason": "病假"})
    db.session.commit()
    report = build_report("attendance", scope)
    assert figure(report, "attendance_rate") == 1.0  # an excused absence leaves the denominator
    assert (figure(report, "absent"), figure(report, "excused")) == (0, 1)
    student_rows = {row["name"]: row for row in report.table("breakdown").rows}
    assert student_rows[p.students[2].name]["excused"] == 1
    assert student_rows[p.students[2].name]["_drill"].kind == "student"


def test_delivery_counts_held_and_cancelled_lessons_and_drills_to_the_class(lesson_people, stay, scope_of, make_lesson):
    from app.schedule.operations import cancel_session

    p = lesson_people
    stay(p.lesson, p.students[0], 0, 40)
    compute_attendance(p.lesson.id)
    other = make_lesson(p.course, starts_at=p.lesson.starts_at - __import__("datetime").timedelta(hours=2))
    cancel_session(p.academic_affairs, other)
    db.session.commit()
    report = build_report("delivery", scope_of("school", p.school, p.school, p.lesson.starts_at))
    assert (figure(report, "held"), figure(report, "cancelled"), figure(report, "delivery_rate")) == (1, 1, 1.0)
    grade_row = report.table("breakdown").rows[0]
    assert grade_row["held"] == 1 and grade_row["_drill"].kind == "grade"
    class_report = build_report("delivery", grade_row["_drill"])
    drills = {row["_drill"].id for row in class_report.table("breakdown").rows}
    assert p.klass.id in drills


@pytest.mark.parametrize("kind", SCOPE_KINDS)
def test_every_report_builds_for_every_scope_kind(lesson_people, stay, scope_of, kind):
    p = lesson_people
    stay(p.lesson, p.students[0], 0, 40)
    compute_attendance(p.lesson.id)
    db.session.commit()
    target = {
        "school": p.school,
        "stage": p.klass.parent,
        "grade": p.klass.parent,
        "class": p.klass,
        "course": p.course,
        "teacher": p.teacher,
        "student": p.students[0],
    }[kind]
    scope = scope_of(kind, target, p.school, p.lesson.starts_at)
    for name in REPORTS:
        report = build_report(name, scope)
        assert report.figures and report.tables
        for chart in report.charts:
            assert chart.table in {t.name for t in report.tables}
        for figure_ in report.figures:
            assert figure_.drill is None or report.table(figure_.drill) is not None, (name, figure_.key)
    board = dashboard(scope)
    assert {f.drill for f in board.figures} == set(REPORTS)


def test_resource_use_counts_by_level_and_drills_to_the_students(lesson_people, scope_of):
    from app.catalog.models import Resource
    from app.participation.models import ResourceProgress

    p = lesson_people
    national = Resource(school_id=p.school.id, title="国家课", level="national", subject="math")
    school_made = Resource(school_id=p.school.id, title="校本课", level="school", subject="math")
    db.session.add_all([national, school_made])
    db.session.flush()
    opened = p.lesson.starts_at
    db.session.add_all(
        [
            ResourceProgress(student_id=p.students[0].id, resource_id=national.id, course_id=p.course.id,
                             opened_at=opened, seconds_watched=600, completed_at=opened),
            ResourceProgress(student_id=p.students[1].id, resource_id=national.id, course_id=p.course.id,
                             opened_at=opened, seconds_watched=300),
            ResourceProgress(student_id=p.students[1].id, resource_id=school_made.id, opened_at=opened,
                             seconds_watched=120),
        ]
    )  # fmt: skip
    db.session.commit()
    report = build_report("resources", scope_of("class", p.klass, p.school, opened))
    levels = {row["key"]: row for row in report.table("by_level").rows}
    assert (levels["National"]["opens"], levels["National"]["students"], levels["National"]["completed"]) == (2, 2, 1)
    assert levels["School"]["minutes"] == 2.0
    students = {row["name"]: row for row in report.table("breakdown").rows}
    assert students[p.students[1].name]["opens"] == 2
    assert students[p.students[1].name]["_drill"].id == p.students[1].id
    assert figure(report, "resources_opened") == 3


def test_students_at_risk_are_the_rarely_present_and_the_not_reached(lesson_people, stay, scope_of):
    p = lesson_people
    stay(p.lesson, p.students[0], 0, 40)
    compute_attendance(p.lesson.id)
    db.session.commit()
    report = build_report("at-risk", scope_of("class", p.klass, p.school, p.lesson.starts_at))
    listed = {row["name"]: row for row in report.table("students").rows}
    # One lesson only: below the minimum number of lessons for "low attendance", so the two
    # absent students are listed as not reached (nothing for two days), the present one is not.
    assert p.students[0].name not in listed
    assert {p.students[1].name, p.students[2].name} <= set(listed)
    assert listed[p.students[1].name]["reason"] == "Not reached"
    assert figure(report, "not_reached") >= 2
    assert sum(row["students"] for row in report.table("distribution").rows) == 3
