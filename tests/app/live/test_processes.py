"""Several server processes sharing Redis, and a server killed in the middle of a lesson."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
import redis
from sqlalchemy import select

from app.core.models import utcnow
from app.extensions import db
from app.live.models import PresenceInterval
from tests.app.live.conftest import changed, wait_until

REDIS_URL = "redis://127.0.0.1:6379/5"


def _redis_available() -> bool:
    try:
        return redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.exceptions.RedisError:
        return False


@pytest.mark.skipif(not _redis_available(), reason="Redis is not running on 127.0.0.1:6379")
def test_chat_and_presence_cross_between_two_processes(live_server_factory, connect, room):
    channel = f"kexu-live-test-{uuid.uuid4().hex}"
    first = live_server_factory(REDIS_URL=REDIS_URL, LIVE_REDIS_CHANNEL=channel)
    second = live_server_factory(REDIS_URL=REDIS_URL, LIVE_REDIS_CHANNEL=channel)
    assert first.port != second.port
    teacher = connect(first, room.teacher)
    teacher.join(room.lesson.id)
    student = connect(second, room.student)
    student.join(room.lesson.id)
    arrived = teacher.wait_for("presence", changed(room.student.id, True))
    assert arrived["count"] == 2
    assert student.call("chat", {"session_id": room.lesson.id, "text": "from process two"})["ok"]
    assert teacher.wait_for("chat")["text_html"] == "from process two"
    assert teacher.call("chat", {"session_id": room.lesson.id, "text": "from process one"})["ok"]
    student.wait_for("chat", lambda d: d["text_html"] == "from process one")
    student.close()
    teacher.wait_for("presence", changed(room.student.id, False))


def test_killed_server_loses_at_most_one_heartbeat_of_presence(live_server_factory, connect, room):
    heartbeat = 2
    server = live_server_factory(LIVE_HEARTBEAT_SECONDS=heartbeat, LIVE_RECONNECT_GRACE_SECONDS=60)
    student = connect(server, room.student)
    student.join(room.lesson.id)
    (interval,) = wait_until(lambda: _intervals(room), message="the interval")
    interval_id, started_at = interval.id, interval.started_at  # the object reloads after each rollback
    # Let the server's own heartbeat run for a while, as during a lesson.
    wait_until(lambda: _intervals(room)[0].last_seen_at > started_at + timedelta(seconds=3 * heartbeat))

    server.kill()
    killed_at = utcnow()
    db.session.rollback()
    (recorded,) = _intervals(room)
    assert killed_at - recorded.last_seen_at <= timedelta(seconds=heartbeat)
    assert recorded.seconds >= (killed_at - started_at).total_seconds() - heartbeat

    server.restart()  # same port: the client reconnects by itself and joins again
    wait_until(lambda: student.connects >= 2, message="the automatic reconnect")
    (resumed,) = wait_until(
        lambda: [i for i in _intervals(room) if i.last_seen_at > killed_at and i.connections >= 1],
        message="presence after the restart",
    )
    assert resumed.id == interval_id and resumed.ended_at is None  # the same interval continues
    assert resumed.started_at == started_at


def _intervals(room):
    db.session.rollback()
    return db.session.scalars(
        select(PresenceInterval).where(PresenceInterval.session_id == room.lesson.id).order_by(PresenceInterval.id)
    ).all()
