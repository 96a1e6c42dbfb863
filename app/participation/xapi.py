"""xAPI statements from participation records: attended, joined/left, checked in, answered a
poll, completed a resource. Actors are accounts {homePage, name}, never e-mail addresses.
Every statement id is a uuid5 of the fact it states, so exporting twice gives the same ids and
the outbox (xapi_forward.py) never sends a fact twice."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from datetime import datetime

from sqlalchemy import insert, select

from app.auth.models import User
from app.catalog.models import Resource
from app.extensions import db
from app.live.models import CheckIn, CheckInWindow, Poll, PollAnswer, PresenceInterval
from app.orgs.models import Course
from app.participation.models import AttendanceRecord, ResourceProgress, StatementOutbox
from app.participation.settings import setting
from app.schedule.models import LiveSession

NAMESPACE = uuid.UUID("5b0e8a34-6f1c-5d2e-9a57-4b1f0c3e7d21")
VERBS = {
    "attended": ("http://adlnet.gov/expapi/verbs/attended", "attended"),
    "joined": ("http://activitystrea.ms/schema/1.0/join", "joined"),
    "left": ("http://activitystrea.ms/schema/1.0/leave", "left"),
    "checked_in": ("http://activitystrea.ms/schema/1.0/checkin", "checked in"),
    "answered": ("http://adlnet.gov/expapi/verbs/answered", "answered"),
    "completed": ("http://adlnet.gov/expapi/verbs/completed", "completed"),
}
ATTENDED = ("present", "late", "left_early")
MEETING = "http://adlnet.gov/expapi/activities/meeting"


def statement_id(*parts) -> str:
    return str(uuid.uuid5(NAMESPACE, ":".join(str(p) for p in parts)))


def _base() -> str:
    return setting("XAPI_ACTIVITY_BASE").rstrip("/")


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _duration(minutes: float) -> str:
    return f"PT{round(minutes * 60)}S"


class Builder:
    """Builds statements with the users, lessons and courses cached across one export."""

    def __init__(self, school_id: int):
        self.school_id = school_id
        self.home = setting("XAPI_ACCOUNT_HOMEPAGE")
        self.users: dict[int, str] = {}
        self.lessons: dict[int, LiveSession] = {}

    def actor(self, user_id: int) -> dict:
        if user_id not in self.users:
            self.users[user_id] = db.session.scalar(select(User.username).where(User.id == user_id))
        return {"objectType": "Agent", "account": {"homePage": self.home, "name": self.users[user_id]}}

    def lesson(self, session_id: int) -> LiveSession:
        if session_id not in self.lessons:
            self.lessons[session_id] = db.session.get(LiveSession, session_id)
        return self.lessons[session_id]

    def lesson_object(self, lesson: LiveSession) -> dict:
        return {
            "objectType": "Activity",
            "id": f"{_base()}/sessions/{lesson.id}",
            "definition": {"type": MEETING, "name": {"und": lesson.title}},
        }

    def context(self, course_id: int, class_ids=()) -> dict:
        course = db.session.get(Course, course_id)
        activities = {
            "parent": [
                {
                    "id": f"{_base()}/courses/{course_id}",
                    "objectType": "Activity",
                    "definition": {"name": {"und": course.name}},
                }
            ]
        }
        if class_ids:
            activities["grouping"] = [
                {"id": f"{_base()}/classes/{c}", "objectType": "Activity"} for c in sorted(class_ids)
            ]
        return {
            "platform": "Kexu",
            "contextActivities": activities,
            "extensions": {f"{_base()}/extensions/school": self.school_id},
        }

    def statement(self, sid: str, verb: str, actor_id: int, obj: dict, context: dict, at: datetime, result=None):
        iri, display = VERBS[verb]
        data = {
            "id": sid,
            "actor": self.actor(actor_id),
            "verb": {"id": iri, "display": {"en-US": display}},
            "object": obj,
            "context": context,
            "timestamp": _iso(at),
        }
        if result:
            data["result"] = result
        return data


def _lesson_classes(lesson: LiveSession) -> list[int]:
    return [c.id for c in (lesson.classes or lesson.course.classes)]


def statements(school_id: int, start: datetime, end: datetime, course_id: int | None = None) -> Iterator[dict]:
    """Every statement about lessons starting in [start, end) and resources completed in it."""
    build = Builder(school_id)
    lessons_query = select(LiveSession.id).where(
        LiveSession.school_id == school_id, LiveSession.starts_at >= start, LiveSession.starts_at < end
    )
    if course_id:
        lessons_query = lessons_query.where(LiveSession.course_id == course_id)
    lesson_ids = list(db.session.scalars(lessons_query.order_by(LiveSession.starts_at, LiveSession.id)))
    for session_id in lesson_ids:
        lesson = build.lesson(session_id)
        obj, context = build.lesson_object(lesson), build.context(lesson.course_id, _lesson_classes(lesson))
        records = db.session.scalars(
            select(AttendanceRecord)
            .where(AttendanceRecord.session_id == session_id)
            .order_by(AttendanceRecord.student_id)
        )
        for record in records:
            if record.status in ATTENDED:
                result = {
                    "duration": _duration(record.minutes_present),
                    "extensions": {f"{_base()}/extensions/attendance-status": record.status},
                }
                yield build.statement(
                    statement_id("attended", session_id, record.student_id),
                    "attended",
                    record.student_id,
                    obj,
                    context,
                    record.first_join or lesson.starts_at,
                    result,
                )
        for interval in db.session.scalars(
            select(PresenceInterval).where(PresenceInterval.session_id == session_id).order_by(PresenceInterval.id)
        ):
            yield build.statement(
                statement_id("joined", interval.id), "joined", interval.user_id, obj, context, interval.started_at
            )
            if interval.ended_at is not None:
                yield build.statement(
                    statement_id("left", interval.id), "left", interval.user_id, obj, context, interval.ended_at
                )
        for check_in in db.session.scalars(
            select(CheckIn)
            .join(CheckInWindow, CheckInWindow.id == CheckIn.window_id)
            .where(CheckInWindow.session_id == session_id)
            .order_by(CheckIn.id)
        ):
            yield build.statement(
                statement_id("checked_in", check_in.id),
                "checked_in",
                check_in.user_id,
                obj,
                context,
                check_in.checked_in_at,
            )
        for answer, poll in db.session.execute(
            select(PollAnswer, Poll)
            .join(Poll, Poll.id == PollAnswer.poll_id)
            .where(Poll.session_id == session_id)
            .order_by(PollAnswer.id)
        ):
            yield build.statement(
                statement_id("answered", answer.id),
                "answered",
                answer.user_id,
                _poll_object(poll),
                context,
                answer.answered_at,
                _poll_result(poll, answer),
            )
    yield from _completions(build, start, end, course_id)


def _poll_object(poll: Poll) -> dict:
    return {
        "objectType": "Activity",
        "id": f"{_base()}/polls/{poll.id}",
        "definition": {
            "type": "http://adlnet.gov/expapi/activities/cmi.interaction",
            "interactionType": "choice",
            "name": {"und": poll.question},
            "choices": [{"id": str(index), "description": {"und": text}} for index, text in enumerate(poll.options)],
        },
    }


def _poll_result(poll: Poll, answer: PollAnswer) -> dict:
    result = {"response": "[,]".join(str(c) for c in sorted(answer.choices))}
    if poll.correct is not None:
        result["success"] = sorted(answer.choices) == sorted(poll.correct)
    return result


def _completions(build: Builder, start: datetime, end: datetime, course_id: int | None) -> Iterator[dict]:
    query = (
        select(ResourceProgress, Resource)
        .join(Resource, Resource.id == ResourceProgress.resource_id)
        .where(
            Resource.school_id == build.school_id,
            ResourceProgress.completed_at >= start,
            ResourceProgress.completed_at < end,
        )
        .order_by(ResourceProgress.id)
    )
    if course_id:
        query = query.where(ResourceProgress.course_id == course_id)
    for progress, resource in db.session.execute(query):
        obj = {
            "objectType": "Activity",
            "id": f"{_base()}/resources/{resource.id}",
            "definition": {"type": "http://adlnet.gov/expapi/activities/media", "name": {"und": resource.title}},
        }
        context = build.context(progress.course_id) if progress.course_id else {"platform": "Kexu"}
        result = {"completion": True, "duration": _duration(progress.seconds_watched / 60)}
        yield build.statement(
            statement_id("completed", progress.student_id, resource.id, progress.course_id or 0),
            "completed",
            progress.student_id,
            obj,
            context,
            progress.completed_at,
            result,
        )


def export_lines(school_id: int, start: datetime, end: datetime, course_id: int | None = None) -> Iterator[str]:
    for item in statements(school_id, start, end, course_id):
        yield json.dumps(item, ensure_ascii=False, sort_keys=True)


def enqueue(school_id: int, start: datetime, end: datetime) -> int:
    """Queue the range's statements not queued before (by id); returns how many were added."""
    batch: list[dict] = []
    added = 0
    for item in statements(school_id, start, end):
        batch.append(item)
        if len(batch) >= 1000:
            added += _insert_new(school_id, batch)
            batch = []
    added += _insert_new(school_id, batch)
    db.session.flush()
    return added


def _insert_new(school_id: int, batch: list[dict]) -> int:
    if not batch:
        return 0
    ids = [item["id"] for item in batch]
    known = set(db.session.scalars(select(StatementOutbox.statement_id).where(StatementOutbox.statement_id.in_(ids))))
    rows = [
        {"statement_id": item["id"], "school_id": school_id, "statement": item, "attempts": 0}
        for item in batch
        if item["id"] not in known
    ]
    if rows:
        db.session.execute(insert(StatementOutbox), rows)
    return len(rows)
