"""Check-ins, random roll calls and polls: the teacher's classroom activities. Flush, never commit."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select

from app.auth.models import User
from app.core.models import utcnow
from app.extensions import db
from app.live import checkin_codes, presence
from app.live.models import CheckIn, CheckInWindow, Poll, PollAnswer, RollCall
from app.live.operations import LiveError, _int, require_open
from app.live.permissions import is_enrolled
from app.schedule.models import LiveSession

MAX_CHECKIN_SECONDS = 600
MAX_POLL_OPTIONS = 10


def open_checkin_window(session: LiveSession, now: datetime) -> CheckInWindow | None:
    return db.session.scalars(
        select(CheckInWindow)
        .where(CheckInWindow.session_id == session.id, CheckInWindow.ends_at > now)
        .order_by(CheckInWindow.id.desc())
    ).first()


def open_checkin(actor, session: LiveSession, data: dict, now: datetime | None = None) -> CheckInWindow:
    now = now or utcnow()
    require_open(session)
    seconds = _int(data.get("seconds")) or 60
    if not 5 <= seconds <= MAX_CHECKIN_SECONDS:
        raise LiveError("invalid", _("A check-in lasts between 5 and %(most)d seconds.", most=MAX_CHECKIN_SECONDS))
    window = CheckInWindow(session_id=session.id, opened_by_id=actor.id, opened_at=now)
    window.ends_at = now + timedelta(seconds=seconds)
    db.session.add(window)
    db.session.flush()
    return window


def window_code(window: CheckInWindow, now: datetime) -> tuple[str, datetime]:
    config = current_app.config
    return checkin_codes.current_code(
        config["SECRET_KEY"], window.session_id, window.id, now, float(config["LIVE_CHECKIN_STEP_SECONDS"])
    )


def check_in(actor, session: LiveSession, data: dict, now: datetime | None = None) -> tuple[CheckIn, int]:
    """Record the student's check-in if the code is right and they are in the room.
    Returns the check-in and the window's count so far."""
    now = now or utcnow()
    require_open(session)
    window = open_checkin_window(session, now)
    if window is None:
        raise LiveError("no_checkin", _("There is no check-in open right now."))
    if actor.id not in presence.present_user_ids(session.id, now):
        raise LiveError("not_present", _("Join the lesson's room to check in."))
    config = current_app.config
    valid = checkin_codes.is_valid(
        config["SECRET_KEY"],
        session.id,
        window.id,
        str(data.get("code") or ""),
        now,
        float(config["LIVE_CHECKIN_STEP_SECONDS"]),
        float(config["LIVE_CHECKIN_GRACE_SECONDS"]),
    )
    if not valid:
        raise LiveError("wrong_code", _("That code is not valid. Type the code shown now."))
    record = db.session.scalar(select(CheckIn).where(CheckIn.window_id == window.id, CheckIn.user_id == actor.id))
    if record is None:
        record = CheckIn(window_id=window.id, user_id=actor.id, checked_in_at=now)
        db.session.add(record)
        db.session.flush()
    count = db.session.scalar(select(func.count(CheckIn.id)).where(CheckIn.window_id == window.id))
    return record, count


def roll_call(actor, session: LiveSession, now: datetime | None = None, rng: random.Random | None = None) -> RollCall:
    """Pick a present student at random among those called least often this term (in this
    course, over all its lessons), and record the pick."""
    now = now or utcnow()
    require_open(session)
    present_ids = presence.present_user_ids(session.id, now)
    students = [u for u in db.session.scalars(select(User).where(User.id.in_(present_ids))) if is_enrolled(u, session)]
    if not students:
        raise LiveError("nobody", _("No student is in the room."))
    term_id = session.course.term_id
    counted = select(RollCall.user_id, func.count(RollCall.id)).where(
        RollCall.course_id == session.course_id, RollCall.user_id.in_([s.id for s in students])
    )
    counted = counted.where(RollCall.term_id == term_id) if term_id else counted.where(RollCall.term_id.is_(None))
    calls = dict(db.session.execute(counted.group_by(RollCall.user_id)).all())
    fewest = min(calls.get(s.id, 0) for s in students)
    candidates = [s for s in students if calls.get(s.id, 0) == fewest]
    chosen = (rng or random.SystemRandom()).choice(candidates)
    call = RollCall(
        session_id=session.id,
        course_id=session.course_id,
        term_id=term_id,
        user_id=chosen.id,
        called_by_id=actor.id,
        called_at=now,
    )
    db.session.add(call)
    db.session.flush()
    return call


