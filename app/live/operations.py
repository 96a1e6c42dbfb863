"""The live room's rules: opening, chat, mutes, hands, confusion, ending. Flush, never commit.

Check-ins, roll calls and polls are in activities.py; presence in presence.py. Every function
takes the acting user and the LiveSession; the caller has authorized the actor already.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from app.auth.models import User
from app.core import audit
from app.core.models import utcnow
from app.extensions import db
from app.live import facts, presence
from app.live.models import ChatMessage, ConfusionMark, HandRaise, LessonRoomState, Mute
from app.live.permissions import is_enrolled
from app.schedule.models import LiveSession, SessionStatus


class LiveError(Exception):
    """A refusal the client shows: `code` is stable for programs, `message` is translated."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


def _seconds(name: str) -> timedelta:
    return timedelta(seconds=float(current_app.config[name]))


def room_state(session: LiveSession) -> LessonRoomState | None:
    return db.session.scalar(select(LessonRoomState).where(LessonRoomState.session_id == session.id))


def opens_at(session: LiveSession) -> datetime:
    return session.starts_at - timedelta(minutes=float(current_app.config["LIVE_JOIN_EARLY_MINUTES"]))


def closes_at(session: LiveSession) -> datetime:
    """When the room closes itself if no teacher ended the lesson."""
    return session.ends_at + timedelta(minutes=float(current_app.config["LIVE_CLOSE_GRACE_MINUTES"]))


def open_room(actor, session: LiveSession, now: datetime | None = None) -> LessonRoomState:
    """The room's state, created on the first join. Refuses cancelled or not-yet-open lessons;
    a closed room is returned as it is (read-only)."""
    now = now or utcnow()
    if session.status == SessionStatus.CANCELLED:
        raise LiveError("cancelled", _("This lesson was cancelled."))
    state = room_state(session)
    if state is not None:
        return state
    if now < opens_at(session):
        raise LiveError("not_open", _("The room opens shortly before the lesson starts."))
    state = LessonRoomState(session_id=session.id, opened_at=now)
    if now >= closes_at(session):
        # Nobody joined during the lesson: the room exists only to be read.
        state.closed_at = now
    # Many students open a room at the same moment: one insert wins, the others read its row.
    try:
        with db.session.begin_nested():
            db.session.add(state)
    except IntegrityError:
        state = room_state(session)
    return state


def require_open(session: LiveSession) -> LessonRoomState:
    state = room_state(session)
    if state is None or state.closed_at is not None:
        raise LiveError("closed", _("This lesson has ended; the room is read-only."))
    return state


def chat_history(session: LiveSession) -> list[ChatMessage]:
    """The last LIVE_CHAT_HISTORY visible messages, oldest first."""
    limit = int(current_app.config["LIVE_CHAT_HISTORY"])
    query = (
        select(ChatMessage)
        .where(ChatMessage.session_id == session.id, ChatMessage.hidden.is_(False))
        .order_by(ChatMessage.id.desc())
        .limit(limit)
        .options(joinedload(ChatMessage.user))
    )
    return list(reversed(db.session.scalars(query).all()))


def is_muted(user, session: LiveSession, state: LessonRoomState) -> bool:
    # Not a refusal, so memory answers (`teaches` would read the roster again for every student's
    # message); the event's rule has just checked the user against fresh facts if it had to.
    if facts.of(session).role_of(user.id) == "teacher":
        return False
    if state.muted_all:
        return True
    return db.session.scalar(select(Mute.id).where(Mute.session_id == session.id, Mute.user_id == user.id)) is not None


def post_chat(actor, session: LiveSession, data: dict, now: datetime | None = None) -> ChatMessage:
    now = now or utcnow()
    state = require_open(session)
    text = str(data.get("text") or "").strip()
    if not text:
        raise LiveError("empty", _("Write a message first."))
    limit = int(current_app.config["LIVE_CHAT_MAX_LENGTH"])
    if len(text) > limit:
        raise LiveError("too_long", _("Messages can be at most %(limit)d characters.", limit=limit))
    if is_muted(actor, session, state):
        raise LiveError("muted", _("The teacher has muted you in this lesson's chat."))
    # Counted in the database, so the limit holds whichever process a message arrives at.
    window = _seconds("LIVE_CHAT_RATE_SECONDS")
    recent = db.session.scalars(
        select(ChatMessage.created_at)
        .where(ChatMessage.session_id == session.id, ChatMessage.user_id == actor.id)
        .where(ChatMessage.created_at > now - window)
        .order_by(ChatMessage.created_at)
    ).all()
    allowed = int(current_app.config["LIVE_CHAT_RATE_COUNT"])
    if len(recent) >= allowed:
        wait = max(1, int((recent[-allowed] + window - now).total_seconds() + 0.999))
        raise LiveError(
            "rate_limited",
            _("You are sending messages too quickly. Please wait %(seconds)d seconds.", seconds=wait),
        )
    message = ChatMessage(session_id=session.id, user_id=actor.id, text=text, created_at=now)
    db.session.add(message)
    db.session.flush()
    return message


