"""The scheduling pages as a teacher and academic affairs use them."""

from sqlalchemy import select

from app.extensions import db
from app.schedule.models import LiveSeries, LiveSession, PolicyException, PolicySetting
from tests.app.schedule.conftest import MONDAY, local


def form(t, clock="09:00", minutes=30, **extra):
    data = {
        "title": "Fractions",
        "day": MONDAY.isoformat(),
        "start": clock,
        "minutes": str(minutes),
        "class_ids": [str(t.class_a.id), str(t.class_b.id)],
        "join_url": "https://meet.jit.si/kexu-maths",
    }
    return {**data, **extra}


def test_a_teacher_schedules_a_lesson_in_their_own_time_zone(client, login, timetable):
    login(timetable.teacher)
    page = client.get(f"/courses/{timetable.maths.id}/sessions/new")
    assert page.status_code == 200 and "Schedule a lesson" in page.text
    response = client.post(f"/courses/{timetable.maths.id}/sessions/new", data=form(timetable))
    assert response.status_code == 302
    session = db.session.scalar(select(LiveSession))
    assert session.starts_at == local(MONDAY, "09:00") and session.join_url == "https://meet.jit.si/kexu-maths"
    detail = client.get(response.headers["Location"], follow_redirects=True)
    assert "Fractions" in detail.text and "https://meet.jit.si/kexu-maths" in detail.text


def test_a_refused_lesson_shows_rule_limit_value_day_students_and_free_slots(client, login, timetable):
    login(timetable.teacher)
    response = client.post(f"/courses/{timetable.maths.id}/sessions/new", data=form(timetable, minutes=45))
    assert response.status_code == 422
    text = response.text
    assert "Longest lesson" in text and "Limit 30 min, reached 45 min on 2030-03-04 for 6 students." in text
    # Names on demand: every one of the six, not a sample.
    names = text.split("<details>")[1].split("</details>")[0]
    expected = ["Student A0", "Student A1", "Student A2", "Student B0", "Student B1", "Student Abroad"]
    assert all(name in names for name in expected) and "more" not in names
    assert "Nearest times that break nothing" not in text  # too long everywhere: no slot fits
    assert db.session.scalar(select(LiveSession.id)) is None


def test_a_clash_offers_one_click_slots_that_store_the_lesson(client, login, timetable):
    login(timetable.teacher)
    client.post(f"/courses/{timetable.maths.id}/sessions/new", data=form(timetable, "09:00"))
    clash = client.post(f"/courses/{timetable.maths.id}/sessions/new", data=form(timetable, "09:10"))
    assert clash.status_code == 422 and "Class already has a lesson at this time" in clash.text
    assert 'name="use_slot" value="2030-03-04T09:30:00+08:00"' in clash.text
    chosen = client.post(
        f"/courses/{timetable.maths.id}/sessions/new",
        data={**form(timetable, "09:10"), "use_slot": "2030-03-04T09:30:00+08:00"},
    )
    assert chosen.status_code == 302
    assert sorted(s.starts_at for s in db.session.scalars(select(LiveSession))) == [
        local(MONDAY, "09:00"),
        local(MONDAY, "09:30"),
    ]


def test_a_weekly_series_from_the_form(client, login, timetable):
    login(timetable.teacher)
    data = form(timetable, repeat="y", weekdays=["0", "2"], count="4")
    assert client.post(f"/courses/{timetable.maths.id}/sessions/new", data=data).status_code == 302
    series = db.session.scalar(select(LiveSeries))
    assert len(series.sessions) == 4 and series.rrule.endswith("COUNT=4")


def test_move_and_cancel_pages(client, login, timetable):
    login(timetable.teacher)
    client.post(f"/courses/{timetable.maths.id}/sessions/new", data=form(timetable))
    session = db.session.scalar(select(LiveSession))
    edit = {"title": "Fractions", "day": MONDAY.isoformat(), "start": "14:00", "minutes": "30", "scope": "one"}
    assert client.post(f"/schedule/sessions/{session.id}/edit", data=edit).status_code == 302
    db.session.refresh(session)
    assert session.starts_at == local(MONDAY, "14:00") and session.sequence == 1
    assert (
        client.post(f"/schedule/sessions/{session.id}/cancel", data={"reason": "Ill", "scope": "one"}).status_code
        == 302
    )
    db.session.refresh(session)
    assert session.is_cancelled and "Cancelled" in client.get(f"/schedule/sessions/{session.id}").text


def test_academic_affairs_approve_an_exception_with_a_reason_on_the_form(client, login, timetable):
    login(timetable.academic_affairs)
    data = form(timetable, minutes=45, exception_reason="Mock exam, agreed with parents")
    assert client.post(f"/courses/{timetable.maths.id}/sessions/new", data=data).status_code == 302
    [exception] = db.session.scalars(select(PolicyException)).all()
    assert exception.reason == "Mock exam, agreed with parents"
    assert "Mock exam" in client.get("/schedule/exceptions").text


def test_a_teacher_cannot_approve_an_exception(client, login, timetable):
    login(timetable.teacher)
    data = form(timetable, minutes=45, exception_reason="I say so")
    assert client.post(f"/courses/{timetable.maths.id}/sessions/new", data=data).status_code == 403


def test_the_policy_page_sets_a_preset_then_edited_numbers_and_modes(client, login, timetable):
    login(timetable.academic_affairs)
    page = client.get("/schedule/policy")
    assert page.status_code == 200 and "Anhui province plan" in page.text
    client.post("/schedule/policy", data={"stage": "junior", "action": "preset", "junior-preset": "anhui_2020_02_22"})
    setting = db.session.scalar(select(PolicySetting))
    assert setting.preset_key == "anhui_2020_02_22" and setting.rules["max_daily_minutes"] == 150
    rules = {"stage": "junior", "action": "rules", "junior-max_lesson_minutes": "40", "junior-max_daily_minutes": "150"}
    rules.update({f"junior-mode-{rule}": "warn" for rule in ("max_lesson_minutes", "allowed_hours")})
    rules["junior-allowed_weekdays"] = ["0", "1", "2", "3", "4"]
    assert client.post("/schedule/policy", data=rules).status_code == 302
    db.session.refresh(setting)
    assert setting.preset_key is None and setting.rules["max_lesson_minutes"] == 40
    assert (
        setting.rules["modes"]["max_lesson_minutes"] == "warn"
        and setting.rules["modes"]["max_daily_minutes"] == "block"
    )
    bad = client.post("/schedule/policy", data={**rules, "junior-max_daily_minutes": "lots"})
    assert bad.status_code == 422 and "whole number" in bad.text
