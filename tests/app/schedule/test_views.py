"""Timetable pages: a student's day and week, a teacher's week, a class's week, each in the
viewer's own zone; a student sees only their own lessons."""

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from app.extensions import db
from app.schedule import operations as ops
from tests.app.schedule.conftest import MONDAY, local

WEEK = f"?week={MONDAY.isoformat()}"


def _lesson(t, course=None, when=None, minutes=30, teacher=None, **extra):
    course = course or t.maths
    session, _result = ops.create_session(
        teacher or t.teacher, course, {"starts_at": when or local(MONDAY, "09:00"), "minutes": minutes, **extra}
    )
    db.session.commit()
    return session


def _page(client, login, user, url) -> str:
    client.post("/logout")
    login(user)
    response = client.get(url)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


def _today_at(tz_name: str, clock: str) -> datetime:
    today = datetime.now(UTC).astimezone(ZoneInfo(tz_name)).date()
    return datetime.combine(today, time.fromisoformat(clock), tzinfo=ZoneInfo(tz_name))


def test_today_shows_the_lesson_in_the_students_own_zone_with_course_teacher_and_join(client, login, timetable):
    t = timetable
    _lesson(t, when=_today_at("Europe/London", "10:00"), join_url="https://meet.example.com/maths")
    page = _page(client, login, t.abroad, "/today")
    assert "10:00–10:30" in page
    assert "Maths 7" in page and "Teacher Maths" in page
    assert 'href="https://meet.example.com/maths"' in page and 'rel="noopener noreferrer"' in page
    assert "Europe/London" in page


def test_the_same_lesson_shows_shanghai_time_to_a_student_in_shanghai(client, login, timetable):
    t = timetable
    when = local(MONDAY, "09:00")
    _lesson(t, when=when)
    london = _page(client, login, t.abroad, "/timetable" + WEEK)
    shanghai = _page(client, login, t.students_a[0], "/timetable" + WEEK)
    assert "09:00–09:30" in shanghai and "01:00–01:30" in london  # GMT in early March


def test_a_student_sees_only_their_own_classes_lessons(client, login, timetable):
    t = timetable
    _lesson(t, course=t.chinese, teacher=t.other_teacher, when=local(MONDAY, "10:00"))  # class A only
    page_b = _page(client, login, t.students_b[0], "/timetable" + WEEK)
    assert "Chinese 7" not in page_b
    page_a = _page(client, login, t.students_a[0], "/timetable" + WEEK)
    assert "Chinese 7" in page_a
    assert client.get(f"/classes/{t.class_b.id}/timetable").status_code == 403


def test_a_teachers_week_strikes_through_cancelled_sessions(client, login, timetable):
    t = timetable
    kept = _lesson(t, when=local(MONDAY, "09:00"), title="Fractions")
    gone = _lesson(t, when=local(MONDAY + timedelta(days=1), "09:00"), title="Decimals")
    ops.cancel_session(t.teacher, gone)
    db.session.commit()
    page = _page(client, login, t.teacher, "/timetable" + WEEK)
    assert kept.title in page
    cancelled_block = page[page.index("Decimals") - 400 : page.index("Decimals")]
    assert "text-decoration-line-through" in cancelled_block
    assert "Cancelled" in page


def test_week_navigation_moves_a_week_at_a_time(client, login, timetable):
    t = timetable
    _lesson(t, when=local(MONDAY + timedelta(days=7), "09:00"), title="Next week's lesson")
    page = _page(client, login, t.students_a[0], "/timetable" + WEEK)
    assert "Next week&#39;s lesson" not in page
    assert f"week={(MONDAY + timedelta(days=7)).isoformat()}" in page
    page = _page(client, login, t.students_a[0], f"/timetable?week={(MONDAY + timedelta(days=9)).isoformat()}")
    assert "Next week&#39;s lesson" in page


def test_class_timetable_lists_the_classs_lessons_for_its_teachers(client, login, timetable):
    t = timetable
    _lesson(t, course=t.chinese, teacher=t.other_teacher, when=local(MONDAY, "10:00"))
    page = _page(client, login, t.other_teacher, f"/classes/{t.class_a.id}/timetable{WEEK}")
    assert "Chinese 7" in page and "7A" in page
    page = _page(client, login, t.teacher, f"/classes/{t.class_b.id}/timetable{WEEK}")
    assert "Chinese 7" not in page


def test_pages_speak_the_viewers_language(client, login, make_user, timetable):
    t = timetable
    student = t.students_a[0]
    student.locale = "zh_Hans_CN"
    db.session.commit()
    _lesson(t, when=local(MONDAY, "09:00"))
    page = _page(client, login, student, "/timetable" + WEEK)
    assert "3月4日周一" in page
    assert '<html lang="zh-CN">' in page


def test_nav_shows_today_to_students_timetable_to_teachers_and_overview_to_academic_affairs(client, login, timetable):
    t = timetable
    student_page = _page(client, login, t.students_a[0], "/")
    assert 'href="/today"' in student_page and 'href="/schedule/overview"' not in student_page
    teacher_page = _page(client, login, t.teacher, "/")
    assert 'href="/timetable"' in teacher_page and 'href="/today"' not in teacher_page
    staff_page = _page(client, login, t.academic_affairs, "/")
    assert 'href="/schedule/overview"' in staff_page


def test_calendar_address_can_be_issued_and_revoked_from_the_timetable(client, login, timetable):
    student = timetable.students_a[0]
    login(student)
    response = client.post("/calendar/feeds", follow_redirects=True)
    page = response.get_data(as_text=True)
    start = page.index("/calendar/") + len("/calendar/")
    token = page[start : page.index(".ics", start)]
    assert client.get(f"/calendar/{token}.ics").status_code == 200
    assert "Revoke" in client.get("/timetable").get_data(as_text=True)
    from app.schedule.calendar_feeds import active_feeds

    [feed] = active_feeds(student)
    assert client.post(f"/calendar/feeds/{feed.id}/revoke").status_code == 302
    assert client.get(f"/calendar/{token}.ics").status_code == 404


def test_only_the_class_teacher_or_academic_affairs_may_share_a_class_feed(client, login, timetable):
    t = timetable
    login(t.teacher)
    assert client.post(f"/classes/{t.class_a.id}/calendar-feed").status_code == 403
    client.post("/logout")
    login(t.academic_affairs)
    assert client.post(f"/classes/{t.class_a.id}/calendar-feed").status_code == 302
    page = client.get(f"/classes/{t.class_a.id}/timetable").get_data(as_text=True)
    assert "Share this class" in page and "Revoke" in page
