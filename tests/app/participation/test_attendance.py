"""Attendance stored per roster student, recomputed, excused and exported."""

import csv
import io
from datetime import timedelta

import openpyxl
from sqlalchemy import select

from app.core.audit import AuditEntry
from app.extensions import db
from app.participation.attendance import compute_attendance
from app.participation.models import AttendanceRecord


def statuses(lesson):
    db.session.expire_all()
    rows = db.session.scalars(select(AttendanceRecord).where(AttendanceRecord.session_id == lesson.id))
    return {r.student.username: r.status for r in rows}


def test_every_roster_student_gets_a_record_and_the_missing_are_absent(lesson_people, stay):
    p = lesson_people
    stay(p.lesson, p.students[0], -1, 40)
    stay(p.lesson, p.students[1], 10, 40)
    compute_attendance(p.lesson.id)
    db.session.commit()
    assert statuses(p.lesson) == {
        p.students[0].username: "present",
        p.students[1].username: "late",
        p.students[2].username: "absent",
    }


def test_teachers_and_other_classes_are_not_on_the_roster(lesson_people, stay):
    p = lesson_people
    stay(p.lesson, p.teacher, 0, 40)
    compute_attendance(p.lesson.id)
    assert p.teacher.username not in statuses(p.lesson)
    assert p.other_student.username not in statuses(p.lesson)


def test_an_excuse_survives_recomputation_and_is_audited(lesson_people, login, client):
    p = lesson_people
    compute_attendance(p.lesson.id)
    db.session.commit()
    record = db.session.scalar(select(AttendanceRecord).where(AttendanceRecord.student_id == p.student.id))
    login(p.teacher)
    answer = client.post(
        f"/participation/sessions/{p.lesson.id}/attendance/{record.id}/override",
        data={"status": "excused", "reason": "病假"},
    )
    assert answer.status_code == 302
    compute_attendance(p.lesson.id)
    db.session.commit()
    assert statuses(p.lesson)[p.student.username] == "excused"
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "attendance.override"))
    assert entry.actor_id == p.teacher.id and entry.details["reason"] == "病假"


def test_an_excuse_needs_a_reason(lesson_people, login, client):
    p = lesson_people
    compute_attendance(p.lesson.id)
    db.session.commit()
    record = db.session.scalar(select(AttendanceRecord).where(AttendanceRecord.student_id == p.student.id))
    login(p.teacher)
    client.post(f"/participation/sessions/{p.lesson.id}/attendance/{record.id}/override", data={"reason": " "})
    assert statuses(p.lesson)[p.student.username] == "absent"


def test_a_recomputation_picks_up_late_presence(lesson_people, stay):
    p = lesson_people
    compute_attendance(p.lesson.id)
    stay(p.lesson, p.student, 0, 40)
    compute_attendance(p.lesson.id)
    assert statuses(p.lesson)[p.student.username] == "present"


def test_the_sheet_shows_every_student_with_status(lesson_people, stay, login, client):
    p = lesson_people
    stay(p.lesson, p.student, 0, 40)
    login(p.teacher)
    page = client.get(f"/participation/sessions/{p.lesson.id}/attendance").get_data(as_text=True)
    for student in p.students:
        assert student.name in page
    assert "Present" in page and "Absent" in page


def test_the_sheet_exports_to_csv_and_xlsx(lesson_people, stay, login, client):
    p = lesson_people
    stay(p.lesson, p.student, 0, 40)
    login(p.teacher)
    answer = client.get(f"/participation/sessions/{p.lesson.id}/attendance.csv")
    rows = list(csv.reader(io.StringIO(answer.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][:3] == ["Student", "Username", "Status"]
    by_user = {row[1]: row for row in rows[1:]}
    assert by_user[p.student.username][2] == "Present" and by_user[p.student.username][5] == "40.0"
    answer = client.get(f"/participation/sessions/{p.lesson.id}/attendance.xlsx")
    book = openpyxl.load_workbook(io.BytesIO(answer.data))
    values = list(book.active.iter_rows(values_only=True))
    assert len(values) == 1 + len(p.students)


def test_a_formula_in_a_name_is_not_run_by_spreadsheets(lesson_people, make_user, login, client):
    p = lesson_people
    make_user(classes=[p.klass], name="=HYPERLINK(1)")
    login(p.teacher)
    text = client.get(f"/participation/sessions/{p.lesson.id}/attendance.csv").get_data(as_text=True)
    assert "'=HYPERLINK(1)" in text


def test_a_lesson_the_teacher_ended_early_is_judged_until_its_end(lesson_people, stay):
    from app.live.models import LessonRoomState

    p = lesson_people
    ended = p.lesson.starts_at + timedelta(minutes=20)
    db.session.add(
        LessonRoomState(session_id=p.lesson.id, opened_at=p.lesson.starts_at, closed_at=ended, ended_at=ended)
    )
    db.session.commit()
    stay(p.lesson, p.student, 0, 20)
    compute_attendance(p.lesson.id)
    assert statuses(p.lesson)[p.student.username] == "present"
