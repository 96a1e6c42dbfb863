"""iCalendar feeds: parsed back with icalendar and expanded with recurring-ical-events (an
independent RFC 5545 implementation), then compared with the sessions stored in the database."""

from datetime import UTC, datetime, time, timedelta

import recurring_ical_events
from icalendar import Calendar
from sqlalchemy import select

from app.extensions import db
from app.schedule import operations as ops
from app.schedule.calendar_feeds import issue_feed
from app.schedule.models import LiveSession, SessionStatus
from tests.app.schedule.conftest import MONDAY, local

FAR_PAST, FAR_FUTURE = datetime(2000, 1, 1, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC)


def _series(t, weekdays=(0, 2), clock="09:00", count=6, **extra):
    data = {"weekdays": list(weekdays), "start_time": time.fromisoformat(clock), "minutes": 30, "starts_on": MONDAY}
    series, _result = ops.create_series(t.teacher, t.maths, {**data, "count": count, **extra})
    db.session.commit()
    return series


def _feed_url(user, unit=None) -> str:
    _feed, secret = issue_feed(user, unit)
    db.session.commit()
    return f"/calendar/{secret}.ics"


def _fetch(client, url) -> Calendar:
    response = client.get(url)
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    return Calendar.from_ical(response.data)


def _expanded(calendar: Calendar) -> set[tuple]:
    """(start UTC, end UTC, summary) of every live occurrence, by the independent expander."""
    found = set()
    for event in recurring_ical_events.of(calendar).between(FAR_PAST, FAR_FUTURE):
        if str(event.get("STATUS", "")) == "CANCELLED":
            continue
        start, end = event["DTSTART"].dt, event["DTEND"].dt
        found.add((start.astimezone(UTC), end.astimezone(UTC), str(event["SUMMARY"])))
    return found


def _stored(class_id=None) -> set[tuple]:
    sessions = db.session.scalars(select(LiveSession).where(LiveSession.status == SessionStatus.SCHEDULED)).all()
    summary = {s.id: s.course.name if s.title == s.course.name else f"{s.course.name}: {s.title}" for s in sessions}
    return {
        (s.starts_at, s.ends_at, summary[s.id])
        for s in sessions
        if class_id is None or class_id in {u.id for u in s.classes}
    }


def _events(calendar: Calendar) -> list:
    return list(calendar.walk("VEVENT"))


def test_a_series_with_a_cancelled_and_a_moved_occurrence_expands_to_the_stored_lessons(client, timetable):
    t = timetable
    series = _series(t)
    second, fourth = series.sessions[1], series.sessions[3]
    ops.cancel_session(t.teacher, second, {"reason": "Sports day"})
    ops.move_session(t.teacher, fourth, {"starts_at": local(MONDAY + timedelta(days=10), "14:00")})
    ops.create_session(t.teacher, t.maths, {"starts_at": local(MONDAY + timedelta(days=4), "10:00"), "minutes": 20})
    db.session.commit()
    calendar = _fetch(client, _feed_url(t.students_a[0]))

    assert _expanded(calendar) == _stored()
    master = next(e for e in _events(calendar) if "RRULE" in e)
    assert str(master["UID"]) == f"series-{series.id}@kexu"
    assert master["DTSTART"].params["TZID"] == "Asia/Shanghai"
    assert master["DTSTART"].dt == local(MONDAY, "09:00")
    assert [d.dt for d in master["EXDATE"].dts] == [second.original_starts_at.astimezone(master["DTSTART"].dt.tzinfo)]
    assert master["SEQUENCE"] >= 1  # the cancellation changed the master's EXDATEs
    [override] = [e for e in _events(calendar) if "RECURRENCE-ID" in e]
    assert str(override["UID"]) == f"series-{series.id}@kexu"
    assert override["RECURRENCE-ID"].dt == local(MONDAY + timedelta(days=9), "09:00")
    assert override["DTSTART"].dt == local(MONDAY + timedelta(days=10), "14:00")
    assert override["SEQUENCE"] == 1
    [one_off] = [e for e in _events(calendar) if "RRULE" not in e and "RECURRENCE-ID" not in e]
    assert str(one_off["UID"]).startswith("session-") and "DTSTAMP" in one_off


def test_the_feed_carries_a_vtimezone_for_the_schools_zone_and_the_join_link(client, timetable):
    _series(timetable, join_url="https://meeting.example.com/j/123")
    calendar = _fetch(client, _feed_url(timetable.students_a[0]))
    assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == ["Asia/Shanghai"]
    [master] = _events(calendar)
    assert str(master["URL"]) == "https://meeting.example.com/j/123"
    assert "https://meeting.example.com/j/123" in str(master["DESCRIPTION"])
    assert "Teacher Maths" in str(master["DESCRIPTION"])