def open_poll(actor, session: LiveSession, data: dict, now: datetime | None = None) -> Poll:
    now = now or utcnow()
    require_open(session)
    question = str(data.get("question") or "").strip()
    options = [str(option).strip() for option in (data.get("options") or []) if str(option).strip()]
    if not question or len(question) > 500:
        raise LiveError("invalid", _("Write a question of at most 500 characters."))
    if not 2 <= len(options) <= MAX_POLL_OPTIONS or any(len(option) > 200 for option in options):
        raise LiveError("invalid", _("Give between 2 and %(most)d options.", most=MAX_POLL_OPTIONS))
    multiple = bool(data.get("multiple"))
    correct = data.get("correct")
    if correct is not None:
        correct = _choices(correct, len(options), multiple)
    seconds = _int(data.get("seconds"))
    poll = Poll(
        session_id=session.id,
        question=question,
        options=options,
        multiple=multiple,
        correct=correct,
        opened_by_id=actor.id,
        opened_at=now,
        closes_at=now + timedelta(seconds=seconds) if seconds and seconds > 0 else None,
    )
    db.session.add(poll)
    db.session.flush()
    return poll


def _choices(value, option_count: int, multiple: bool) -> list[int]:
    if not isinstance(value, list) or not value:
        raise LiveError("invalid", _("Choose an option."))
    choices = sorted({_int(v) for v in value} - {None})
    if len(choices) != len(value) or any(not 0 <= c < option_count for c in choices):
        raise LiveError("invalid", _("Choose among the options given."))
    if not multiple and len(choices) != 1:
        raise LiveError("invalid", _("Choose exactly one option."))
    return choices


def _poll_of(session: LiveSession, poll_id) -> Poll:
    poll = db.session.get(Poll, _int(poll_id))
    if poll is None or poll.session_id != session.id:
        raise LiveError("not_found", _("That poll does not exist."))
    return poll


def answer_poll(actor, session: LiveSession, data: dict, now: datetime | None = None) -> Poll:
    """Record (or, while the poll is open, replace) the student's answer."""
    now = now or utcnow()
    require_open(session)
    poll = _poll_of(session, data.get("poll_id"))
    if not poll.is_open(now):
        raise LiveError("poll_closed", _("This poll is closed."))
    choices = _choices(data.get("choices"), len(poll.options), poll.multiple)
    answer = db.session.scalar(select(PollAnswer).where(PollAnswer.poll_id == poll.id, PollAnswer.user_id == actor.id))
    if answer is None:
        db.session.add(PollAnswer(poll_id=poll.id, user_id=actor.id, choices=choices, answered_at=now))
    else:
        answer.choices, answer.answered_at = choices, now
    db.session.flush()
    return poll


def close_poll(actor, session: LiveSession, data: dict, now: datetime | None = None) -> Poll:
    now = now or utcnow()
    poll = _poll_of(session, data.get("poll_id"))
    if poll.closed_at is None:
        poll.closed_at = min(now, poll.closes_at) if poll.closes_at else now
    poll.revealed = poll.revealed or bool(data.get("reveal"))
    db.session.flush()
    return poll


def poll_tally(poll: Poll) -> dict:
    """Answers per option (a multiple-choice answer counts for each option chosen)."""
    counts = [0] * len(poll.options)
    answers = db.session.scalars(select(PollAnswer.choices).where(PollAnswer.poll_id == poll.id)).all()
    for choices in answers:
        for index in choices:
            if 0 <= index < len(counts):
                counts[index] += 1
    return {"poll_id": poll.id, "counts": counts, "answers": len(answers), "correct": poll.correct}
