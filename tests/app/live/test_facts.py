"""The room facts cached per process: a change committed in the process is seen at once, and a
refusal is checked against the database before it stands."""

import pytest

from app.core.permissions import can
from app.extensions import db
from app.live import facts
from app.orgs.models import class_membership
from tests.app.live.lessons import add_lesson


def test_a_student_added_to_the_class_is_enrolled_at_once(people, make_user):
    lesson = add_lesson(people.course)
    newcomer = make_user(classes=[])
    assert facts.of(lesson).role_of(newcomer.id) is None

    newcomer.classes.append(people.klass)
    db.session.commit()

    assert facts.of(lesson).role_of(newcomer.id) == "student"
    assert {"user_id": newcomer.id, "name": newcomer.name} in facts.of(lesson).roster()


def test_a_teacher_removed_from_the_course_no_longer_teaches(people):
    lesson = add_lesson(people.course)
    assert facts.of(lesson).role_of(people.teacher.id) == "teacher"

    people.course.teachers.remove(people.teacher)
    db.session.commit()

    assert facts.of(lesson).role_of(people.teacher.id) is None


def test_a_lesson_edit_refreshes_the_facts_and_an_empty_commit_keeps_them(people):
    lesson = add_lesson(people.course)
    first = facts.of(lesson)
    lesson.title = "Renamed"  # an edit that leaves the sequence as it was still counts
    db.session.commit()
    assert facts.of(lesson) is not first
    cached = facts.of(lesson)
    db.session.commit()  # nothing changed
    assert facts.of(lesson) is cached


def _enrol_behind_the_cache(user, klass) -> None:
    """What another process (the web process, an import, the API) does: a committed write this
    process's sessions never see, so nothing empties its cache."""
    with db.engine.connect() as connection:
        connection.execute(class_membership.insert().values(user_id=user.id, class_id=klass.id))
        connection.commit()


@pytest.fixture
def loads(monkeypatch):
    """How many times the room's facts were read from the database."""
    counted = []
    original = facts._load

    def counting(session):
        counted.append(session.id)
        return original(session)

    monkeypatch.setattr(facts, "_load", counting)
    return counted


def test_a_student_enrolled_by_another_process_is_admitted_at_once(app, people, make_user):
    lesson = add_lesson(people.course)
    newcomer = make_user(classes=[])
    with app.app_context():  # an event, as the server runs each in its own context
        assert not can(newcomer, "live.join", lesson)

    _enrol_behind_the_cache(newcomer, people.klass)

    with app.app_context():
        assert can(newcomer, "live.join", lesson)
        assert can(newcomer, "live.participate", lesson)
    with app.app_context():  # later events are answered from the refreshed memory
        assert facts.of(lesson).role_of(newcomer.id) == "student"


def test_a_refusal_reads_the_roster_once_per_event_and_an_admission_not_at_all(app, people, loads):
    lesson = add_lesson(people.course)
    with app.app_context():
        facts.of(lesson)  # the room's facts are in memory, as during a lesson
    assert len(loads) == 1

    with app.app_context():
        assert can(people.student, "live.join", lesson)
        assert can(people.student, "live.chat", lesson)
        assert can(people.teacher, "live.teach", lesson)
    assert len(loads) == 1

    with app.app_context():
        assert not can(people.other_student, "live.join", lesson)
        assert not can(people.other_student, "live.chat", lesson)
        assert not can(people.student, "live.teach", lesson)
    assert len(loads) == 2  # one reload for the whole event

    with app.app_context():
        assert not can(people.other_student, "live.join", lesson)
    assert len(loads) == 3


def test_an_observer_joins_without_a_reload(app, people, loads):
    lesson = add_lesson(people.course)
    with app.app_context():
        facts.of(lesson)
    with app.app_context():
        assert can(people.academic_affairs, "live.join", lesson)
    assert len(loads) == 1


def test_a_student_s_join_and_chat_read_no_roster_from_a_warm_cache(app, people, loads, token_for):
    from app.extensions import socketio

    lesson = add_lesson(people.course)
    with app.app_context():
        facts.of(lesson)
    client = socketio.test_client(app, namespace="/live", auth={"token": token_for(people.student)})
    for event, data in (("join", {}), ("chat", {"text": "hello"}), ("hand", {"raised": True})):
        answer = client.emit(event, {"session_id": lesson.id, **data}, namespace="/live", callback=True)
        assert answer["ok"], (event, answer)
    client.disconnect(namespace="/live")
    assert len(loads) == 1
