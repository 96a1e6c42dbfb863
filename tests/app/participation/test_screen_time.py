"""Students see today's screen time on their today, timetable, resource and watch pages when
they are near (within 15 minutes of) or at their stage's daily online total; nobody else does."""

import re
from datetime import timedelta

import pytest

from app.catalog.models import Resource
from app.core.models import utcnow
from app.extensions import db
from app.live.models import PresenceInterval
from app.participation.models import ResourceStudyDay
from app.participation.study_time import local_today
from app.schedule.models import PolicySetting
from tests.app.participation.today import todays_minutes

# people.student is in grade 7 (junior): 240 minutes a day and 30-minute lessons by default.
LIMIT = 240


def watched_today(student, minutes):
    db.session.add(ResourceStudyDay(student_id=student.id, day=local_today(student, utcnow()), seconds=minutes * 60))
    db.session.commit()


def video(school):
    resource = Resource(
        school_id=school.id,
        title="视频课",
        level="school",
        storage_key="resources/v.mp4",
        content_type="video/mp4",
        media_type="video",
    )
    db.session.add(resource)
    db.session.commit()
    return resource


def banner(response):
    """(state, text) of the screen-time banner, or None."""
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    found = re.search(r'data-testid="screen-time" data-state="(\w+)">(.*?)</div>', page, re.S)
    return (found.group(1), " ".join(found.group(2).split())) if found else None


def student_pages(people):
    resource = video(people.school)
    return [
        "/",
        "/today",
        "/timetable",
        f"/catalog/resources/{resource.id}",
        f"/participation/resources/{resource.id}/watch",
    ]


def test_a_student_under_the_limit_sees_no_banner(people, login, client):
    watched_today(people.student, 100)
    login(people.student)
    for url in student_pages(people):
        assert banner(client.get(url)) is None, url


def test_a_student_near_the_limit_is_told_the_minutes_and_the_limit(people, login, client):
    watched_today(people.student, 230)
    login(people.student)
    for url in student_pages(people):
        state, text = banner(client.get(url))
        assert state == "nearing", url
        assert "230.0 of 240 minutes" in text and "About 10 minutes left" in text


def test_a_student_over_the_limit_is_told_to_take_a_break_but_may_still_watch(people, login, client):
    watched_today(people.student, 200)
    start, lesson_end = todays_minutes(people.student, 60, now=utcnow() - timedelta(minutes=1))
    from app.schedule.models import LiveSession

    lesson = LiveSession(
        school_id=people.school.id,
        course_id=people.course.id,
        title="直播课",
        starts_at=start,
        ends_at=lesson_end,
        original_starts_at=start,
    )
    db.session.add(lesson)
    db.session.flush()
    db.session.add(
        PresenceInterval(
            session_id=lesson.id,
            user_id=people.student.id,
            started_at=start,
            ended_at=lesson_end,
            last_seen_at=lesson_end,
        )
    )
    db.session.commit()
    login(people.student)
    for url in student_pages(people):
        response = client.get(url)
        state, text = banner(response)
        assert state == "reached", url
        assert "260.0 of 240 minutes" in text and "rest your eyes" in text
    # The video stays playable: the player is on the page.
    assert 'id="progress-video"' in response.get_data(as_text=True)


def test_exactly_at_the_limit_counts_as_reached(people, login, client):
    watched_today(people.student, LIMIT)
    login(people.student)
    assert banner(client.get("/today"))[0] == "reached"


def test_yesterdays_minutes_do_not_count_today(people, login, client):
    yesterday = local_today(people.student, utcnow()) - timedelta(days=1)
    db.session.add(ResourceStudyDay(student_id=people.student.id, day=yesterday, seconds=300 * 60))
    db.session.commit()
    login(people.student)
    assert banner(client.get("/today")) is None


@pytest.mark.parametrize("role", ["teacher", "class_teacher", "academic_affairs", "admin"])
def test_staff_never_see_the_banner(people, login, client, role):
    watched_today(people.student, 300)
    resource = video(people.school)
    login(getattr(people, role))
    for url in ["/today", "/timetable", f"/catalog/resources/{resource.id}"]:
        assert banner(client.get(url)) is None, (role, url)
    watch = client.get(f"/participation/resources/{resource.id}/watch").get_data(as_text=True)
    assert "data-break-after-minutes" not in watch


def test_a_school_without_a_daily_limit_shows_nothing(people, login, client):
    db.session.add(
        PolicySetting(
            school_id=people.school.id,
            stage=people.klass.stage,
            rules={"max_daily_minutes": None, "max_lesson_minutes": None},
        )
    )
    db.session.commit()
    watched_today(people.student, 600)
    login(people.student)
    for url in student_pages(people):
        page = client.get(url)
        assert banner(page) is None, url
        assert "data-break-after-minutes" not in page.get_data(as_text=True)


def test_the_watch_page_carries_the_stages_longest_sitting(people, login, client):
    resource = video(people.school)
    login(people.student)
    page = client.get(f"/participation/resources/{resource.id}/watch").get_data(as_text=True)
    assert 'data-break-after-minutes="30"' in page
    assert "watched for 30 minutes in a row" in page
    assert "js/screen-break.js" in page


def test_a_school_that_switched_the_daily_total_off_shows_no_banner_and_no_over_limit(people, login, client):
    db.session.add(
        PolicySetting(
            school_id=people.school.id,
            stage=people.klass.stage,
            rules={"max_daily_minutes": 240, "max_lesson_minutes": 30, "modes": {"max_daily_minutes": "off"}},
        )
    )
    db.session.commit()
    watched_today(people.student, 600)
    login(people.student)
    for url in student_pages(people):
        assert banner(client.get(url)) is None, url
    record = client.get("/participation/me").get_data(as_text=True)
    assert "Over today's limit" not in record
