"""Set-based loading for attendance: rosters, presence and activity counts of many lessons in a
handful of queries (a term's recomputation must not run queries per student)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from sqlalchemy import DateTime, func, select, type_coerce

from app.auth.models import Role, UserRole
from app.extensions import db
from app.live.models import (
    ChatMessage,
    CheckIn,
    CheckInWindow,
    HandRaise,
    LessonRoomState,
    Poll,
    PollAnswer,
    PresenceInterval,
)
from app.orgs.models import class_membership, course_class
from app.schedule.models import live_session_class

CHUNK = 500


def naive(column):
    """The column as stored (naive UTC), without UTCDateTime's conversion."""
    return type_coerce(column, DateTime())


def chunks(ids: list[int], size: int = CHUNK) -> Iterable[list[int]]:
    for index in range(0, len(ids), size):
        yield ids[index : index + size]


def rosters(sessions) -> dict[int, set[int]]:
    """session id -> the students of its classes (its own list, or its course's classes)."""
    session_ids = [s.id for s in sessions]
    own: dict[int, set[int]] = defaultdict(set)
    for part in chunks(session_ids):
        for session_id, class_id in db.session.execute(
            select(live_session_class.c.session_id, live_session_class.c.class_id).where(
                live_session_class.c.session_id.in_(part)
            )
        ):
            own[session_id].add(class_id)
    course_ids = sorted({s.course_id for s in sessions})
    of_course: dict[int, set[int]] = defaultdict(set)
    for part in chunks(course_ids):
        for course_id, class_id in db.session.execute(
            select(course_class.c.course_id, course_class.c.class_id).where(course_class.c.course_id.in_(part))
        ):
            of_course[course_id].add(class_id)
    classes_of = {s.id: own.get(s.id) or of_course.get(s.course_id, set()) for s in sessions}
    members = class_students(set().union(*classes_of.values()) if classes_of else set())
    return {
        sid: set().union(*(members.get(c, set()) for c in cids)) if cids else set() for sid, cids in classes_of.items()
    }


def class_students(class_ids: set[int]) -> dict[int, set[int]]:
    """class id -> ids of its members who hold the student role."""
    result: dict[int, set[int]] = defaultdict(set)
    students = select(UserRole.user_id).where(UserRole.role == Role.STUDENT)
    for part in chunks(sorted(class_ids)):
        rows = db.session.execute(
            select(class_membership.c.class_id, class_membership.c.user_id).where(
                class_membership.c.class_id.in_(part), class_membership.c.user_id.in_(students)
            )
        )
        for class_id, user_id in rows:
            result[class_id].add(user_id)
    return result


def presence(session_ids: list[int]) -> dict[tuple[int, int], list]:
    """(session, user) -> [(start, end)] as NAIVE UTC; an open interval ends at its last sign of life.

    Naive on purpose: a term has a million intervals, and marking each time as UTC costs more
    than the rules themselves. attendance.py compares them with naive lesson times.
    """
    result: dict[tuple[int, int], list] = defaultdict(list)
    for part in chunks(session_ids):
        rows = db.session.execute(
            select(
                PresenceInterval.session_id,
                PresenceInterval.user_id,
                naive(PresenceInterval.started_at),
                naive(PresenceInterval.ended_at),
                naive(PresenceInterval.last_seen_at),
            ).where(PresenceInterval.session_id.in_(part))
        )
        for session_id, user_id, started_at, ended_at, last_seen_at in rows:
            result[(session_id, user_id)].append((started_at, ended_at or last_seen_at))
    return result


def _counts(query_for_part, session_ids: list[int]) -> dict[tuple[int, int], int]:
    result: dict[tuple[int, int], int] = {}
    for part in chunks(session_ids):
        for session_id, user_id, count in db.session.execute(query_for_part(part)):
            result[(session_id, user_id)] = count
    return result


def activity_counts(session_ids: list[int]) -> dict[str, dict[tuple[int, int], int]]:
    """Hand raises, chat messages, poll answers and check-ins per (session, user)."""
    return {
        "hand_raises": _counts(
            lambda part: (
                select(HandRaise.session_id, HandRaise.user_id, func.count())
                .where(HandRaise.session_id.in_(part))
                .group_by(HandRaise.session_id, HandRaise.user_id)
            ),
            session_ids,
        ),
        "chat_messages": _counts(
            lambda part: (
                select(ChatMessage.session_id, ChatMessage.user_id, func.count())
                .where(ChatMessage.session_id.in_(part), ChatMessage.user_id.is_not(None))
                .group_by(ChatMessage.session_id, ChatMessage.user_id)
            ),
            session_ids,
        ),
        "poll_answers": _counts(
            lambda part: (
                select(Poll.session_id, PollAnswer.user_id, func.count())
                .join(Poll, Poll.id == PollAnswer.poll_id)
                .where(Poll.session_id.in_(part))
                .group_by(Poll.session_id, PollAnswer.user_id)
            ),
            session_ids,
        ),
        "check_ins": _counts(
            lambda part: (
                select(CheckInWindow.session_id, CheckIn.user_id, func.count())
                .join(CheckInWindow, CheckInWindow.id == CheckIn.window_id)
                .where(CheckInWindow.session_id.in_(part))
                .group_by(CheckInWindow.session_id, CheckIn.user_id)
            ),
            session_ids,
        ),
    }


def teacher_ended_at(session_ids: list[int]) -> dict[int, object]:
    """When a teacher ended each lesson (None when the room closed by itself)."""
    result = {}
    for part in chunks(session_ids):
        rows = db.session.execute(
            select(LessonRoomState.session_id, LessonRoomState.ended_at).where(
                LessonRoomState.session_id.in_(part), LessonRoomState.ended_at.is_not(None)
            )
        )
        result.update(dict(rows.all()))
    return result
