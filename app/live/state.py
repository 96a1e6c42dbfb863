"""What the server sends: JSON-ready payloads of the room, its people, messages and polls."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from app.auth.models import Role, User
from app.core.sanitizer import sanitize
from app.extensions import db
from app.live import operations, presence
from app.live.activities import open_checkin_window, poll_tally
from app.live.models import ChatMessage, LessonRoomState, Mute, Poll, PollAnswer
from app.live.permissions import is_course_teacher, is_enrolled, session_class_ids
from app.orgs.models import class_membership
from app.schedule.models import LiveSession


def room(session: LiveSession) -> str:
    return f"session:{session.id}"


def staff_room(session: LiveSession) -> str:
    return f"session:{session.id}:staff"


def user_room(session: LiveSession, user_id: int) -> str:
    """Every tab of one user in one lesson, for answers meant only for them."""
    return f"session:{session.id}:user:{user_id}"


def iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def role_in(user, session: LiveSession) -> str:
    if is_course_teacher(user, session):
        return "teacher"
    if is_enrolled(user, session):
        return "student"
    return "observer"


def person(user: User) -> dict:
    return {"user_id": user.id, "name": user.name}


def chat_message(message: ChatMessage) -> dict:
    return {
        "id": message.id,
        "user_id": message.user_id,
        "name": message.user.name if message.user else "",
        "text_html": str(sanitize(message.text, "chat")),
        "at": iso(message.created_at),
    }


def hands(session: LiveSession) -> dict:
    return {
        "queue": [{**person(h.user), "raised_at": iso(h.raised_at)} for h in operations.hands_queue(session)],
    }


def poll(item: Poll, now: datetime) -> dict:
    return {
        "id": item.id,
        "question": item.question,
        "options": item.options,
        "multiple": item.multiple,
        "closes_at": iso(item.closes_at),
        "open": item.is_open(now),
        "revealed": item.revealed,
    }


def presence_list(session: LiveSession, now: datetime) -> list[dict]:
    ids = presence.present_user_ids(session.id, now)
    users = db.session.scalars(select(User).where(User.id.in_(ids)).order_by(User.name)) if ids else []
    return [{**person(u), "role": role_in(u, session)} for u in users]


def present_count(session: LiveSession, now: datetime) -> int:
    return len(presence.present_user_ids(session.id, now))


def roster(session: LiveSession) -> list[dict]:
    """The lesson's students (staff only)."""
    query = (
        select(User)
        .join(class_membership, class_membership.c.user_id == User.id)
        .where(class_membership.c.class_id.in_(session_class_ids(session)), User.disabled.is_(False))
        .order_by(User.name)
        .distinct()
    )
    return [person(u) for u in db.session.scalars(query) if u.has_role(Role.STUDENT)]


def room_state(user, session: LiveSession, state: LessonRoomState, now: datetime) -> dict:
    """The `state` payload: everything a client needs to draw the room after joining."""
    role = role_in(user, session)
    staff = role != "student"
    polls = list(db.session.scalars(select(Poll).where(Poll.session_id == session.id).order_by(Poll.id)))
    my_answers = {}
    if not staff and polls:
        rows = db.session.execute(
            select(PollAnswer.poll_id, PollAnswer.choices).where(
                PollAnswer.user_id == user.id, PollAnswer.poll_id.in_([p.id for p in polls])
            )
        )
        my_answers = dict(rows.all())
    poll_items = []
    for item in polls:
        entry = poll(item, now)
        if staff or item.revealed:
            entry["tally"] = poll_tally(item)
        if not staff:
            entry["my_choices"] = my_answers.get(item.id)
        poll_items.append(entry)
    window = open_checkin_window(session, now)
    muted_me = not staff and (
        state.muted_all
        or db.session.scalar(select(Mute.id).where(Mute.session_id == session.id, Mute.user_id == user.id)) is not None
    )
    payload = {
        "session": {
            "id": session.id,
            "title": session.title,
            "course": session.course.name,
            "starts_at": iso(session.starts_at),
            "ends_at": iso(session.ends_at),
            "closes_at": iso(operations.closes_at(session)),
        },
        "me": {**person(user), "role": role, "muted": muted_me},
        "present": presence_list(session, now),
        "chat": [chat_message(m) for m in operations.chat_history(session)],
        "polls": poll_items,
        "confused_count": operations.confused_count(session, now),
        "checkin": {"open": window is not None, "ends_at": iso(window.ends_at) if window else None},
        "muted_all": state.muted_all,
        "closed": state.closed,
        "ended_at": iso(state.ended_at or state.closed_at),
    }
    if staff:
        payload["roster"] = roster(session)
        payload["hands"] = hands(session)
    else:
        payload["hand"] = {"raised": any(h.user_id == user.id for h in operations.hands_queue(session))}
    return payload
