"""Who may do what in a lesson's live room. The object of every rule is the LiveSession.

- live.join: students enrolled in the lesson's classes, the course's teachers, and the
  school's academic affairs (who watch as observers: they neither chat nor answer).
- live.teach: the course's teachers (teacher-only events: mute, delete, call on, check-in,
  roll call, polls, end).
- live.participate: enrolled students (hand, confused, check-in, poll answers).
- live.chat: enrolled students and the course's teachers.

Enrolment and teaching are read from the room's facts (facts.py: cached per process, with
its invalidation rule), since every event of a room asks them; a refusal is checked against the
database once before it stands (`facts.has_role`).
"""

from app.auth.models import Role
from app.core.permissions import rule
from app.live import facts
from app.orgs.permissions import is_school_staff


def session_class_ids(session) -> set[int]:
    """The classes a lesson is for: its own list, or every class of its course."""
    classes = session.classes or session.course.classes
    return {c.id for c in classes}


def is_enrolled(user, session) -> bool:
    return session is not None and facts.has_role(session, user.id, "student")


def is_course_teacher(user, session) -> bool:
    """Read from the database (other domains ask it outside a room); the rules below use `teaches`."""
    return session is not None and user in session.course.teachers


def teaches(user, session) -> bool:
    return session is not None and facts.has_role(session, user.id, "teacher")


def is_observer(user, session) -> bool:
    return session is not None and is_school_staff(user, session.school_id, Role.ACADEMIC_AFFAIRS)


@rule("live.join")
def can_join(user, session) -> bool:
    if session is None:
        return False
    # Observers before the roster is read again: their joins cost no reload.
    if facts.of(session).role_of(user.id) is not None or is_observer(user, session):
        return True
    return facts.has_role(session, user.id, "teacher", "student")


@rule("live.teach")
def can_teach(user, session) -> bool:
    return teaches(user, session)


@rule("live.participate")
def can_participate(user, session) -> bool:
    return is_enrolled(user, session)


@rule("live.chat")
def can_chat(user, session) -> bool:
    return session is not None and facts.has_role(session, user.id, "teacher", "student")
