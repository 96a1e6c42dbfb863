"""The demo timetable around any moment: a school morning keeps to every rule of the study-time
policy; after school and at weekends every class gets a Q&A lesson starting within minutes."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from app.catalog.sample import load_sample_catalog
from app.extensions import db
from app.orgs.demo import seed_demo_school
from app.orgs.demo_timetable import build_timetable, class_week, local_today, qa_start
from app.schedule.models import LiveSession

ZONE = ZoneInfo("Asia/Shanghai")


def _seeded(now: datetime):
    summary = seed_demo_school(today=local_today(now, "Asia/Shanghai"))
    load_sample_catalog(summary.school)
    return build_timetable(summary.school, now)


def _today(day: date) -> list[LiveSession]:
    start = datetime.combine(day, time(0), tzinfo=ZONE)
    query = select(LiveSession).where(LiveSession.starts_at >= start, LiveSession.starts_at < start + timedelta(days=1))
    return db.session.scalars(query).all()


def test_a_class_has_five_different_subjects_a_day_and_a_grade_never_shares_a_teacher(app):
    for grade in range(7, 13):
        weeks = [class_week(grade, index) for index in range(4)]
        for day in range(5):
            assert len({weeks[0][(day, period)] for period in range(5)}) == 5
            for period in range(5):
                assert len({week[(day, period)] for week in weeks}) == 4


def test_on_a_school_morning_the_timetable_keeps_to_the_policy_without_a_warning(app):
    wednesday_morning = datetime(2026, 12, 2, 9, 0, tzinfo=ZONE).astimezone(UTC)

    timetable = _seeded(wednesday_morning)

    window = [date(2026, 11, 18) + timedelta(days=n) for n in range(22)]
    assert timetable.warnings == 0 and timetable.plan_items > 100
    assert timetable.sessions == 24 * 5 * sum(1 for day in window if day.weekday() < 5)
    today = _today(date(2026, 12, 2))
    assert len(today) == 24 * 5 and not any("答疑" in lesson.title for lesson in today)
    assert timetable.cancelled is not None and timetable.cancelled.cancel_reason


@pytest.mark.parametrize(
    ("local_now", "first_start"),
    [
        (datetime(2026, 12, 2, 14, 55), None),  # lessons still to come today
        (datetime(2026, 12, 5, 10, 3), datetime(2026, 12, 5, 10, 10)),  # a Saturday morning
        (datetime(2026, 12, 2, 15, 10), datetime(2026, 12, 2, 15, 50)),  # after the last period, and a break
        (datetime(2026, 12, 6, 23, 25), datetime(2026, 12, 6, 23, 20)),  # late evening: under way
        (datetime(2026, 12, 6, 23, 55), datetime(2026, 12, 6, 23, 50)),  # just before midnight: under way
    ],
)
def test_qa_lessons_start_within_minutes_once_no_regular_lesson_is_left_today(local_now, first_start):
    now = local_now.replace(tzinfo=ZONE).astimezone(UTC)

    start = qa_start(now, local_now.date(), "Asia/Shanghai")

    assert (start.astimezone(ZONE).replace(tzinfo=None) if start else None) == first_start


def test_on_a_weekend_evening_every_class_has_a_qa_lesson_today_that_only_warns(app):
    saturday_evening = datetime(2026, 12, 5, 20, 7, tzinfo=ZONE)

    timetable = _seeded(saturday_evening.astimezone(UTC))

    qa = [lesson for lesson in _today(saturday_evening.date()) if "答疑" in lesson.title]
    assert len(qa) == 24 and {lesson.starts_at.astimezone(ZONE).hour for lesson in qa} == {20}
    assert {lesson.course.subject for lesson in qa} == {"语文", "数学", "英语", "历史"}
    assert timetable.warnings > 0  # out of school hours and days: allowed, with the policy's warnings


def test_seeded_just_before_midnight_the_qa_lessons_are_still_under_way(app):
    sunday_late = datetime(2026, 12, 6, 23, 55, tzinfo=ZONE)

    _seeded(sunday_late.astimezone(UTC))

    qa = [lesson for lesson in _today(sunday_late.date()) if "答疑" in lesson.title]
    assert qa and all(lesson.starts_at <= sunday_late < lesson.ends_at for lesson in qa)
    assert {lesson.ends_at.astimezone(ZONE).replace(tzinfo=None) for lesson in qa} == {datetime(2026, 12, 7, 0, 0)}
