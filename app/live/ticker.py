"""One background task per process: server heartbeats, presence sweep, reminders, time limits.

The clients' heartbeats are collected by the namespace and written here, once a tick.

Every process runs it. Work that must happen once (a reminder, closing a room, closing a
timed poll) is claimed with a conditional UPDATE, so exactly one process wins and announces
it; announcements reach every process's clients through the message queue. Rotating
check-in codes are sent by each process to its own staff connections only.
"""

from __future__ import annotations

import logging
import time
from datetime import datetime, timedelta

from flask import Flask, current_app
from sqlalchemy import select, update

from app.core.models import utcnow
from app.extensions import db, socketio
from app.live import activities, operations, presence, state
from app.live.models import LessonRoomState, Poll
from app.schedule.models import LiveSession

log = logging.getLogger(__name__)


def start_ticker(app: Flask) -> None:
    socketio.start_background_task(_run, app)


def _run(app: Flask) -> None:
    ticker = Ticker(app)
    while True:
        socketio.sleep(float(app.config["LIVE_TICK_SECONDS"]))
        try:
            with app.app_context():
                ticker.tick(utcnow())
        except Exception:  # a bad tick must not stop the next one
            log.exception("live ticker failed")


def longest_lesson_minutes(session: LiveSession) -> float | None:
    """The strictest longest-lesson limit among the stages of the lesson's classes."""
    try:
        from app.schedule.loading import school_policy
    except ImportError:  # the schedule package is optional here: fall back to the scheduled length
        return None
    policy = school_policy(session.school_id)
    classes = session.classes or session.course.classes
    limits = [
        policy[str(unit.stage)].max_lesson_minutes
        for unit in classes
        if unit.stage and str(unit.stage) in policy and policy[str(unit.stage)].max_lesson_minutes
    ]
    return min(limits) if limits else None


def _claim(state_id: int, column) -> bool:
    result = db.session.execute(
        update(LessonRoomState)
        .where(LessonRoomState.id == state_id, column.is_(None))
        .values({column.key: utcnow()})
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


class Ticker:
    def __init__(self, app: Flask):
        self.namespace = app.extensions["kexu_live"]
        self.last_touch = 0.0
        self.sent_codes: dict[tuple, int] = {}  # window -> step last sent by this process
        # Keyed with the creation time too: ids come back after rows are deleted (SQLite).
        self.policy_limits: dict[tuple, float | None] = {}

    def tick(self, now: datetime) -> None:
        heartbeat = float(current_app.config["LIVE_HEARTBEAT_SECONDS"])
        # Half a heartbeat, so a killed process has lost less than one heartbeat of presence.
        beats = self.namespace.take_beats()
        if time.monotonic() - self.last_touch >= heartbeat / 2:
            self.last_touch = time.monotonic()
            presence.touch(self.namespace.local_intervals(), now)
            db.session.commit()
        elif beats:  # the clients' heartbeats since the last tick, in one statement
            presence.touch(beats, now)
            db.session.commit()
        presence.sweep(now)
        db.session.commit()
        rows = db.session.execute(
            select(LessonRoomState, LiveSession)
            .join(LiveSession, LiveSession.id == LessonRoomState.session_id)
            .where(LessonRoomState.closed_at.is_(None))
        ).all()
        for room_state, session in rows:
            self.room(room_state, session, now)

    def room(self, room_state: LessonRoomState, session: LiveSession, now: datetime) -> None:
        emits = []
        if now >= session.ends_at and _claim(room_state.id, LessonRoomState.reminded_scheduled_end_at):
            emits.append(("reminder", {"kind": "scheduled_end", "at": state.iso(session.ends_at)}, "staff"))
        key = (session.id, session.created_at)
        if key not in self.policy_limits:
            self.policy_limits[key] = longest_lesson_minutes(session)
        limit = self.policy_limits[key]
        limit_at = session.starts_at + timedelta(minutes=limit) if limit else None
        if limit_at and now >= limit_at and _claim(room_state.id, LessonRoomState.reminded_policy_limit_at):
            emits.append(("reminder", {"kind": "policy_limit", "at": state.iso(limit_at), "minutes": limit}, "staff"))
        for poll in db.session.scalars(
            select(Poll).where(Poll.session_id == session.id, Poll.closed_at.is_(None), Poll.closes_at <= now)
        ):
            claimed = db.session.execute(
                update(Poll)
                .where(Poll.id == poll.id, Poll.closed_at.is_(None))
                .values(closed_at=poll.closes_at)
                .execution_options(synchronize_session=False)
            ).rowcount
            if claimed:
                db.session.refresh(poll)
                emits.append(("poll", state.poll(poll, now), "room"))
                emits.append(("poll_tally", activities.poll_tally(poll), "staff"))
        if now >= operations.closes_at(session):
            closed = operations.end_lesson(None, session, now)
            if closed is not None:
                emits.append(("ended", {"at": state.iso(now), "by": None}, "room"))
        db.session.commit()
        rooms = {"room": state.room(session), "staff": state.staff_room(session)}
        for event, payload, to in emits:
            socketio.emit(event, payload, to=rooms[to], namespace="/live")
        self.rotate_codes(session, now)

    def rotate_codes(self, session: LiveSession, now: datetime) -> None:
        """Send the new check-in code to this process's staff whenever the step changes."""
        window = activities.open_checkin_window(session, now)
        staff = self.namespace.local_staff(session.id)
        if window is None or not staff:
            return
        step_seconds = float(current_app.config["LIVE_CHECKIN_STEP_SECONDS"])
        step = int(now.timestamp() // step_seconds)
        key = (window.id, window.opened_at)
        if self.sent_codes.get(key) == step:
            return
        self.sent_codes[key] = step
        code, expires_at = activities.window_code(window, now)
        payload = {
            "window_id": window.id,
            "code": code,
            "expires_at": state.iso(expires_at),
            "window_ends_at": state.iso(window.ends_at),
        }
        db.session.commit()
        for sid in staff:
            socketio.emit("checkin_code", payload, to=sid, namespace="/live")
