"""Who may do what in a lesson's live room. The object of every rule is the LiveSession.

- live.join: students enrolled in the lesson's classes, the course's teachers, and the
  school's academic affairs (who watch as observers: they neither chat nor answer).
- live.teach: the course's teachers (teacher-only events: mute, delete, call on, check-in,
  roll call, polls, end).
- live.participate: enrolled students (hand, confused, check-in, poll answers).
- live.chat: enrolled students and the course's teachers.
"""

from app.auth.models import Role
from app.core.permissions import rule
from app.orgs.permissions import is_school_staff


def session_class_ids(session) -> set[int]:
    """The classes a lesson is for: its own list, or every class of its course."""
    classes = session.classes or session.course.classes
    return {c.id for c in classes}


def is_enrolled(user, session) -> bool:
    if session is None or not user.has_role(Role.STUDENT):
        return False
    return bool(session_class_ids(session) & {c.id for c in user.classes})


def is_course_teacher(user, session) -> bool:
    return session is not None and user in session.course.teachers


def is_observer(user, session) -> bool:
    return session is not None and is_school_staff(user, session.school_id, Role.ACADEMIC_AFFAIRS)


@rule("live.join")
def can_join(user, session) -> bool:
    return is_enrolled(user, session) or is_course_teacher(user, session) or is_observer(user, session)


@rule("live.teach")
def can_teach(user, session) -> bool:
    return is_course_teacher(user, session)


@rule("live.participate")
def can_participate(user, session) -> bool:
    return is_enrolled(user, session)


@rule("live.chat")
def can_chat(user, session) -> bool:
    return is_enrolled(user, session) or is_course_teacher(user, session)
