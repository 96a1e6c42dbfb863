"""Weekly series: expansion, one / this-and-following / all edits, cancellations, DST."""

from datetime import date, time, timedelta

import pytest
from sqlalchemy import select

from app.extensions import db
from app.notify.models import Notification
from app.schedule import operations as ops
from app.schedule.models import LiveSeries, LiveSession, SessionStatus
from tests.app.schedule.conftest import MONDAY, SHANGHAI, local


def weekly(t, weekdays=(0, 2), clock="09:00", minutes=30, **extra):
    data = {
        "weekdays": list(weekdays),
        "start_time": time.fromisoformat(clock),
        "minutes": minutes,
        "starts_on": MONDAY,
    }
    series, result = ops.create_series(t.teacher, t.maths, {**data, **extra})
    db.session.commit()
    return series


def starts(series):
    return [s.starts_at for s in series.sessions if s.status == SessionStatus.SCHEDULED]


def test_a_series_with_a_count_stores_each_occurrence_with_an_rrule(timetable):
    series = weekly(timetable, count=4)
    assert starts(series) == [local(MONDAY + timedelta(days=d), "09:00") for d in (0, 2, 7, 9)]
    assert series.rrule == "FREQ=WEEKLY;WKST=MO;BYDAY=MO,WE;COUNT=4"


def test_a_series_without_an_end_runs_to_the_end_of_the_term(timetable):
    series = weekly(timetable, weekdays=(4,))
    assert starts(series)[-1].date() == date(2030, 7, 12)
    assert "UNTIL=20300712T155959Z" in series.rrule


def test_a_series_that_collides_with_a_stored_lesson_is_refused_whole(timetable):
    ops.create_session(
        timetable.other_teacher,
        timetable.chinese,
        {"starts_at": local(MONDAY + timedelta(days=7), "09:00"), "minutes": 20},
    )
    db.session.commit()
    with pytest.raises(ops.ScheduleRefused) as refused:
        weekly(timetable, count=4)
    [conflict] = refused.value.result.conflicts
    assert conflict.lesson_id == "new-2"
    assert db.session.scalar(select(LiveSeries.id)) is None


def test_editing_this_and_following_splits_the_series_and_keeps_earlier_lessons(timetable):
    series = weekly(timetable, count=4)
    third = series.sessions[2]
    ops.edit_series(timetable.teacher, third, {"start_time": time(10, 0)}, "following")
    db.session.commit()
    old, new = db.session.scalars(select(LiveSeries).order_by(LiveSeries.id)).all()
    assert [s.starts_at for s in old.sessions] == [local(MONDAY, "09:00"), local(MONDAY + timedelta(days=2), "09:00")]
    assert [s.starts_at for s in new.sessions] == [local(MONDAY + timedelta(days=d), "10:00") for d in (7, 9)]
    assert third.series_id == new.id and third.sequence == 1
    assert old.until == MONDAY + timedelta(days=6) and old.count is None
    assert new.rrule.endswith("COUNT=2")


def test_editing_all_changes_days_removes_dropped_dates_and_keeps_cancelled_ones(timetable):
    series = weekly(timetable, count=4)
    ops.cancel_series(timetable.teacher, series.sessions[0], {}, "one")
    ops.edit_series(timetable.teacher, series.sessions[1], {"weekdays": [0, 4], "title": "Algebra"}, "all")
    db.session.commit()
    rows = db.session.scalars(select(LiveSession).order_by(LiveSession.starts_at)).all()
    assert [(r.starts_at.date().weekday(), r.status.value) for r in rows] == [
        (0, "cancelled"),
        (4, "scheduled"),
        (0, "scheduled"),
        (4, "scheduled"),
    ]
    assert {r.title for r in rows} == {"Algebra"}


def test_editing_one_occurrence_moves_only_it(timetable):
    series = weekly(timetable, count=3)
    ops.edit_series(
        timetable.teacher, series.sessions[1], {"starts_at": local(MONDAY + timedelta(days=3), "14:00")}, "one"
    )
    db.session.commit()
    assert series.sessions[1].starts_at == local(MONDAY + timedelta(days=3), "14:00")
    assert series.sessions[1].original_starts_at == local(MONDAY + timedelta(days=2), "09:00")
    assert series.sessions[0].starts_at == local(MONDAY, "09:00")


def test_cancelling_this_and_following_cancels_later_occurrences_and_notifies_once(timetable):
    series = weekly(timetable, count=4)
    db.session.execute(Notification.__table__.delete())
    assert ops.cancel_series(timetable.teacher, series.sessions[1], {"reason": "Holiday"}, "following") == 3
    db.session.commit()
    assert [s.status.value for s in series.sessions] == ["scheduled", "cancelled", "cancelled", "cancelled"]
    student_notes = db.session.scalars(
        select(Notification).where(Notification.user_id == timetable.students_a[0].id)
    ).all()
    assert [n.kind for n in student_notes] == ["session_cancelled"]


def test_a_weekly_lesson_keeps_its_wall_time_across_a_dst_change(timetable, school):
    school.timezone = "America/New_York"
    db.session.commit()
    series = weekly(timetable, weekdays=(6,), clock="10:00", count=2, starts_on=date(2026, 10, 25))
    utc_hours = [s.starts_at.hour for s in series.sessions]
    assert utc_hours == [14, 15]  # 10:00 EDT, then 10:00 EST
    assert series.timezone == "America/New_York"


def _series_around_now(t):
    """A daily (Monday to Friday) series that began two weeks ago and runs two weeks on."""
    from datetime import UTC, datetime

    today = datetime.now(UTC).astimezone(local(MONDAY, "09:00").tzinfo).date()
    first = today - timedelta(days=14 + today.weekday())
    data = {"weekdays": [0, 1, 2, 3, 4], "start_time": time(9, 0), "minutes": 30, "starts_on": first, "count": 20}
    series, _result = ops.create_series(t.teacher, t.maths, data)
    db.session.commit()
    return series


