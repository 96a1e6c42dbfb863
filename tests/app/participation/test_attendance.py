"""Attendance stored per roster student, recomputed, excused and exported."""

import csv
import io
from datetime import timedelta

import openpyxl
from sqlalchemy import select

from app.core.audit import AuditEntry
from app.extensions import db
from app.live.models import PresenceInterval
from app.participation.attendance import compute_attendance
from app.participation.models import AttendanceRecord
from app.participation.rules import evaluate


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


def test_a_recomputation_gives_the_records_the_rules_give_one_student_at_a_time(lesson_people, make_user, stay):
    """The set-based recomputation (presence streamed per chunk, only changes written) stores
    what rules.evaluate says for each student: reconnects, two devices, an open interval and a
    lesson that ran over; a second recomputation writes nothing."""
    p = lesson_people
    more = [make_user(classes=[p.klass]) for _ in range(3)]
    reconnects, devices, overrun, still_open, late = [*p.students[:2], *more]
    stay(p.lesson, reconnects, -1, 12)
    stay(p.lesson, reconnects, 13.5, 25)
    stay(p.lesson, reconnects, 26, 40)
    stay(p.lesson, devices, 0, 40)  # phone
    stay(p.lesson, devices, 5, 20)  # laptop, at the same time
    stay(p.lesson, devices, 30, 45)  # laptop again, past the end
    stay(p.lesson, overrun, 2, 70)
    stay(p.lesson, still_open, 0, None, last_seen_minute=38)
    stay(p.lesson, late, 9, 41)
    written = compute_attendance(p.lesson.id)
    db.session.commit()

    assert written == len(p.students) + len(more)
    lesson, records = p.lesson, db.session.scalars(select(AttendanceRecord)).all()
    for record in records:
        intervals = [
            (i.started_at, i.ended_at or i.last_seen_at)
            for i in db.session.scalars(
                select(PresenceInterval).where(
                    PresenceInterval.session_id == lesson.id, PresenceInterval.user_id == record.student_id
                )
            )
        ]
        expected = evaluate(intervals, lesson.starts_at, lesson.ends_at, 0.8, 5)
        assert (record.status, record.first_join, record.last_leave, record.minutes_present) == (
            expected.status,
            expected.first_join,
            expected.last_leave,
            expected.minutes_present,
        )
    assert statuses(lesson)[late.username] == "late" and statuses(lesson)[devices.username] == "present"
    assert compute_attendance(p.lesson.id) == 0
