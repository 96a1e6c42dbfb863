"""Days and hours are each student's own: other zones, midnight, DST changes."""

from datetime import UTC, date, datetime, time, timedelta

from app.schedule.policy import Lesson, Mode, Rule, StagePolicy, check
from tests.app.schedule.helpers import LONDON, NEW_YORK, junior, lesson, students


def test_a_morning_lesson_in_shanghai_falls_on_the_previous_evening_in_london():
    shanghai = students(20)
    london = students(1, first_id=100, tz=LONDON)
    # Monday 16:00 Shanghai is Monday 08:00 London; Tuesday 07:30 Shanghai is Monday 23:30 London.
    stored = [lesson(1, "2026-01-05", "16:00", 30)]
    policy = junior(max_daily_minutes=50, allowed_start=time(8), allowed_end=time(18))
    result = check([lesson(2, "2026-01-06", "07:30", 30)], stored, shanghai + london, policy)

    by_rule = {v.rule: v for v in result.violations}
    assert by_rule[Rule.DAILY_TOTAL].day == date(2026, 1, 5)
    assert by_rule[Rule.DAILY_TOTAL].student_sample == (100,)
    assert by_rule[Rule.DAILY_TOTAL].severity == Mode.BLOCK
    # Outside hours for Shanghai's own students (07:30) blocks; for the London student it only warns.
    assert by_rule[Rule.ALLOWED_HOURS].student_count == 20
    abroad = by_rule[Rule.ALLOWED_HOURS_ABROAD]
    assert (abroad.severity, abroad.value, abroad.student_sample) == (Mode.WARN, "23:30-24:00", (100,))


def test_students_abroad_outside_allowed_hours_only_warn():
    london = students(3, tz=LONDON)
    policy = junior(allowed_start=time(8), allowed_end=time(18))
    # 10:00 in Shanghai is 02:00 in London (winter).
    result = check([lesson(1, "2026-01-05", "10:00", 30)], [], students(5, first_id=10) + london, policy)
    assert not result.blocked
    [warning] = result.warnings
    assert (warning.rule, warning.student_count, warning.value) == (Rule.ALLOWED_HOURS_ABROAD, 3, "02:00-02:30")


def test_a_monday_morning_lesson_is_a_sunday_lesson_for_a_student_in_london_and_only_warns():
    policy = junior(allowed_weekdays=frozenset(range(5)))
    result = check(
        [lesson(1, "2026-01-05", "07:00", 30)], [], students(3) + students(1, first_id=50, tz=LONDON), policy
    )
    assert not result.blocked
    assert [(v.rule, v.day, v.value) for v in result.violations] == [(Rule.ALLOWED_DAYS_ABROAD, date(2026, 1, 4), 6)]


def test_a_lesson_across_local_midnight_counts_on_both_days_by_its_minutes():
    policy = junior(max_daily_minutes=15, max_lessons_per_day=0)
    result = check([lesson(1, "2026-03-02", "23:40", 40)], [], students(1), policy)
    totals = {(v.rule, v.day): v.value for v in result.violations}
    assert totals == {
        (Rule.DAILY_TOTAL, date(2026, 3, 2)): 20,
        (Rule.DAILY_TOTAL, date(2026, 3, 3)): 20,
        (Rule.LESSONS_PER_DAY, date(2026, 3, 2)): 1,
        (Rule.LESSONS_PER_DAY, date(2026, 3, 3)): 1,
    }


def test_length_across_the_spring_forward_change_is_real_elapsed_time():
    # New York, 2026-03-08: 01:30 EST to 03:30 EDT is one hour.
    start = datetime(2026, 3, 8, 6, 30, tzinfo=UTC)
    dst_lesson = Lesson(1, 1, {1}, {"t"}, start, start + timedelta(hours=1))
    pupils = students(2, tz=NEW_YORK)
    assert not check([dst_lesson], [], pupils, junior(max_lesson_minutes=60), school_timezone=NEW_YORK).violations

    policy = junior(max_daily_minutes=59, allowed_start=time(8), allowed_end=time(18))
    result = check([dst_lesson], [], pupils, policy, school_timezone=NEW_YORK)
    assert {(v.rule, v.value) for v in result.violations} == {
        (Rule.DAILY_TOTAL, 60),
        (Rule.ALLOWED_HOURS, "01:30-03:30"),
    }


def test_the_long_fall_back_day_keeps_a_late_evening_lesson_on_its_own_day():
    # 2026-11-02 04:30 UTC is 23:30 EST on November 1 (a 25-hour day), not 00:30 on November 2.
    start = datetime(2026, 11, 2, 4, 30, tzinfo=UTC)
    late = Lesson(1, 1, {1}, {"t"}, start, start + timedelta(minutes=30))
    result = check([late], [], students(1, tz=NEW_YORK), junior(max_daily_minutes=10), school_timezone=NEW_YORK)
    assert [(v.day, v.value) for v in result.violations] == [(date(2026, 11, 1), 30)]


def test_the_fall_back_day_has_twenty_five_hours_of_lessons_to_count():
    # Two stored lessons at both 01:10 of 2026-11-01 (EDT, then EST) are both on November 1.
    first = datetime(2026, 11, 1, 5, 10, tzinfo=UTC)
    second = datetime(2026, 11, 1, 6, 10, tzinfo=UTC)
    stored = [Lesson(n, 1, {1}, {f"t{n}"}, s, s + timedelta(minutes=30)) for n, s in ((1, first), (2, second))]
    new = Lesson(3, 1, {1}, {"t3"}, datetime(2026, 11, 1, 14, tzinfo=UTC), datetime(2026, 11, 1, 14, 30, tzinfo=UTC))
    policy = {"junior": StagePolicy(max_lessons_per_day=2)}
    result = check([new], stored, students(1, tz=NEW_YORK), policy, school_timezone=NEW_YORK)
    assert [(v.rule, v.day, v.value) for v in result.violations] == [(Rule.LESSONS_PER_DAY, date(2026, 11, 1), 3)]