def test_editing_all_leaves_lessons_that_have_begun_as_they_were(timetable):
    from app.core.models import utcnow

    series = _series_around_now(timetable)
    past = [(s.id, s.starts_at, s.title) for s in series.sessions if s.starts_at <= utcnow()]
    ops.edit_series(timetable.teacher, series.sessions[0], {"start_time": time(10, 0), "title": "Algebra"}, "all")
    db.session.commit()
    db.session.expire_all()
    rows = db.session.scalars(select(LiveSession).order_by(LiveSession.original_starts_at)).all()
    assert len(rows) == 20 and len(past) >= 10
    assert [(r.id, r.starts_at, r.title) for r in rows[: len(past)]] == past
    upcoming = rows[len(past) :]
    assert upcoming and {r.starts_at.astimezone(SHANGHAI).time() for r in upcoming} == {time(10, 0)}
    assert {r.title for r in upcoming} == {"Algebra"}
    assert all(r.starts_at > utcnow() for r in upcoming)
    old, new = db.session.scalars(select(LiveSeries).order_by(LiveSeries.id)).all()
    assert {r.series_id for r in rows[: len(past)]} == {old.id} and {r.series_id for r in upcoming} == {new.id}


def test_cancelling_all_cancels_only_lessons_not_yet_begun(timetable):
    from app.core.models import utcnow

    series = _series_around_now(timetable)
    begun = sum(1 for s in series.sessions if s.starts_at <= utcnow())
    assert ops.cancel_series(timetable.teacher, series.sessions[0], {}, "all") == 20 - begun
    db.session.commit()
    assert [s.status.value for s in series.sessions[:begun]] == ["scheduled"] * begun


def test_a_series_wholly_in_the_past_is_changed_one_lesson_at_a_time(timetable):
    series = weekly(timetable, count=2, starts_on=date(2026, 3, 2))
    with pytest.raises(ops.InvalidSchedule) as refused:
        ops.edit_series(timetable.teacher, series.sessions[0], {"title": "Algebra"}, "all")
    assert "scope" in refused.value.errors


def _approved_series(t, clock="09:00", minutes=45):
    data = {"weekdays": [0, 2], "start_time": time.fromisoformat(clock), "minutes": minutes, "starts_on": MONDAY}
    series, _result = ops.create_series(t.academic_affairs, t.maths, {**data, "count": 4, "exception_reason": "Exams"})
    db.session.commit()
    return series


def test_a_moved_lesson_keeps_its_approved_length_exception(timetable):
    t = timetable
    series = _approved_series(t)  # 45 minutes where juniors have 30: approved for every lesson
    ops.edit_series(t.teacher, series.sessions[1], {"starts_at": local(MONDAY + timedelta(days=3), "14:00")}, "one")
    ops.edit_series(t.teacher, series.sessions[2], {"start_time": time(10, 0)}, "all")
    db.session.commit()
    db.session.expire_all()
    assert [[e.rule for e in s.exceptions] for s in series.sessions] == [["max_lesson_minutes"]] * 4
    assert series.sessions[2].starts_at == local(MONDAY + timedelta(days=7), "10:00")


def test_a_new_length_needs_a_new_approval(timetable):
    t = timetable
    series = _approved_series(t)
    with pytest.raises(ops.ScheduleRefused):
        ops.edit_series(t.teacher, series.sessions[0], {"starts_at": local(MONDAY, "09:00"), "minutes": 50}, "one")


def test_moving_a_series_still_outside_allowed_hours_needs_a_new_approval(timetable):
    from app.schedule.policy_types import StagePolicy

    t = timetable
    hours = StagePolicy(allowed_start=time(8, 0), allowed_end=time(18, 0)).as_dict()  # blocking
    ops.set_policy(t.academic_affairs, t.school, {"stage": "junior", "rules": hours})
    series = _approved_series(t, clock="07:00", minutes=30)  # before 08:00: approved
    with pytest.raises(ops.ScheduleRefused) as refused:
        ops.edit_series(t.teacher, series.sessions[0], {"start_time": time(7, 15)}, "all")
    assert "allowed_hours" in {str(v.rule) for v in refused.value.result.blocking}
    db.session.rollback()
    db.session.expire_all()
    assert all(s.exceptions and s.starts_at.astimezone(SHANGHAI).time() == time(7, 0) for s in series.sessions)
    ops.edit_series(
        t.academic_affairs, series.sessions[0], {"start_time": time(7, 15), "exception_reason": "Exams"}, "all"
    )
    db.session.commit()
    db.session.expire_all()
    assert [[e.rule for e in s.exceptions] for s in series.sessions] == [["allowed_hours"]] * 4


def test_a_lesson_moved_on_its_own_stays_moved_when_the_series_gets_a_new_title(timetable):
    t = timetable
    series = _approved_series(t)
    thursday = local(MONDAY + timedelta(days=3), "14:00")
    ops.edit_series(t.teacher, series.sessions[1], {"starts_at": thursday}, "one")
    ops.edit_series(t.teacher, series.sessions[0], {"title": "Algebra"}, "all")
    db.session.commit()
    db.session.expire_all()
    moved = series.sessions[1]
    assert (moved.starts_at, moved.title, moved.minutes) == (thursday, "Algebra", 45)
    assert [e.rule for e in moved.exceptions] == ["max_lesson_minutes"]
    ops.edit_series(t.teacher, series.sessions[0], {"start_time": time(10, 0)}, "all")
    db.session.commit()
    assert moved.starts_at == local(MONDAY + timedelta(days=2), "10:00")  # a new time applies to all