def test_splitting_a_series_gives_two_rules_that_still_expand_to_the_stored_lessons(client, timetable):
    t = timetable
    series = _series(t, count=8)
    ops.edit_series(t.teacher, series.sessions[4], {"start_time": time(10, 0)}, "following")
    ops.cancel_session(t.teacher, series.sessions[1])
    db.session.commit()
    calendar = _fetch(client, _feed_url(t.students_a[0]))
    assert len([e for e in _events(calendar) if "RRULE" in e]) == 2
    assert _expanded(calendar) == _stored()


def test_cancelling_a_whole_series_removes_it_and_a_cancelled_one_off_is_marked(client, timetable):
    t = timetable
    series = _series(t, count=3)
    ops.cancel_series(t.teacher, series.sessions[0], None, "all")
    one_off, _result = ops.create_session(
        t.teacher, t.maths, {"starts_at": local(MONDAY + timedelta(days=4), "10:00"), "minutes": 20}
    )
    ops.cancel_session(t.teacher, one_off)
    db.session.commit()
    calendar = _fetch(client, _feed_url(t.students_a[0]))
    [event] = _events(calendar)
    assert str(event["STATUS"]) == "CANCELLED" and event["SEQUENCE"] == 1
    assert _expanded(calendar) == set()


def test_a_class_feed_holds_only_that_classs_lessons(client, timetable):
    t = timetable
    _series(t, count=4)  # maths: both classes
    ops.create_session(
        t.other_teacher, t.chinese, {"starts_at": local(MONDAY + timedelta(days=1), "10:00"), "minutes": 20}
    )
    db.session.commit()
    class_teacher = _class_teacher_of(t)
    feed_a = _fetch(client, _feed_url(class_teacher, t.class_a))
    assert _expanded(feed_a) == _stored(t.class_a.id)
    feed_b = _fetch(client, _feed_url(t.academic_affairs, t.class_b))
    assert _expanded(feed_b) == _stored(t.class_b.id)
    assert not any("Chinese" in summary for _s, _e, summary in _expanded(feed_b))


def _class_teacher_of(t):
    from app.auth.models import Role, UserRole

    t.teacher.role_grants.append(UserRole(role=Role.CLASS_TEACHER, unit_id=t.class_a.id))
    db.session.commit()
    return t.teacher


def test_a_student_feed_leaves_out_other_classes_lessons_of_a_shared_series(client, timetable):
    """A series for two classes whose occurrence was narrowed to one class: the other class's
    students get an EXDATE for it, not a lesson they don't have."""
    t = timetable
    series = _series(t, count=4)
    ops.edit_session(t.teacher, series.sessions[2], {"class_ids": [t.class_a.id]})
    db.session.commit()
    feed_b = _fetch(client, _feed_url(t.students_b[0]))
    assert _expanded(feed_b) == _stored(t.class_b.id)
    assert len(_expanded(feed_b)) == 3


def test_revoked_and_unknown_addresses_answer_404_and_reissuing_replaces_the_old(client, timetable):
    student = timetable.students_a[0]
    first = _feed_url(student)
    assert client.get(first).status_code == 200
    second = _feed_url(student)
    assert client.get(first).status_code == 404
    assert client.get(second).status_code == 200
    assert client.get("/calendar/not-a-real-token.ics").status_code == 404


def test_a_disabled_account_or_a_former_class_teacher_loses_the_feed(client, timetable):
    t = timetable
    teacher = _class_teacher_of(t)
    class_url = _feed_url(teacher, t.class_a)
    own_url = _feed_url(t.students_a[0])
    teacher.role_grants[:] = [g for g in teacher.role_grants if g.unit_id is None]
    t.students_a[0].disabled = True
    db.session.commit()
    assert client.get(class_url).status_code == 404
    assert client.get(own_url).status_code == 404


def test_the_api_serves_the_same_feed_without_a_bearer_token(client, timetable):
    _series(timetable, count=2)
    url = _feed_url(timetable.students_a[0])
    via_api = client.get("/api/v1" + url)
    assert via_api.status_code == 200 and via_api.mimetype == "text/calendar"
    assert _expanded(Calendar.from_ical(via_api.data)) == _stored()
    missing = client.get("/api/v1/calendar/nothing-here.ics")
    assert missing.status_code == 404 and set(missing.get_json()) == {"code", "message", "errors"}


def test_the_api_document_marks_the_feed_public(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    operation = spec["paths"]["/api/v1/calendar/{token}.ics"]["get"]
    assert operation["security"] == []
    assert "text/calendar" in operation["responses"]["200"]["content"]


def test_a_series_across_a_dst_change_keeps_its_wall_time_in_the_feed(client, timetable, school):
    school.timezone = "Europe/London"  # BST starts on 2030-03-31
    db.session.commit()
    series = _series(timetable, count=10)
    calendar = _fetch(client, _feed_url(timetable.students_a[0]))
    assert _expanded(calendar) == _stored()
    assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == ["Europe/London"]
    hours = {s.starts_at.hour for s in series.sessions}
    assert hours == {9, 8}  # 09:00 GMT, then 09:00 BST = 08:00 UTC
