"""Live room tests: real server processes, real python-socketio clients over real sockets."""

from __future__ import annotations

import contextlib
import queue
import threading
import time
from datetime import timedelta
from types import SimpleNamespace

import pytest
import socketio
from sqlalchemy import text

from app.auth.operations import issue_token
from app.core.models import utcnow
from app.extensions import db
from app.schedule.models import LiveSession
from tests.factories import PASSWORD
from tests.live_server import live_server_factory  # noqa: F401 - a fixture

WAIT = 15  # seconds: generous, the machine is shared; tests wait for conditions, not for time


@pytest.fixture(scope="session", autouse=True)
def _sqlite_wal(_schema, database_url):
    """Server processes and the test share one SQLite file: WAL lets readers and the writer
    work side by side (the servers set it too; setting it here first avoids a race)."""
    if database_url.startswith("sqlite"):
        from sqlalchemy import create_engine

        engine = create_engine(database_url)
        with engine.connect() as conn:
            conn.execute(text("PRAGMA journal_mode=WAL"))
        engine.dispose()


@pytest.fixture
def make_lesson(app, make_course):
    def make(course=None, starts_in=-5, minutes=40, classes=None, title="直播课", **fields) -> LiveSession:
        """A lesson starting `starts_in` minutes from now (negative: already started)."""
        course = course or make_course()
        starts_at = utcnow() + timedelta(minutes=starts_in)
        lesson = LiveSession(
            school_id=course.school_id,
            course_id=course.id,
            title=title,
            starts_at=starts_at,
            ends_at=starts_at + timedelta(minutes=minutes),
            original_starts_at=starts_at,
            **fields,
        )
        lesson.classes.extend(classes or [])
        db.session.add(lesson)
        db.session.commit()
        return lesson

    return make


class LiveClient:
    """A python-socketio client that records every event it receives."""

    def __init__(self, url: str, name: str = "client"):
        self.url = url
        self.name = name
        self.sio = socketio.Client(reconnection=True, reconnection_delay=0.2, reconnection_delay_max=1)
        self.events: queue.Queue = queue.Queue()
        self.seen: list[tuple[str, object]] = []
        self.lock = threading.Lock()
        self.connects = 0
        self.session_id = None
        self.refusals: list = []

        @self.sio.on("connect_error", namespace="/live")
        def on_refused(data=None):
            self.refusals.append(data)

        @self.sio.on("*", namespace="/live")
        def any_event(event, data=None):
            with self.lock:
                self.seen.append((event, data))

        @self.sio.on("connect", namespace="/live")
        def on_connect():
            self.connects += 1
            # Like the browser client: after a reconnect, join the lesson again.
            if self.session_id is not None and self.connects > 1:
                self.sio.start_background_task(self._rejoin)

    def _rejoin(self):
        # A failure shows in the test as missing presence; nothing to do here.
        with contextlib.suppress(Exception):
            self.sio.call("join", {"session_id": self.session_id}, namespace="/live", timeout=WAIT)

    def connect(self, cookie: str | None = None, token: str | None = None) -> LiveClient:
        headers = {"Cookie": f"session={cookie}"} if cookie else {}
        self.sio.connect(
            self.url,
            namespaces=["/live"],
            transports=["websocket"],
            headers=headers,
            auth={"token": token} if token else None,
            wait_timeout=WAIT,
        )
        return self

    def call(self, event: str, data: dict | None = None) -> dict:
        return self.sio.call(event, data or {}, namespace="/live", timeout=WAIT)

    def join(self, session_id: int) -> dict:
        answer = self.call("join", {"session_id": session_id})
        if answer.get("ok"):
            self.session_id = session_id
        return answer

    def received(self, event: str) -> list:
        with self.lock:
            return [data for name, data in self.seen if name == event]

    def wait_for(self, event: str, predicate=lambda data: True, timeout: float = WAIT):
        """The first `event` (received before or after this call) whose data satisfies `predicate`."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for data in self.received(event):
                if predicate(data):
                    return data
            time.sleep(0.05)
        raise AssertionError(f"{self.name} got no matching {event!r} in {timeout} s; got {self.received(event)!r}")

    def close(self):
        self.sio.reconnection = False
        if self.sio.connected:
            self.sio.disconnect()


def changed(user_id: int, present: bool | None = None):
    """A `wait_for("presence", ...)` predicate: the batch tells of `user_id` (arriving or gone)."""

    def matches(batch) -> bool:
        return any(c["user_id"] == user_id and present in (None, c["present"]) for c in batch["changes"])

    return matches


def change_of(batch: dict, user_id: int) -> dict:
    """The change of `user_id` in a presence batch."""
    return next(c for c in batch["changes"] if c["user_id"] == user_id)


def wait_until(condition, timeout: float = WAIT, interval: float = 0.1, message: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        db.session.rollback()  # a new snapshot: see what the server committed
        value = condition()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out waiting for {message}")


@pytest.fixture
def session_cookie(app):
    """The signed session cookie of `user`, as the browser would hold it after signing in."""

    def cookie(user) -> str:
        client = app.test_client()
        answer = client.post("/login", data={"username": user.username, "password": PASSWORD})
        assert answer.status_code in (302, 303), answer.status_code
        return client.get_cookie("session").value

    return cookie


@pytest.fixture
def connect(session_cookie):
    """connect(server, user or None, token=...) -> a connected LiveClient (closed afterwards)."""
    clients: list[LiveClient] = []

    def open_client(server, user=None, token=None, name=None, client=None) -> LiveClient:
        """Pass `client` (a LiveClient) to keep a reference when connecting is expected to fail."""
        client = client or LiveClient(server.url, name or (user.username if user else "anonymous"))
        clients.append(client)
        cookie = session_cookie(user) if user is not None and token is None else None
        return client.connect(cookie=cookie, token=token)

    yield open_client
    for client in clients:
        client.close()


@pytest.fixture
def token_for(app):
    def make(user) -> str:
        _, secret = issue_token(user, "live test")
        db.session.commit()
        return secret

    return make


@pytest.fixture
def room(people, make_lesson, make_user, make_term, make_course):
    """A lesson in progress of `people.course` with three enrolled students."""
    term = make_term()
    people.course.term_id = term.id
    db.session.commit()
    students = [people.student] + [make_user(classes=[people.klass]) for _ in range(2)]
    lesson = make_lesson(course=people.course)
    return SimpleNamespace(lesson=lesson, students=students, term=term, **vars(people))
