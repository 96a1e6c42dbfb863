"""Academic affairs' week overview: every class and day with its lessons and the policy flags
the same check as scheduling finds (violations in red, warnings in amber)."""

import re
from datetime import timedelta

from app.extensions import db
from app.schedule import operations as ops
from app.schedule.policy_types import StagePolicy
from tests.app.schedule.conftest import MONDAY, local

WEEK = f"?week={MONDAY.isoformat()}"


def _lesson(t, course, teacher, when, minutes=30):
    session, _result = ops.create_session(teacher, course, {"starts_at": when, "minutes": minutes})
    db.session.commit()
    return session


def _cell(page: str, class_id: int, day) -> str:
    match = re.search(
        rf'<td class="([^"]*)"\s+data-class="{class_id}" data-day="{day.isoformat()}">(.*?)</td>', page, re.S
    )
    assert match, (class_id, day)
    return match.group(1) + " " + match.group(2)


def _overview(client, login, user) -> str:
    login(user)
    response = client.get("/schedule/overview" + WEEK)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_a_short_break_is_a_warning_on_the_class_whose_students_have_both_lessons(client, login, timetable):
    t = timetable
    _lesson(t, t.maths, t.teacher, local(MONDAY, "09:00"))  # 7A and 7B
    _lesson(t, t.chinese, t.other_teacher, local(MONDAY, "09:40"))  # 7A only: a 10-minute break
    page = _overview(client, login, t.academic_affairs)
    cell_a = _cell(page, t.class_a.id, MONDAY)
    assert "table-warning" in cell_a and "Shortest break between lessons" in cell_a
    assert "2 lessons, 60 min" in cell_a
    cell_b = _cell(page, t.class_b.id, MONDAY)
    assert "Shortest break" not in cell_b and "1 lesson, 30 min" in cell_b
    assert "Violation" not in page.split("Flags", 1)[1]


def test_a_rule_tightened_after_scheduling_shows_as_a_violation(client, login, timetable):
    t = timetable
    _lesson(t, t.maths, t.teacher, local(MONDAY + timedelta(days=1), "09:00"), minutes=30)
    strict = StagePolicy(max_lesson_minutes=20).as_dict()
    ops.set_policy(t.academic_affairs, t.school, {"stage": "junior", "rules": strict})
    db.session.commit()
    page = _overview(client, login, t.academic_affairs)
    cell = _cell(page, t.class_a.id, MONDAY + timedelta(days=1))
    assert "table-danger" in cell and "Longest lesson" in cell
    assert 'id="count-blocking">2<' in page  # 7A and 7B
    assert "limit 20 min, reached 30 min" in page


def test_an_approved_exception_is_not_flagged(client, login, timetable):
    t = timetable
    # Junior lessons longer than 30 minutes are refused by default; this one was let through.
    session, _result = ops.create_session(
        t.academic_affairs,
        t.maths,
        {"starts_at": local(MONDAY, "09:00"), "minutes": 45, "exception_reason": "Exam review"},
    )
    db.session.commit()
    page = _overview(client, login, t.academic_affairs)
    assert "Longest lesson" not in page
    assert 'id="count-blocking">0<' in page
    assert "outside allowed hours in the student's own time zone".lower() in page.lower().replace("&#39;", "'")


def test_cancelled_lessons_are_counted_apart_and_never_flagged(client, login, timetable):
    t = timetable
    gone = _lesson(t, t.maths, t.teacher, local(MONDAY, "09:00"))
    _lesson(t, t.chinese, t.other_teacher, local(MONDAY, "09:40"))
    ops.cancel_session(t.teacher, gone)
    db.session.commit()
    page = _overview(client, login, t.academic_affairs)
    assert "Shortest break" not in page
    assert 'id="count-sessions">1<' in page


def test_the_overview_is_for_the_viewers_own_school_only(client, login, timetable, make_school, make_user):
    t = timetable
    _lesson(t, t.maths, t.teacher, local(MONDAY, "09:00"))
    elsewhere = make_user(roles=["academic_affairs"], school_unit=make_school())
    main = _overview(client, login, elsewhere).split('<main id="main"')[1]  # tokens outside may hold "7A"
    assert "Maths 7" not in main and "7A" not in main


def _saturday_lesson_then_weekdays_only(t):
    saturday = MONDAY + timedelta(days=5)
    weekend = StagePolicy(allowed_weekdays=frozenset(range(7))).as_dict()
    ops.set_policy(t.academic_affairs, t.school, {"stage": "junior", "rules": weekend})
    _lesson(t, t.maths, t.teacher, local(saturday, "09:00"))
    school_days = StagePolicy(allowed_weekdays=frozenset(range(5))).as_dict()
    ops.set_policy(t.academic_affairs, t.school, {"stage": "junior", "rules": school_days})
    db.session.commit()


def test_allowed_days_are_named_not_numbered(client, login, timetable):
    t = timetable
    _saturday_lesson_then_weekdays_only(t)
    page = _overview(client, login, t.academic_affairs)
    flags = page.split("Flags", 1)[1]
    assert "limit Monday, Tuesday, Wednesday, Thursday, Friday, reached Saturday" in flags
    assert "[0, 1" not in page


def test_allowed_days_are_named_in_the_viewers_language(client, login, timetable):
    t = timetable
    _saturday_lesson_then_weekdays_only(t)
    t.academic_affairs.locale = "zh_Hans_CN"
    db.session.commit()
    page = _overview(client, login, t.academic_affairs)
    assert "星期一, 星期二, 星期三, 星期四, 星期五" in page and "星期六" in page
    policy = client.get("/schedule/policy").get_data(as_text=True)
    assert 'for="junior-day-6">星期日</label>' in policy
