"""Presence: join, leave, heartbeat; several tabs count once; a quick reconnect continues."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import select

from app.extensions import db
from app.live.models import PresenceInterval
from tests.app.live.conftest import change_of, changed, wait_until


def _intervals(lesson, user):
    db.session.rollback()
    query = select(PresenceInterval).where(
        PresenceInterval.session_id == lesson.id, PresenceInterval.user_id == user.id
    )
    return db.session.scalars(query.order_by(PresenceInterval.id)).all()


def test_join_and_leave_record_one_interval_and_tell_the_room(live_server_factory, connect, room):
    server = live_server_factory()
    teacher = connect(server, room.teacher)
    teacher.join(room.lesson.id)
    student = connect(server, room.student)
    state = student.join(room.lesson.id)
    assert {p["user_id"] for p in state["present"]} == {room.teacher.id, room.student.id}
    arrived = teacher.wait_for("presence", changed(room.student.id, True))
    assert arrived["count"] == 2
    assert change_of(arrived, room.student.id) == {
        "user_id": room.student.id,
        "name": room.student.name,
        "role": "student",
        "present": True,
    }

    assert student.call("leave", {"session_id": room.lesson.id})["ok"]
    gone = teacher.wait_for("presence", changed(room.student.id, False))
    assert gone["count"] == 1
    (interval,) = _intervals(room.lesson, room.student)
    assert interval.ended_at is not None and interval.ended_at >= interval.started_at


def test_heartbeat_moves_last_seen_forward(live_server_factory, connect, room):
    server = live_server_factory(LIVE_HEARTBEAT_SECONDS=600)  # no server heartbeat during the test
    student = connect(server, room.student)
    student.join(room.lesson.id)
    (before,) = _intervals(room.lesson, room.student)
    first_seen, interval_id = before.last_seen_at, before.id  # the objects reload after each rollback
    wait_until(lambda: student.call("heartbeat", {"session_id": room.lesson.id})["ok"])
    (after,) = wait_until(
        lambda: [i for i in _intervals(room.lesson, room.student) if i.last_seen_at > first_seen],
        message="a later last_seen_at",
    )
    assert after.id == interval_id and after.ended_at is None


def test_two_tabs_count_once(live_server_factory, connect, room):
    server = live_server_factory()
    teacher = connect(server, room.teacher)
    teacher.join(room.lesson.id)
    first = connect(server, room.student, name="tab 1")
    second = connect(server, room.student, name="tab 2")
    first.join(room.lesson.id)
    second.join(room.lesson.id)
    (interval,) = _intervals(room.lesson, room.student)
    assert interval.connections == 2

    def student_presence():
        batches = teacher.received("presence")
        return [c["present"] for b in batches for c in b["changes"] if c["user_id"] == room.student.id]

    teacher.wait_for("presence", changed(room.student.id))
    assert student_presence() == [True]  # arrived once, not twice

    first.close()
    wait_until(lambda: _intervals(room.lesson, room.student)[0].connections == 1, message="one connection left")
    assert student_presence() == [True]  # still present
    second.close()
    teacher.wait_for("presence", changed(room.student.id, False))
    (interval,) = _intervals(room.lesson, room.student)
    assert interval.connections == 0


def test_a_reconnect_within_the_grace_continues_the_interval(live_server_factory, connect, room):
    server = live_server_factory()
    first = connect(server, room.student)
    first.join(room.lesson.id)
    first.close()  # a dropped connection: no `leave`
    wait_until(lambda: _intervals(room.lesson, room.student)[0].connections == 0, message="the drop")
    again = connect(server, room.student)
    assert again.join(room.lesson.id)["ok"]
    (interval,) = _intervals(room.lesson, room.student)
    assert interval.ended_at is None and interval.connections == 1


def test_after_the_grace_a_new_interval_starts(live_server_factory, connect, room):
    server = live_server_factory(LIVE_RECONNECT_GRACE_SECONDS=1)
    first = connect(server, room.student)
    first.join(room.lesson.id)
    first.close()
    # The sweep ends the quiet interval at its last sign of life.
    (closed,) = wait_until(lambda: [i for i in _intervals(room.lesson, room.student) if i.ended_at], message="sweep")
    assert closed.ended_at == closed.last_seen_at
    connect(server, room.student).join(room.lesson.id)
    intervals = _intervals(room.lesson, room.student)
    assert len(intervals) == 2 and intervals[1].ended_at is None


def test_a_room_is_not_open_long_before_the_lesson(live_server_factory, connect, room, make_lesson):
    lesson = make_lesson(course=room.course, starts_in=120)
    server = live_server_factory()
    answer = connect(server, room.student).join(lesson.id)
    assert answer["ok"] is False and answer["error"] == "not_open"


@pytest.mark.parametrize("processes", [1, 2], ids=["two tabs, one process", "two devices, two processes"])
def test_one_student_joining_twice_at_the_same_instant_has_one_interval(
    live_server_factory, connect, room, make_lesson, processes
):
    """Two tabs of one process, or the phone on one process and the laptop on another, join in
    the same instant, on PostgreSQL and on the SQLite file alike: both are admitted (no "Something
    went wrong") and there is one open interval (the partial unique index) counting both. Each
    round is a new lesson, so the room opens and the interval starts in the race too."""
    servers = [live_server_factory() for _ in range(processes)]
    for attempt in range(12):
        lesson = make_lesson(course=room.course, title=f"Round {attempt}")
        lesson_id = lesson.id  # read here: the joining threads have no app context
        devices = [connect(servers[n % processes], room.student, name=f"device {n}, round {attempt}") for n in range(2)]
        start = threading.Barrier(len(devices))
        answers = []

        threads = [threading.Thread(target=_join_at, args=(device, lesson_id, start, answers)) for device in devices]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        assert [a["ok"] for a in answers] == [True, True], answers
        open_intervals = [i for i in _intervals(lesson, room.student) if i.ended_at is None]
        assert len(open_intervals) == 1 and open_intervals[0].connections == 2
        for device in devices:
            assert device.call("leave", {"session_id": lesson_id})["ok"]
            device.close()
        assert [i.ended_at is not None for i in _intervals(lesson, room.student)] == [True]


def _join_at(device, lesson_id, start: threading.Barrier, answers: list) -> None:
    start.wait()  # every device sends its join in the same instant
    answers.append(device.join(lesson_id))
