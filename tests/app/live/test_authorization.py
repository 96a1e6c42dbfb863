"""Every event of the /live namespace against every role (docs/live-protocol.md)."""

from __future__ import annotations

import pytest
import socketio

from app.extensions import db
from app.live.models import ChatMessage, Poll
from tests.app.live.conftest import LiveClient, change_of, changed

# Who may do what: the rule each event is checked with.
TEACH = {"teacher"}
PARTICIPATE = {"student"}
JOIN = {"student", "teacher", "academic_affairs"}
CHAT = {"student", "teacher"}
EVENTS = {
    "heartbeat": JOIN,
    "chat": CHAT,
    "chat_delete": TEACH,
    "mute": TEACH,
    "hand": PARTICIPATE,
    "call_on": TEACH,
    "confused": PARTICIPATE,
    "checkin_open": TEACH,
    "checkin": PARTICIPATE,
    "rollcall": TEACH,
    "poll_open": TEACH,
    "poll_answer": PARTICIPATE,
    "poll_close": TEACH,
    "leave": JOIN,
    "end": TEACH,  # last: the room is read-only afterwards
}
ROLES = {
    "student": "student",
    "other_student": "other_student",  # same school, not enrolled
    "teacher": "teacher",
    "other_teacher": "other_teacher",
    "academic_affairs": "academic_affairs",
    "foreign_admin": "foreign_admin",  # admin and academic affairs of another school
}


def _payloads(room, lesson) -> dict:
    message = ChatMessage(session_id=lesson.id, user_id=room.student.id, text="hello")
    poll = Poll(session_id=lesson.id, question="1+1?", options=["1", "2"])
    db.session.add_all([message, poll])
    db.session.commit()
    return {
        "chat": {"text": "hi"},
        "chat_delete": {"message_id": message.id},
        "mute": {"user_id": room.student.id, "muted": True},
        "hand": {"raised": True},
        "call_on": {"user_id": room.student.id},
        "checkin_open": {"seconds": 30},
        "checkin": {"code": "000000"},
        "poll_open": {"question": "2+2?", "options": ["3", "4"]},
        "poll_answer": {"poll_id": poll.id, "choices": [1]},
        "poll_close": {"poll_id": poll.id, "reveal": True},
    }


@pytest.mark.parametrize("role", sorted(ROLES))
def test_every_event_is_authorized_for_each_role(role, live_server_factory, connect, room, make_lesson):
    """Allowed roles are never refused as forbidden; every other role always is, even for
    the teacher-only events and even without joining first."""
    server = live_server_factory()
    lesson = make_lesson(course=room.course)
    payloads = _payloads(room, lesson)
    user = getattr(room, ROLES[role])
    client = connect(server, user)

    joined = client.join(lesson.id)
    if role in JOIN:
        assert joined["ok"], joined
        assert joined["me"]["role"] == {"student": "student", "teacher": "teacher"}.get(role, "observer")
    else:
        assert joined == {"ok": False, "error": "forbidden", "message": joined["message"]}
        assert "not allowed" in joined["message"]

    for event, allowed in EVENTS.items():
        answer = client.call(event, {"session_id": lesson.id, **payloads.get(event, {})})
        if role in allowed:
            assert answer.get("error") != "forbidden", (event, answer)
        else:
            assert answer["ok"] is False and answer["error"] == "forbidden", (event, answer)


def test_teacher_events_succeed_for_the_teacher(live_server_factory, connect, room, make_lesson):
    server = live_server_factory()
    lesson = make_lesson(course=room.course)
    payloads = _payloads(room, lesson)
    teacher = connect(server, room.teacher)
    student = connect(server, room.student)
    assert teacher.join(lesson.id)["ok"] and student.join(lesson.id)["ok"]
    for event in ("chat_delete", "mute", "call_on", "checkin_open", "rollcall", "poll_open", "poll_close", "end"):
        answer = teacher.call(event, {"session_id": lesson.id, **payloads.get(event, {})})
        assert answer["ok"], (event, answer)


