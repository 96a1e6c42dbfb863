"""Chat: sanitized plain text with links, length and rate limits, mutes, deletion, history."""

from __future__ import annotations

from app.extensions import db
from app.live.models import ChatMessage


def _say(client, lesson, text):
    return client.call("chat", {"session_id": lesson.id, "text": text})


def test_messages_are_sanitized_and_reach_everyone(live_server_factory, connect, room):
    server = live_server_factory()
    teacher, student = connect(server, room.teacher), connect(server, room.student)
    teacher.join(room.lesson.id)
    student.join(room.lesson.id)
    answer = _say(student, room.lesson, "<script>alert(1)</script> see https://example.org/a?b=1 <b>bold</b>")
    assert answer["ok"]
    seen = teacher.wait_for("chat")
    assert "<script>" not in seen["text_html"] and "&lt;script&gt;" in seen["text_html"]
    assert '<a href="https://example.org/a?b=1" rel="noopener nofollow">' in seen["text_html"]
    assert seen["user_id"] == room.student.id and seen["name"] == room.student.name


def test_long_messages_are_refused_with_the_limit(live_server_factory, connect, room):
    server = live_server_factory(LIVE_CHAT_MAX_LENGTH=20)
    student = connect(server, room.student)
    student.join(room.lesson.id)
    answer = _say(student, room.lesson, "x" * 21)
    assert answer == {"ok": False, "error": "too_long", "message": "Messages can be at most 20 characters."}
    assert _say(student, room.lesson, "x" * 20)["ok"]


def test_rate_limit_says_how_long_to_wait(live_server_factory, connect, room):
    server = live_server_factory(LIVE_CHAT_RATE_COUNT=3, LIVE_CHAT_RATE_SECONDS=30)
    student, other = connect(server, room.student), connect(server, room.students[1])
    student.join(room.lesson.id)
    other.join(room.lesson.id)
    assert all(_say(student, room.lesson, f"message {n}")["ok"] for n in range(3))
    refused = _say(student, room.lesson, "one more")
    assert refused["ok"] is False and refused["error"] == "rate_limited"
    assert refused["message"].startswith("You are sending messages too quickly. Please wait")
    assert _say(other, room.lesson, "my turn")["ok"]  # the limit is per user


def test_teacher_mutes_one_student_then_the_whole_room(live_server_factory, connect, room):
    server = live_server_factory()
    teacher, student, other = (connect(server, u) for u in (room.teacher, room.student, room.students[1]))
    for client in (teacher, student, other):
        client.join(room.lesson.id)
    assert teacher.call("mute", {"session_id": room.lesson.id, "user_id": room.student.id, "muted": True})["ok"]
    assert student.wait_for("muted") == {"user_id": room.student.id, "muted": True}
    assert _say(student, room.lesson, "hello")["error"] == "muted"
    assert _say(other, room.lesson, "hello")["ok"]

    assert teacher.call("mute", {"session_id": room.lesson.id, "user_id": None, "muted": True})["ok"]
    assert _say(other, room.lesson, "hello")["error"] == "muted"
    assert _say(teacher, room.lesson, "quiet please")["ok"]  # teachers are never muted
    teacher.call("mute", {"session_id": room.lesson.id, "user_id": None, "muted": False})
    teacher.call("mute", {"session_id": room.lesson.id, "user_id": room.student.id, "muted": False})
    assert _say(student, room.lesson, "thanks")["ok"]


def test_a_reloaded_console_knows_which_students_are_muted(live_server_factory, connect, room):
    server = live_server_factory()
    teacher = connect(server, room.teacher)
    teacher.join(room.lesson.id)
    assert teacher.call("mute", {"session_id": room.lesson.id, "user_id": room.student.id, "muted": True})["ok"]
    teacher.close()  # the teacher reloads the console

    again = connect(server, room.teacher, name="reloaded console")
    state = again.join(room.lesson.id)
    assert state["muted"] == [room.student.id] and state["muted_all"] is False
    student_state = connect(server, room.student).join(room.lesson.id)
    assert "muted" not in student_state and student_state["me"]["muted"] is True


def test_teacher_deletes_a_message_for_everyone(live_server_factory, connect, room):
    server = live_server_factory()
    teacher, student = connect(server, room.teacher), connect(server, room.student)
    teacher.join(room.lesson.id)
    student.join(room.lesson.id)
    message_id = _say(student, room.lesson, "spam")["message"]["id"]
    assert teacher.call("chat_delete", {"session_id": room.lesson.id, "message_id": message_id})["ok"]
    assert student.wait_for("chat_deleted") == {"id": message_id}
    late = connect(server, room.students[1])
    assert late.join(room.lesson.id)["chat"] == []
    db.session.rollback()
    assert db.session.get(ChatMessage, message_id).hidden  # kept for the record


def test_history_on_join_is_bounded_to_the_latest(live_server_factory, connect, room):
    db.session.add_all(ChatMessage(session_id=room.lesson.id, user_id=room.student.id, text=f"m{n}") for n in range(12))
    db.session.commit()
    server = live_server_factory(LIVE_CHAT_HISTORY=5)
    state = connect(server, room.students[1]).join(room.lesson.id)
    assert [m["text_html"] for m in state["chat"]] == ["m7", "m8", "m9", "m10", "m11"]
