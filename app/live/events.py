"""The /live Socket.IO namespace (docs/live-protocol.md).

Each handler: find the connection's user, load the lesson named in the payload, authorize with
`can`, call an operation, commit, and only then emit (nothing is announced that could still
roll back). Answers are acknowledgements: `{"ok": true, ...}` or `{"ok": false, "error", "message"}`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import wraps

from flask import current_app, g, request
from flask_babel import gettext as _
from flask_login import current_user
from flask_socketio import Namespace, join_room, leave_room
from socketio.exceptions import ConnectionRefusedError
from sqlalchemy.orm import lazyload

from app.auth.models import User
from app.auth.operations import user_for_token
from app.core.models import utcnow
from app.core.permissions import can
from app.extensions import db, socketio
from app.live import activities, operations, presence, state
from app.live.announcer import PresenceAnnouncer
from app.live.operations import LiveError, _int
from app.schedule.models import LiveSession

log = logging.getLogger(__name__)
NAMESPACE = "/live"


@dataclass
class Connection:
    """One socket of this process: whose it is and which lesson room it joined."""

    user_id: int
    session_id: int | None = None
    interval_id: int | None = None
    staff: bool = False


def emit(event: str, payload: dict, to: str) -> None:
    socketio.emit(event, payload, to=to, namespace=NAMESPACE)


def _refusal(code: str, message: str) -> dict:
    return {"ok": False, "error": code, "message": message}


def live_event(action: str, joined: bool = True):
    """Wrap a handler `(self, user, session, data, conn) -> (answer, emits)` with the common
    steps: user, lesson, `can(user, action, lesson)`, joined-room check, commit, then emits
    (`(event, payload, room)` tuples, or callables run after the commit)."""

    def decorate(handler):
        @wraps(handler)
        def run(self, data=None):
            data = data if isinstance(data, dict) else {}
            conn = self.connections.get(request.sid)
            # Roles load only if a rule asks (observers): the room's facts answer the rest.
            user = db.session.get(User, conn.user_id, options=[lazyload(User.role_grants)]) if conn else None
            if user is None or not user.is_active:
                return _refusal("unauthorized", _("Sign in to take part in the lesson."))
            g._login_user = user  # current_user (and the user's language) for this event
            session = db.session.get(LiveSession, _int(data.get("session_id")))
            if session is None:
                return _refusal("not_found", _("That lesson does not exist."))
            if not can(user, action, session):
                return _refusal("forbidden", _("You are not allowed to do that in this lesson."))
            if joined and conn.session_id != session.id:
                return _refusal("not_joined", _("Join the lesson's room first."))
            try:
                answer, emits = handler(self, user, session, data, conn)
                db.session.commit()
            except LiveError as refusal:
                db.session.rollback()
                return _refusal(refusal.code, refusal.message)
            except Exception:
                db.session.rollback()
                log.exception("live event %s failed", handler.__name__)
                return _refusal("error", _("Something went wrong. Please try again."))
            for item in emits:
                if callable(item):  # an announcement that waits for the commit too
                    item()
                else:
                    emit(*item)
            return {"ok": True, **(answer or {})}

        return run

    return decorate


class LiveNamespace(Namespace):
    """Connections are remembered per process; everything else lives in the database."""

    def __init__(self, namespace=NAMESPACE):
        super().__init__(namespace)
        self.connections: dict[str, Connection] = {}
        self.announcer = PresenceAnnouncer(namespace)
        self.beats: set[int] = set()  # presence intervals whose clients sent a heartbeat

    def on_connect(self, auth=None):
        token = auth.get("token") if isinstance(auth, dict) else None
        user = user_for_token(token) if token else None
        if user is None and not token and current_user.is_authenticated:
            user = db.session.get(User, current_user.id)
        if user is None or not user.is_active:
            db.session.rollback()
            raise ConnectionRefusedError(_("Sign in to join the lesson."), {"error": "unauthorized"})
        user_id = user.id  # read before the commit expires the object
        db.session.commit()  # the token's last use
        self.connections[request.sid] = Connection(user_id=user_id)

    def on_disconnect(self, reason=None):
        conn = self.connections.pop(request.sid, None)
        if conn is not None and conn.interval_id is not None:
            self._drop_presence(conn, explicit=False)

    def _drop_presence(self, conn: Connection, explicit: bool) -> None:
        user_id, absent = presence.disconnect(conn.interval_id, utcnow(), explicit)
        session = db.session.get(LiveSession, conn.session_id) if absent else None
        person = state.presence_person(session, db.session.get(User, user_id)) if session else None
        db.session.commit()
        conn.interval_id = None
        if person is not None:
            self.announcer.add(current_app._get_current_object(), conn.session_id, person, present=False)

    def _leave_current(self, conn: Connection) -> None:
        if conn.session_id is None:
            return
        session = db.session.get(LiveSession, conn.session_id)
        if conn.interval_id is not None:
            self._drop_presence(conn, explicit=True)
        if session is not None:
            for name in (state.room(session), state.staff_room(session), state.user_room(session, conn.user_id)):
                leave_room(name)
        conn.session_id, conn.staff = None, False

    def local_intervals(self) -> list[int]:
        """Presence intervals of this process's live connections (the server's heartbeat)."""
        return [c.interval_id for c in list(self.connections.values()) if c.interval_id is not None]

    def local_staff(self, session_id: int) -> list[str]:
        return [sid for sid, c in list(self.connections.items()) if c.session_id == session_id and c.staff]

    @live_event("live.join", joined=False)
    def on_join(self, user, session, data, conn):
        now = utcnow()
        room_state = operations.open_room(user, session, now)
        if conn.session_id is not None and conn.session_id != session.id:
            self._leave_current(conn)
        staff = state.role_in(user, session) != "student"
        interval_id, became_present = conn.interval_id, False
        if not room_state.closed and interval_id is None:
            interval_id, became_present = presence.connect(session.id, user.id, now)
        rooms = [state.room(session), state.user_room(session, user.id)]
        if staff:
            rooms.append(state.staff_room(session))
        session_id = session.id

        def remember():
            # Only once the interval is committed: a rolled-back id kept here would make the
            # retried join skip presence (and the ticker beat a row that does not exist).
            conn.interval_id, conn.session_id, conn.staff = interval_id, session_id, staff
            for name in rooms:
                join_room(name)

        payload = state.room_state(user, session, room_state, now)
        if not became_present:
            return payload, [remember]
        app, person = current_app._get_current_object(), state.presence_person(session, user)
        # The joiner has the whole list in this answer; the others hear of it in the next batch.
        return payload, [remember, lambda: self.announcer.add(app, session_id, person, present=True)]

    @live_event("live.join")
    def on_leave(self, user, session, data, conn):
        self._leave_current(conn)
        return {}, []

    def on_heartbeat(self, data=None):
        """From a connection joined to that lesson (authorized when it joined) the heartbeat is
        only noted: the ticker writes all of them in one UPDATE a tick, so a thousand students
        beating every 15 s are not 67 transactions a second. Anything else takes the checked path."""
        conn = self.connections.get(request.sid)
        session_id = _int(data.get("session_id")) if isinstance(data, dict) else None
        if conn is not None and session_id is not None and conn.session_id == session_id:
            if conn.interval_id is not None:
                self.beats.add(conn.interval_id)
            return {"ok": True}
        return self._refused_heartbeat(data)

    @live_event("live.join")
    def _refused_heartbeat(self, user, session, data, conn):
        return {}, []  # the checks refuse it (a joined connection took the path above)

    def take_beats(self) -> set[int]:
        """The intervals heartbeaten since the last call (the ticker writes them)."""
        beats, self.beats = self.beats, set()
        return beats

    @live_event("live.chat")
    def on_chat(self, user, session, data, conn):
        message = operations.post_chat(user, session, data)
        payload = state.chat_message(message)
        return {"message": payload}, [("chat", payload, state.room(session))]

    @live_event("live.teach")
    def on_chat_delete(self, user, session, data, conn):
        message = operations.hide_chat(user, session, data)
        return {}, [("chat_deleted", {"id": message.id}, state.room(session))]

    @live_event("live.teach")
    def on_mute(self, user, session, data, conn):
        user_id, muted = operations.set_mute(user, session, data)
        return {}, [("muted", {"user_id": user_id, "muted": muted}, state.room(session))]

    @live_event("live.participate")
    def on_hand(self, user, session, data, conn):
        raised = operations.set_hand(user, session, data)
        return {"raised": raised}, [
            ("hand", {"raised": raised}, state.user_room(session, user.id)),
            ("hands", state.hands(session), state.staff_room(session)),
        ]

    @live_event("live.teach")
    def on_call_on(self, user, session, data, conn):
        student = operations.call_on(user, session, data)
        return {}, [
            ("called_on", state.person(student), state.room(session)),
            ("hand", {"raised": False}, state.user_room(session, student.id)),
            ("hands", state.hands(session), state.staff_room(session)),
        ]

    @live_event("live.participate")
    def on_confused(self, user, session, data, conn):
        count = operations.mark_confused(user, session)
        return {}, [("confused", {"count": count}, state.staff_room(session))]

    @live_event("live.teach")
    def on_checkin_open(self, user, session, data, conn):
        now = utcnow()
        window = activities.open_checkin(user, session, data, now)
        code, expires_at = activities.window_code(window, now)
        ends_at = state.iso(window.ends_at)
        code_payload = {
            "window_id": window.id,
            "code": code,
            "expires_at": state.iso(expires_at),
            "window_ends_at": ends_at,
        }
        return {"window_id": window.id, "ends_at": ends_at}, [
            ("checkin_window", {"open": True, "ends_at": ends_at}, state.room(session)),
            ("checkin_code", code_payload, state.staff_room(session)),
        ]

    @live_event("live.participate")
    def on_checkin(self, user, session, data, conn):
        record, count = activities.check_in(user, session, data)
        return {"at": state.iso(record.checked_in_at)}, [
            ("checked_in", {**state.person(user), "count": count}, state.staff_room(session))
        ]

    @live_event("live.teach")
    def on_rollcall(self, user, session, data, conn):
        call = activities.roll_call(user, session)
        payload = state.person(call.user)
        return payload, [("rollcall", payload, state.room(session))]

    @live_event("live.teach")
    def on_poll_open(self, user, session, data, conn):
        poll = activities.open_poll(user, session, data)
        payload = state.poll(poll, utcnow())
        return {"poll": payload}, [("poll", payload, state.room(session))]

    @live_event("live.participate")
    def on_poll_answer(self, user, session, data, conn):
        poll = activities.answer_poll(user, session, data)
        return {}, [("poll_tally", activities.poll_tally(poll), state.staff_room(session))]

    @live_event("live.teach")
    def on_poll_close(self, user, session, data, conn):
        poll = activities.close_poll(user, session, data)
        tally = activities.poll_tally(poll)
        emits = [("poll", state.poll(poll, utcnow()), state.room(session))]
        emits.append(("poll_tally", tally, state.room(session) if poll.revealed else state.staff_room(session)))
        return {"tally": tally}, emits

    @live_event("live.teach")
    def on_end(self, user, session, data, conn):
        closed = operations.end_lesson(user, session)
        if closed is None:
            return {"already": True}, []
        payload = {"at": state.iso(closed.closed_at), "by": state.person(user)}
        return {}, [("ended", payload, state.room(session))]
