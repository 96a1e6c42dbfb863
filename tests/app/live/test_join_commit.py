"""A join whose commit fails leaves the socket as it was: the retried join opens presence."""

import pytest
from sqlalchemy import event, select

from app.extensions import db, socketio
from app.live.models import PresenceInterval
from tests.app.live.lessons import add_lesson


def _fail_next_commit():
    """Make the next commit of any session of the app fail once, as a lost database would
    (savepoints, which fire the same event, pass)."""
    session_class = type(db.session())
    armed = {"fail": True}

    def refuse(session):
        if armed["fail"] and not session.in_nested_transaction():
            armed["fail"] = False
            raise RuntimeError("the database went away")

    event.listen(session_class, "before_commit", refuse)
    return lambda: event.remove(session_class, "before_commit", refuse)


def _open_intervals(lesson, user):
    db.session.rollback()  # a fresh look at what the handlers committed
    query = select(PresenceInterval).where(
        PresenceInterval.session_id == lesson.id,
        PresenceInterval.user_id == user.id,
        PresenceInterval.ended_at.is_(None),
    )
    return db.session.scalars(query).all()


def test_a_join_retried_after_a_failed_commit_makes_the_student_present(app, people, token_for, database_url):
    if database_url.startswith("sqlite"):
        # The in-process app keeps pysqlite's transactions, where a savepoint's RELEASE commits
        # the interval before the failing commit; the live server begins with BEGIN IMMEDIATE.
        pytest.skip("a rolled-back savepoint insert needs the live server's SQLite transactions")
    lesson = add_lesson(people.course)
    client = socketio.test_client(app, namespace="/live", auth={"token": token_for(people.student)})
    assert client.is_connected("/live")
    restore = _fail_next_commit()
    try:
        failed = client.emit("join", {"session_id": lesson.id}, namespace="/live", callback=True)
    finally:
        restore()
    assert failed["ok"] is False and failed["error"] == "error"
    assert _open_intervals(lesson, people.student) == []

    retried = client.emit("join", {"session_id": lesson.id}, namespace="/live", callback=True)

    assert retried["ok"], retried
    [interval] = _open_intervals(lesson, people.student)
    assert interval.connections == 1
    # Joined for real now: the room takes the student's chat.
    chat = client.emit("chat", {"session_id": lesson.id, "text": "hello"}, namespace="/live", callback=True)
    assert chat["ok"], chat
    client.disconnect(namespace="/live")
    [closed] = db.session.scalars(select(PresenceInterval).where(PresenceInterval.id == interval.id)).all()
    db.session.refresh(closed)
    assert closed.ended_at is not None or closed.connections == 0


def test_a_failed_join_does_not_let_the_socket_act_in_the_room(app, people, token_for):
    lesson = add_lesson(people.course)
    client = socketio.test_client(app, namespace="/live", auth={"token": token_for(people.student)})
    restore = _fail_next_commit()
    try:
        client.emit("join", {"session_id": lesson.id}, namespace="/live", callback=True)
    finally:
        restore()

    chat = client.emit("chat", {"session_id": lesson.id, "text": "hello"}, namespace="/live", callback=True)

    assert chat["ok"] is False and chat["error"] == "not_joined"
    client.disconnect(namespace="/live")
