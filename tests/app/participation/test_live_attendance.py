"""Attendance from presence recorded by real Socket.IO clients against a real server process:
the teacher ends a lesson that ran over, and the sheet is computed by the room's close; a
recomputation afterwards gives the same records."""

import time
from datetime import timedelta

from sqlalchemy import select

from app.core.models import utcnow
from app.extensions import db
from app.participation.attendance import compute_attendance
from app.participation.models import AttendanceRecord
from app.participation.recompute import COMPUTED_FIELDS
from app.schedule.models import LiveSession
from tests.app.live.conftest import wait_until

SECONDS = 12  # the scheduled lesson: short, so the test runs in real time


def _lesson(course):
    # Starts a few seconds from now: everyone joins before the start.
    starts_at = utcnow() + timedelta(seconds=4)
    lesson = LiveSession(
        school_id=course.school_id,
        course_id=course.id,
        title="短课",
        starts_at=starts_at,
        ends_at=starts_at + timedelta(seconds=SECONDS),
        original_starts_at=starts_at,
    )
    db.session.add(lesson)
    db.session.commit()
    return lesson


def _until(moment):
    time.sleep(max(0.0, (moment - utcnow()).total_seconds()))


def test_statuses_from_real_clients_with_devices_reconnects_and_overrun(
    app, live_server_factory, connect, people, make_user
):
    on_time, two_devices, late, leaves, absent = [make_user(classes=[people.klass]) for _ in range(5)]
    server = live_server_factory(ATTENDANCE_LATE_MINUTES=0.05, ATTENDANCE_PRESENT_SHARE=0.8)
    # Signing in and connecting take a while on a busy machine: done before the lesson exists.
    teacher = connect(server, people.teacher)
    first = connect(server, on_time)
    phone = connect(server, two_devices, name="phone")
    laptop = connect(server, two_devices, name="laptop")
    leaver = connect(server, leaves)
    latecomer = connect(server, late)
    laptop_again = connect(server, two_devices, name="laptop again")
    lesson = _lesson(people.course)
    for client in (teacher, first, phone, laptop, leaver):
        assert client.join(lesson.id)["ok"]
    assert utcnow() < lesson.starts_at, "joining took too long for this test's timeline"

    _until(lesson.starts_at + timedelta(seconds=2))
    laptop.close()  # one device drops ...
    assert leaver.call("leave", {"session_id": lesson.id})["ok"]  # ... and a student leaves for good
    laptop_again.join(lesson.id)  # the laptop comes back

    _until(lesson.starts_at + timedelta(seconds=6))
    latecomer.join(lesson.id)

    _until(lesson.ends_at + timedelta(seconds=2))  # the lesson runs over
    assert teacher.call("end", {"session_id": lesson.id})["ok"]

    def records():
        db.session.rollback()
        rows = db.session.scalars(select(AttendanceRecord).where(AttendanceRecord.session_id == lesson.id)).all()
        return {r.student_id: r for r in rows} if rows else None

    by_student = wait_until(records, message="attendance written when the room closed")
    statuses = {user.username: by_student[user.id].status for user in (on_time, two_devices, late, leaves, absent)}
    assert statuses == {
        on_time.username: "present",
        two_devices.username: "present",
        late.username: "late",
        leaves.username: "left_early",
        absent.username: "absent",
    }
    # Minutes never exceed the scheduled lesson, however long it ran and however many devices.
    assert by_student[two_devices.id].minutes_present <= SECONDS / 60 + 0.05
    assert by_student[people.student.id].status == "absent"  # on the roster, never came
    assert people.teacher.id not in by_student

    # Recomputing (here, with the server's settings) gives the same records the room's close wrote.
    app.config.update(ATTENDANCE_LATE_MINUTES=0.05, ATTENDANCE_PRESENT_SHARE=0.8)
    before = {student_id: _computed(record) for student_id, record in by_student.items()}
    assert compute_attendance(lesson.id) == 0
    db.session.commit()
    assert {student_id: _computed(record) for student_id, record in records().items()} == before


def _computed(record):
    return tuple(getattr(record, name) for name in ("status", *COMPUTED_FIELDS))
