"""Per-room facts kept in process memory: the lesson's classes, its roster and who teaches it.

Every event of a live room asks "is this user enrolled, does this user teach?", and every join
names the people present. Read from the database each time, that is a lesson, its course, its
classes, the course's teachers and each present user's classes and roles: a statement per
present user on every join, O(N²) for a class arriving at once. These facts change rarely
during a lesson, so each process keeps them per lesson.

Invalidation rule:
- An entry lives at most LIVE_ROOM_CACHE_SECONDS (30 s): a change made by another process
  (a student removed by a roster import, a renamed course) reaches a running room within that
  time.
- A "no" is never taken from memory alone: when the cached facts would refuse a user (not
  enrolled, not teaching), `has_role` reads them again from the database once per event or
  request before refusing, so a student enrolled elsewhere mid-lesson joins at once. Admitted
  users, the common case, cost nothing more.
- A commit in this process that adds, changes or deletes a user, a role grant, an org unit,
  a course or a lesson empties the whole cache at once.
- Entries are keyed by the lesson's id, creation time and sequence, so an edited lesson (the
  sequence grows) or a new lesson reusing an id is never served old facts.

Everything that changes during a lesson (the lesson's status and times, the room's state,
presence, mutes, chat) is read from the database on every event, never from here.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

from flask import current_app, g
from sqlalchemy import event, select
from sqlalchemy.orm import Session, object_session

from app.auth.models import Role, User, UserRole
from app.extensions import db
from app.orgs.models import Course, OrgUnit, class_membership, course_teacher
from app.schedule.models import LiveSession


@dataclass(frozen=True)
class RoomFacts:
    class_ids: frozenset[int]
    course_name: str
    teachers: dict[int, str]  # user id -> name
    students: dict[int, str]  # enrolled students (role student, in one of the classes), disabled too
    disabled: frozenset[int]
    loaded_at: float = field(default_factory=time.monotonic)

    def role_of(self, user_id: int) -> str | None:
        """teacher, student, or None (not the lesson's: maybe an observer)."""
        if user_id in self.teachers:
            return "teacher"
        if user_id in self.students:
            return "student"
        return None

    def name_of(self, user_id: int) -> str | None:
        return self.teachers.get(user_id) or self.students.get(user_id)

    def roster(self) -> list[dict]:
        """The lesson's active students by name, as the console lists them."""
        people = [(name, uid) for uid, name in self.students.items() if uid not in self.disabled]
        return [{"user_id": uid, "name": name} for name, uid in sorted(people)]


_cache: dict[tuple, RoomFacts] = {}
_lock = threading.Lock()


def _key(session: LiveSession) -> tuple:
    return (session.id, session.created_at, session.sequence)


def of(session: LiveSession, fresh: bool = False) -> RoomFacts:
    """The facts of `session`, from memory when fresh enough (or from the database if `fresh`)."""
    key = _key(session)
    facts = None if fresh else _cache.get(key)
    ttl = float(current_app.config.get("LIVE_ROOM_CACHE_SECONDS", 30))
    if facts is None or time.monotonic() - facts.loaded_at > ttl:
        facts = _load(session)
        _loaded_here().add(key)
        with _lock:
            for stale in [k for k in _cache if k[0] == session.id]:
                del _cache[stale]
            _cache[key] = facts
    return facts


def has_role(session: LiveSession, user_id: int, *roles: str) -> bool:
    """Whether the user is one of `roles` (teacher, student) in the lesson. A refusal from
    memory is checked once against the database first (unless this event or request already
    read the facts there): the roster may have changed in another process."""
    if of(session).role_of(user_id) in roles:
        return True
    if _key(session) in _loaded_here():
        return False
    return of(session, fresh=True).role_of(user_id) in roles


def _loaded_here() -> set[tuple]:
    """The lessons whose facts this event or request (its app context) read from the database."""
    if "live_facts_loaded" not in g:
        g.live_facts_loaded = set()
    return g.live_facts_loaded


def clear() -> None:
    with _lock:
        _cache.clear()


def _load(session: LiveSession) -> RoomFacts:
    course = db.session.get(Course, session.course_id)
    class_ids = {c.id for c in session.classes} or {c.id for c in course.classes}
    teachers = db.session.execute(
        select(User.id, User.name)
        .join(course_teacher, course_teacher.c.user_id == User.id)
        .where(course_teacher.c.course_id == session.course_id)
    ).all()
    students = (
        db.session.execute(
            select(User.id, User.name, User.disabled)
            .join(class_membership, class_membership.c.user_id == User.id)
            .join(UserRole, UserRole.user_id == User.id)
            .where(class_membership.c.class_id.in_(class_ids), UserRole.role == Role.STUDENT)
            .distinct()
        ).all()
        if class_ids
        else []
    )
    return RoomFacts(
        class_ids=frozenset(class_ids),
        course_name=course.name,
        teachers={uid: name for uid, name in teachers},
        students={uid: name for uid, name, _ in students},
        disabled=frozenset(uid for uid, _, disabled in students if disabled),
    )


_WATCHED = (User, UserRole, OrgUnit, Course, LiveSession)


def _note_change(_mapper, _connection, target) -> None:
    # Mapper events fire for these classes only (a roster change marks its unit or user dirty),
    # so other domains' flushes cost nothing here.
    session = object_session(target)
    if session is not None:
        session.info["live_facts_stale"] = True


for _watched in _WATCHED:
    for _name in ("after_insert", "after_update", "after_delete"):
        event.listen(_watched, _name, _note_change)


@event.listens_for(Session, "after_commit")
def _clear_after_commit(session):
    if session.info.pop("live_facts_stale", False):
        clear()


@event.listens_for(Session, "after_rollback")
def _forget_after_rollback(session):
    session.info.pop("live_facts_stale", None)
