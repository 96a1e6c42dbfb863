"""The room facts cached per process: a change committed in the process is seen at once."""

from app.extensions import db
from app.live import facts
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
