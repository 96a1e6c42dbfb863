"""Hands, check-in, roll call, polls, "I don't understand", and ending the lesson."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import current_app
from sqlalchemy import select

from app.core.models import utcnow
from app.extensions import db
from app.live import checkin_codes
from app.live.models import CheckIn, ConfusionMark, PollAnswer, RollCall
from tests.app.live.conftest import wait_until


def _joined(server, connect, room, *users):
    clients = [connect(server, user) for user in users]
    for client in clients:
        assert client.join(room.lesson.id)["ok"]
    return clients


def test_hands_queue_in_order_and_the_teacher_calls_on_one(live_server_factory, connect, room):
    server = live_server_factory()
    teacher, first, second = _joined(server, connect, room, room.teacher, room.students[0], room.students[1])
    sid = room.lesson.id
    assert first.call("hand", {"session_id": sid, "raised": True})["ok"]
    assert second.call("hand", {"session_id": sid, "raised": True})["ok"]
    queue = teacher.wait_for("hands", lambda d: len(d["queue"]) == 2)["queue"]
    assert [q["user_id"] for q in queue] == [room.students[0].id, room.students[1].id]

    assert teacher.call("call_on", {"session_id": sid, "user_id": room.students[1].id})["ok"]
    assert first.wait_for("called_on") == {"user_id": room.students[1].id, "name": room.students[1].name}
    assert second.wait_for("hand", lambda d: d == {"raised": False})
    assert [q["user_id"] for q in teacher.wait_for("hands", lambda d: len(d["queue"]) == 1)["queue"]] == [
        room.students[0].id
    ]
    first.call("hand", {"session_id": sid, "raised": False})
    teacher.wait_for("hands", lambda d: d["queue"] == [])


def test_checkin_accepts_the_current_and_previous_code_only(live_server_factory, connect, room, make_user):
    # The previous code stays valid for the whole step here, so the test needs no timing luck.
    classmate = make_user(classes=[room.klass])  # enrolled before the lesson: servers cache the roster
    server = live_server_factory(LIVE_CHECKIN_STEP_SECONDS=10, LIVE_CHECKIN_GRACE_SECONDS=10)
    teacher, first, second, third = _joined(server, connect, room, room.teacher, *room.students)
    absent = connect(server, classmate)  # connected, but not in the room
    sid = room.lesson.id
    opened = teacher.call("checkin_open", {"session_id": sid, "seconds": 60})
    assert opened["ok"]
    shown = teacher.wait_for("checkin_code")
    assert first.wait_for("checkin_window")["open"] is True
    assert "code" not in str(first.received("checkin_window"))  # students never receive the code

    assert first.call("checkin", {"session_id": sid, "code": shown["code"]})["ok"]
    teacher.wait_for("checked_in", lambda d: d["user_id"] == room.students[0].id and d["count"] == 1)
    secret, window_id = current_app.config["SECRET_KEY"], opened["window_id"]
    step = checkin_codes.step_of(utcnow(), 10)
    previous = checkin_codes.code_for(secret, sid, window_id, step - 1)
    older = checkin_codes.code_for(secret, sid, window_id, step - 2)
    assert second.call("checkin", {"session_id": sid, "code": previous})["ok"]
    refused = third.call("checkin", {"session_id": sid, "code": older})
    assert refused["ok"] is False and refused["error"] == "wrong_code"
    current = checkin_codes.code_for(secret, sid, window_id, checkin_codes.step_of(utcnow(), 10))
    outsider = absent.call("checkin", {"session_id": sid, "code": current})
    assert outsider["ok"] is False and outsider["error"] == "not_joined"
    db.session.rollback()
    assert {c.user_id for c in db.session.scalars(select(CheckIn))} == {room.students[0].id, room.students[1].id}


def test_checkin_codes_rotate_and_the_grace_is_short():
    start = datetime(2026, 3, 2, 8, 0, 0, tzinfo=UTC)
    codes = [checkin_codes.current_code("k", 1, 2, start.replace(second=s), 10)[0] for s in (0, 9, 10, 20)]
    assert codes[0] == codes[1] != codes[2] != codes[3] and all(len(c) == 6 for c in codes)
    previous = codes[0]
    assert checkin_codes.is_valid("k", 1, 2, previous, start.replace(second=12), 10, 5)
    assert not checkin_codes.is_valid("k", 1, 2, previous, start.replace(second=16), 10, 5)
    assert not checkin_codes.is_valid("k", 1, 2, previous, start.replace(second=21), 10, 5)
    assert not checkin_codes.is_valid("other key", 1, 2, codes[3], start.replace(second=21), 10, 5)


def test_roll_call_favours_students_not_called_this_term(live_server_factory, connect, room):
    db.session.add(
        RollCall(session_id=room.lesson.id, course_id=room.course.id, term_id=room.term.id, user_id=room.students[0].id)
    )
    db.session.commit()
    server = live_server_factory()
    teacher, *_ = _joined(server, connect, room, room.teacher, *room.students)
    picks = [teacher.call("rollcall", {"session_id": room.lesson.id}) for _ in range(2)]
    assert all(p["ok"] for p in picks)
    assert {p["user_id"] for p in picks} == {room.students[1].id, room.students[2].id}
    assert teacher.wait_for("rollcall")["user_id"] == picks[0]["user_id"]
    third = teacher.call("rollcall", {"session_id": room.lesson.id})
    assert third["user_id"] in {s.id for s in room.students}  # everyone called once: any of them
    db.session.rollback()
    assert db.session.scalar(select(RollCall).order_by(RollCall.id.desc())).called_by_id == room.teacher.id


def test_roll_call_only_picks_connected_students(live_server_factory, connect, room):
    server = live_server_factory()
    teacher, only = _joined(server, connect, room, room.teacher, room.students[2])
    for _ in range(3):
        assert teacher.call("rollcall", {"session_id": room.lesson.id})["user_id"] == room.students[2].id
    only.call("leave", {"session_id": room.lesson.id})
    assert teacher.call("rollcall", {"session_id": room.lesson.id})["error"] == "nobody"


def test_poll_tally_reveal_single_and_multiple(live_server_factory, connect, room):
    server = live_server_factory()
    teacher, first, second, third = _joined(server, connect, room, room.teacher, *room.students)
    sid = room.lesson.id
    single = teacher.call("poll_open", {"session_id": sid, "question": "2+2?", "options": ["3", "4", "5"]})["poll"]
    assert first.wait_for("poll")["question"] == "2+2?"
    assert first.call("poll_answer", {"session_id": sid, "poll_id": single["id"], "choices": [0, 1]})["error"] == (
        "invalid"
    )
    first.call("poll_answer", {"session_id": sid, "poll_id": single["id"], "choices": [0]})
    first.call("poll_answer", {"session_id": sid, "poll_id": single["id"], "choices": [1]})  # changes the answer
    second.call("poll_answer", {"session_id": sid, "poll_id": single["id"], "choices": [1]})
    tally = teacher.wait_for("poll_tally", lambda d: d["answers"] == 2)
    assert tally["counts"] == [0, 2, 0]
    assert first.received("poll_tally") == []  # students see nothing until revealed

    closed = teacher.call("poll_close", {"session_id": sid, "poll_id": single["id"], "reveal": True})
    assert closed["tally"]["counts"] == [0, 2, 0]
    assert third.wait_for("poll_tally")["counts"] == [0, 2, 0]
    assert third.call("poll_answer", {"session_id": sid, "poll_id": single["id"], "choices": [2]})["error"] == (
        "poll_closed"
    )

    multi = teacher.call(
        "poll_open", {"session_id": sid, "question": "Primes?", "options": ["2", "4", "5"], "multiple": True}
    )["poll"]
    first.call("poll_answer", {"session_id": sid, "poll_id": multi["id"], "choices": [0, 2]})
    second.call("poll_answer", {"session_id": sid, "poll_id": multi["id"], "choices": [0]})
    assert teacher.wait_for("poll_tally", lambda d: d["poll_id"] == multi["id"] and d["answers"] == 2)["counts"] == [
        2,
        0,
        1,
    ]
    db.session.rollback()
    assert db.session.scalar(
        select(PollAnswer.choices).where(PollAnswer.poll_id == single["id"], PollAnswer.user_id == room.students[0].id)
    ) == [1]


def test_poll_with_a_time_limit_closes_itself(live_server_factory, connect, room):
    server = live_server_factory()
    teacher, student = _joined(server, connect, room, room.teacher, room.student)
    poll = teacher.call(
        "poll_open", {"session_id": room.lesson.id, "question": "Quick?", "options": ["yes", "no"], "seconds": 1}
    )["poll"]
    assert student.wait_for("poll", lambda d: d["id"] == poll["id"] and not d["open"])
    answer = student.call("poll_answer", {"session_id": room.lesson.id, "poll_id": poll["id"], "choices": [0]})
    assert answer["error"] == "poll_closed"


def test_confused_count_is_live_for_staff_and_recorded(live_server_factory, connect, room):
    server = live_server_factory()
    teacher, first, second = _joined(server, connect, room, room.teacher, room.students[0], room.students[1])
    first.call("confused", {"session_id": room.lesson.id})
    first.call("confused", {"session_id": room.lesson.id})  # the same student counts once
    second.call("confused", {"session_id": room.lesson.id})
    assert teacher.wait_for("confused", lambda d: d["count"] == 2)
    assert first.received("confused") == []
    db.session.rollback()
    assert len(db.session.scalars(select(ConfusionMark)).all()) == 3


def test_ended_lesson_is_read_only(live_server_factory, connect, room):
    server = live_server_factory()
    teacher, student = _joined(server, connect, room, room.teacher, room.student)
    student.call("chat", {"session_id": room.lesson.id, "text": "before the end"})
    assert teacher.call("end", {"session_id": room.lesson.id})["ok"]
    ended = student.wait_for("ended")
    assert ended["by"] == {"user_id": room.teacher.id, "name": room.teacher.name}
    for event, data in (("chat", {"text": "after"}), ("hand", {"raised": True}), ("confused", {})):
        answer = student.call(event, {"session_id": room.lesson.id, **data})
        assert answer["error"] == "closed" and "read-only" in answer["message"]
    later = connect(server, room.students[1]).join(room.lesson.id)
    assert later["closed"] is True and [m["text_html"] for m in later["chat"]] == ["before the end"]
    wait_until(lambda: teacher.call("end", {"session_id": room.lesson.id}).get("already"))