def hide_chat(actor, session: LiveSession, data: dict) -> ChatMessage:
    message = db.session.get(ChatMessage, _int(data.get("message_id")))
    if message is None or message.session_id != session.id:
        raise LiveError("not_found", _("That message does not exist."))
    if not message.hidden:
        message.hidden, message.hidden_by_id, message.hidden_at = True, actor.id, utcnow()
        audit.record(actor, "live.chat_hidden", message, school_id=session.school_id, session_id=session.id)
        db.session.flush()
    return message


def set_mute(actor, session: LiveSession, data: dict) -> tuple[int | None, bool]:
    """Mute or unmute one student (`user_id`) or the whole room (`user_id` null)."""
    state = require_open(session)
    muted = bool(data.get("muted", True))
    user_id = data.get("user_id")
    if user_id is None:
        state.muted_all = muted
    else:
        student = db.session.get(User, _int(user_id))
        if student is None or not is_enrolled(student, session):
            raise LiveError("not_found", _("That student is not in this lesson."))
        user_id = student.id
        db.session.execute(delete(Mute).where(Mute.session_id == session.id, Mute.user_id == user_id))
        if muted:
            db.session.add(Mute(session_id=session.id, user_id=user_id, muted_by_id=actor.id))
    db.session.flush()
    return user_id, muted


def muted_user_ids(session: LiveSession) -> list[int]:
    """The students muted one by one (the room-wide mute is LessonRoomState.muted_all)."""
    return sorted(db.session.scalars(select(Mute.user_id).where(Mute.session_id == session.id)))


def hands_queue(session: LiveSession) -> list[HandRaise]:
    """Raised hands, first raised first."""
    query = (
        select(HandRaise)
        .options(joinedload(HandRaise.user))
        .where(HandRaise.session_id == session.id, HandRaise.lowered_at.is_(None))
        .order_by(HandRaise.raised_at, HandRaise.id)
    )
    return list(db.session.scalars(query))


def set_hand(actor, session: LiveSession, data: dict, now: datetime | None = None) -> bool:
    now = now or utcnow()
    require_open(session)
    raised = bool(data.get("raised", True))
    open_raise = db.session.scalar(
        select(HandRaise).where(
            HandRaise.session_id == session.id, HandRaise.user_id == actor.id, HandRaise.lowered_at.is_(None)
        )
    )
    if raised and open_raise is None:
        db.session.add(HandRaise(session_id=session.id, user_id=actor.id, raised_at=now))
    elif not raised and open_raise is not None:
        open_raise.lowered_at = now
    db.session.flush()
    return raised


def call_on(actor, session: LiveSession, data: dict, now: datetime | None = None) -> User:
    """Call on a student of the lesson; their raised hand (if any) is lowered and marked called."""
    now = now or utcnow()
    require_open(session)
    student = db.session.get(User, _int(data.get("user_id")))
    if student is None or not is_enrolled(student, session):
        raise LiveError("not_found", _("That student is not in this lesson."))
    db.session.execute(
        update(HandRaise)
        .where(HandRaise.session_id == session.id, HandRaise.user_id == student.id, HandRaise.lowered_at.is_(None))
        .values(lowered_at=now, called_at=now)
    )
    db.session.flush()
    return student


def confused_count(session: LiveSession, now: datetime | None = None) -> int:
    """Students who pressed "I don't understand" within the last LIVE_CONFUSED_WINDOW_SECONDS."""
    now = now or utcnow()
    since = now - _seconds("LIVE_CONFUSED_WINDOW_SECONDS")
    return db.session.scalar(
        select(func.count(func.distinct(ConfusionMark.user_id))).where(
            ConfusionMark.session_id == session.id, ConfusionMark.created_at > since
        )
    )


def mark_confused(actor, session: LiveSession, now: datetime | None = None) -> int:
    now = now or utcnow()
    require_open(session)
    db.session.add(ConfusionMark(session_id=session.id, user_id=actor.id, created_at=now))
    db.session.flush()
    return confused_count(session, now)


def end_lesson(actor, session: LiveSession, now: datetime | None = None) -> LessonRoomState | None:
    """Close the room (read-only from now on). Returns None when it was already closed, so
    only one caller (one process) announces the end."""
    now = now or utcnow()
    state = room_state(session) or open_room(actor, session, now)
    claimed = db.session.execute(
        update(LessonRoomState)
        .where(LessonRoomState.id == state.id, LessonRoomState.closed_at.is_(None))
        .values(closed_at=now, ended_at=now if actor else None, ended_by_id=actor.id if actor else None)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not claimed:
        return None
    db.session.refresh(state)
    presence.close_all(session.id, now)
    from app.participation.attendance import compute_attendance  # here, not at the top: participation imports live

    compute_attendance(session.id, now)
    db.session.execute(
        update(HandRaise)
        .where(HandRaise.session_id == session.id, HandRaise.lowered_at.is_(None))
        .values(lowered_at=now)
    )
    audit.record(actor, "live.lesson_ended" if actor else "live.room_closed", session, school_id=session.school_id)
    db.session.flush()
    return state


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
