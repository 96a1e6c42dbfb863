"""The "not reached" list, contact logging, and a student's own record."""

from datetime import date, timedelta

from app.catalog.models import Resource
from app.core.models import utcnow
from app.extensions import db
from app.participation import reach
from app.participation.models import ContactLog
from tests.app.participation.today import todays_minutes


def names(page):
    return page.get_data(as_text=True)


def listed(page) -> str:
    """The usernames on the list (the flash message names the student too)."""
    import re

    return " ".join(re.findall(r'data-student="([^"]+)"', page.get_data(as_text=True)))


def test_a_silent_student_is_listed_for_their_class_teacher_until_reached(people, login, client):
    login(people.class_teacher)
    page = listed(client.get("/participation/not-reached"))
    assert people.student.username in page.split()
    assert people.other_student.username not in page.split()  # another class
    answer = client.post(
        f"/participation/students/{people.student.id}/contacts",
        data={"channel": "phone", "outcome": "no_answer", "note": "<b>家长</b>未接"},
    )
    assert answer.status_code == 303
    assert people.student.username in listed(client.get("/participation/not-reached")).split()  # no answer: listed
    client.post(
        f"/participation/students/{people.student.id}/contacts", data={"channel": "wechat", "outcome": "reached"}
    )
    assert people.student.username not in listed(client.get("/participation/not-reached")).split()
    note = db.session.query(ContactLog).filter_by(outcome="no_answer").one().note
    assert "<b>" not in note and "家长" in note


def test_participation_in_a_lesson_takes_a_student_off_the_list(lesson_people, stay):
    p = lesson_people
    listed = {item.student.id for item in reach.not_reached(p.school.id, {p.klass.id})}
    assert p.student.id in listed
    stay(p.lesson, p.student, 0, 40)
    listed = {item.student.id for item in reach.not_reached(p.school.id, {p.klass.id})}
    assert p.student.id not in listed and p.students[1].id in listed


def test_a_student_comes_back_after_n_more_silent_days(people):
    now = utcnow()
    db.session.add(
        ContactLog(
            school_id=people.school.id,
            student_id=people.student.id,
            by_id=people.class_teacher.id,
            contacted_at=now - timedelta(days=3),
            channel="phone",
            outcome="reached",
        )
    )
    db.session.commit()
    assert people.student.id in {i.student.id for i in reach.not_reached(people.school.id, None, now, days=2)}
    assert people.student.id not in {i.student.id for i in reach.not_reached(people.school.id, None, now, days=4)}


def test_academic_affairs_see_the_whole_school_and_students_are_refused(people, login, client, app):
    login(people.academic_affairs)
    page = names(client.get("/participation/not-reached"))
    assert people.student.name in page and people.other_student.name in page
    other = app.test_client()
    login(people.student, test_client=other)
    assert other.get("/participation/not-reached").status_code == 403
    assert other.post(f"/participation/students/{people.other_student.id}/contacts", data={}).status_code == 403


def test_a_teacher_who_is_not_a_class_teacher_cannot_log_contacts(people, login, client):
    login(people.teacher)
    answer = client.post(
        f"/participation/students/{people.student.id}/contacts", data={"channel": "phone", "outcome": "reached"}
    )
    assert answer.status_code == 403


def test_a_student_sees_todays_minutes_against_the_limit(lesson_people, stay, login, client):
    p = lesson_people
    from app.live.models import PresenceInterval

    start, end = todays_minutes(p.student, 30)
    db.session.add(
        PresenceInterval(
            session_id=p.lesson.id,
            user_id=p.student.id,
            started_at=start,
            ended_at=end,
            last_seen_at=end,
        )
    )
    db.session.commit()
    login(p.student)
    page = names(client.get("/participation/me"))
    # Grade 7 (junior): the default daily online total is in the policy presets.
    assert "30.0 of" in page and "minutes" in page


def test_played_ranges_are_merged_and_complete_a_video(people, login, client):
    resource = Resource(
        school_id=people.school.id,
        title="视频课",
        level="school",
        storage_key="resources/v.mp4",
        content_type="video/mp4",
        media_type="video",
    )
    db.session.add(resource)
    db.session.commit()
    login(people.student)
    url = f"/participation/resources/{resource.id}/progress"
    first = client.post(url, json={"ranges": [[0, 60], [50, 120]], "duration": 200}).get_json()
    assert first["seconds_watched"] == 120 and not first["completed"]
    again = client.post(url, json={"ranges": [[0, 120]], "duration": 200}).get_json()
    assert again["seconds_watched"] == 120  # watching a part twice counts once
    done = client.post(url, json={"ranges": [[120, 181]], "duration": 200}).get_json()
    assert done["completed"]
    assert client.post(url, json={"ranges": [[0, 900]], "duration": 200}).status_code == 422


def test_a_weekend_does_not_count_as_silent_days_and_cancelled_lessons_make_no_lesson_day(
    lesson_people, make_lesson, stay
):
    """Thursday and Friday had lessons, Saturday's was cancelled, Monday's starts at 09:00: on
    Monday at 07:00 the last two lesson days are Friday and Monday."""
    from app.schedule.loading import school_timezone
    from app.schedule.models import SessionStatus
    from app.schedule.policy_index import day_start

    p = lesson_people
    timezone = school_timezone(p.school.id)
    thursday = day_start(date(2026, 11, 19), timezone)
    lessons = {
        name: make_lesson(p.course, starts_at=thursday + timedelta(days=offset, hours=9))
        for name, offset in (("thu", 0), ("fri", 1), ("sat", 2), ("mon", 4))
    }
    lessons["sat"].status = SessionStatus.CANCELLED
    db.session.commit()
    on_friday, on_thursday_only, silent = p.students
    stay(lessons["fri"], on_friday, 0, 40)
    stay(lessons["thu"], on_thursday_only, 0, 40)
    monday_morning = thursday + timedelta(days=4, hours=7)

    listed = {item.student.id for item in reach.not_reached(p.school.id, {p.klass.id}, monday_morning, days=2)}

    assert reach.window_first_day(p.school.id, date(2026, 11, 23), 2) == date(2026, 11, 20)
    assert on_friday.id not in listed
    assert {on_thursday_only.id, silent.id} <= listed
