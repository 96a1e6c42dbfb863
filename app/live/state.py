"""What the server sends: JSON-ready payloads of the room, its people, messages and polls."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import exists, func, select

from app.auth.models import User
from app.core.sanitizer import sanitize
from app.extensions import db
from app.live import facts, operations, presence
from app.live.activities import poll_tally
from app.live.models import (
    ChatMessage,
    CheckInWindow,
    ConfusionMark,
    HandRaise,
    LessonRoomState,
    Mute,
    Poll,
    PollAnswer,
)
from app.schedule.models import LiveSession


def room(session: LiveSession) -> str:
    return room_for(session.id)


def room_for(session_id: int) -> str:
    return f"session:{session_id}"


def staff_room(session: LiveSession) -> str:
    return f"session:{session.id}:staff"


def user_room(session: LiveSession, user_id: int) -> str:
    """Every tab of one user in one lesson, for answers meant only for them."""
    return f"session:{session.id}:user:{user_id}"


def iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def role_in(user, session: LiveSession) -> str:
    return facts.of(session).role_of(user.id) or "observer"


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
    """Everyone present, by name: one query for the ids, names from the room's facts."""
    room_facts = facts.of(session)
    ids = presence.present_user_ids(session.id, now)
    people, unknown = [], []
    for user_id in ids:
        name = room_facts.name_of(user_id)
        if name is None:
            unknown.append(user_id)  # observers (academic affairs): few, read from the database
        else:
            people.append({"user_id": user_id, "name": name, "role": room_facts.role_of(user_id)})
    if unknown:
        for user_id, name in db.session.execute(select(User.id, User.name).where(User.id.in_(unknown))):
            people.append({"user_id": user_id, "name": name, "role": "observer"})
    return sorted(people, key=lambda p: (p["name"], p["user_id"]))


def present_count(session: LiveSession, now: datetime) -> int:
    return len(presence.present_user_ids(session.id, now))


def presence_person(session: LiveSession, user) -> dict:
    """A presence change's person: id, name and role in the lesson."""
    return {**person(user), "role": role_in(user, session)}


def roster(session: LiveSession) -> list[dict]:
    """The lesson's students (staff only)."""
    return facts.of(session).roster()


def _summary(session: LiveSession, user_id: int, now: datetime):
    """The join's small facts in one statement: the confused count, the open check-in's end,
    and whether the user's hand is up and the user is muted."""
    since = now - timedelta(seconds=float(current_app.config["LIVE_CONFUSED_WINDOW_SECONDS"]))
    confused = (
        select(func.count(func.distinct(ConfusionMark.user_id)))
        .where(ConfusionMark.session_id == session.id, ConfusionMark.created_at > since)
        .scalar_subquery()
    )
    checkin_ends_at = (
        select(CheckInWindow.ends_at)
        .where(CheckInWindow.session_id == session.id, CheckInWindow.ends_at > now)
        .order_by(CheckInWindow.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    hand = exists().where(
        HandRaise.session_id == session.id, HandRaise.user_id == user_id, HandRaise.lowered_at.is_(None)
    )
    muted = exists().where(Mute.session_id == session.id, Mute.user_id == user_id)
    columns = (confused.label("confused"), checkin_ends_at.label("checkin_ends_at"))
    return db.session.execute(select(*columns, hand.label("hand"), muted.label("muted"))).one()


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
    summary = _summary(session, user.id, now)
    muted_me = not staff and (state.muted_all or bool(summary.muted))
    payload = {
        "session": {
            "id": session.id,
            "title": session.title,
            "course": facts.of(session).course_name,
            "starts_at": iso(session.starts_at),
            "ends_at": iso(session.ends_at),
            "closes_at": iso(operations.closes_at(session)),
        },
        "me": {**person(user), "role": role, "muted": muted_me},
        "present": presence_list(session, now),
        "chat": [chat_message(m) for m in operations.chat_history(session)],
        "polls": poll_items,
        "confused_count": summary.confused,
        "checkin": {"open": summary.checkin_ends_at is not None, "ends_at": iso(summary.checkin_ends_at)},
        "muted_all": state.muted_all,
        "closed": state.closed,
        "ended_at": iso(state.ended_at or state.closed_at),
    }
    if staff:
        payload["roster"] = roster(session)
        payload["hands"] = hands(session)
        payload["muted"] = operations.muted_user_ids(session)
    else:
        payload["hand"] = {"raised": bool(summary.hand)}
    return payload