def test_anonymous_connection_is_refused(live_server_factory, connect):
    server = live_server_factory()
    client = LiveClient(server.url, "anonymous")
    with pytest.raises(socketio.exceptions.ConnectionError):
        connect(server, None, client=client)
    assert client.refusals == [{"message": "Sign in to join the lesson.", "data": {"error": "unauthorized"}}]


def test_unknown_or_revoked_token_is_refused(live_server_factory, connect, room, token_for):
    from app.auth.operations import revoke_token, user_for_token

    server = live_server_factory()
    with pytest.raises(socketio.exceptions.ConnectionError):
        connect(server, token="kx_not-a-real-token")
    secret = token_for(room.student)
    revoke_token(room.student, _token_row(secret))
    db.session.commit()
    assert user_for_token(secret) is None
    with pytest.raises(socketio.exceptions.ConnectionError):
        connect(server, token=secret)


def _token_row(secret):
    from sqlalchemy import select

    from app.auth.models import ApiToken
    from app.auth.operations import _digest

    return db.session.scalar(select(ApiToken).where(ApiToken.token_digest == _digest(secret)))


def test_bearer_token_authenticates_a_program(live_server_factory, connect, room, token_for):
    server = live_server_factory()
    client = connect(server, token=token_for(room.student))
    state = client.join(room.lesson.id)
    assert state["ok"] and state["me"]["user_id"] == room.student.id and state["me"]["role"] == "student"
    assert "roster" not in state and "hands" not in state  # staff-only parts


def test_student_of_another_lesson_class_is_refused(live_server_factory, connect, room, make_lesson, make_class):
    """A lesson for one class of a course: students of the course's other classes stay out."""
    other_class = make_class()
    room.course.classes.append(other_class)
    db.session.commit()
    lesson = make_lesson(course=room.course, classes=[other_class])
    server = live_server_factory()
    answer = connect(server, room.student).join(lesson.id)
    assert answer["ok"] is False and answer["error"] == "forbidden"


def test_a_disabled_account_loses_its_connection_rights(live_server_factory, connect, room):
    server = live_server_factory()
    client = connect(server, room.student)
    assert client.join(room.lesson.id)["ok"]
    room.student.disabled = True
    db.session.commit()
    answer = client.call("chat", {"session_id": room.lesson.id, "text": "still here?"})
    assert answer["ok"] is False and answer["error"] == "unauthorized"


def test_events_before_joining_are_refused(live_server_factory, connect, room):
    server = live_server_factory()
    client = connect(server, room.student)
    answer = client.call("chat", {"session_id": room.lesson.id, "text": "hello"})
    assert answer["ok"] is False and answer["error"] == "not_joined"
    assert client.call("chat", {"session_id": 999999, "text": "x"})["error"] == "not_found"


def test_a_student_enrolled_mid_lesson_elsewhere_joins_at_once(live_server_factory, connect, room, make_user):
    """The enrolment is committed by another process (here the test's), so nothing empties the
    server's cached roster; the join is checked against the database before it is refused."""
    server = live_server_factory(LIVE_ROOM_CACHE_SECONDS=3600)
    teacher = connect(server, room.teacher)
    assert teacher.join(room.lesson.id)["ok"]  # the server holds the lesson's roster
    newcomer = make_user(classes=[room.other_class])
    client = connect(server, newcomer)
    assert client.join(room.lesson.id)["error"] == "forbidden"

    newcomer.classes.append(room.klass)
    db.session.commit()

    state = client.join(room.lesson.id)
    assert state["ok"] and state["me"]["role"] == "student", state
    arrived = teacher.wait_for("presence", changed(newcomer.id, True))
    assert change_of(arrived, newcomer.id)["name"] == newcomer.name
    assert client.call("hand", {"session_id": room.lesson.id, "raised": True})["ok"]
    outsider = connect(server, room.other_student)
    assert outsider.join(room.lesson.id)["error"] == "forbidden"
