"""The policy rules at their limits, block / warn / off, conflicts and moves."""

from datetime import date, time

from app.schedule.policy import Mode, Rule, StagePolicy, Student, check
from tests.app.schedule.helpers import MONDAY, every, junior, lesson, rules, students

CLASS_OF_30 = students(30)


def test_a_lesson_at_the_longest_length_passes_and_one_minute_longer_is_refused():
    policy = junior(max_lesson_minutes=30)
    assert not check([lesson(1, MONDAY, "09:00", 30)], [], CLASS_OF_30, policy).violations

    result = check([lesson(1, MONDAY, "09:00", 31)], [], CLASS_OF_30, policy)
    [violation] = result.violations
    assert result.blocked
    assert (violation.rule, violation.limit, violation.value, violation.day) == (
        Rule.LESSON_LENGTH,
        30,
        31,
        date(2026, 3, 2),
    )
    assert violation.student_count == 30
    assert violation.student_sample == (1, 2, 3, 4, 5)


def test_daily_total_counts_lessons_of_every_course_the_student_takes():
    # A student in class 1 (maths) and class 2 (an elective group) sees both courses' lessons.
    pupils = students(3, classes=(1, 2))
    stored = [lesson(1, MONDAY, "08:00", 40, classes=(1,), course="maths")]
    policy = junior(max_daily_minutes=80)

    at_limit = check([lesson(2, MONDAY, "10:00", 40, classes=(2,), course="art")], stored, pupils, policy)
    assert not at_limit.violations

    over = check([lesson(2, MONDAY, "10:00", 41, classes=(2,), course="art")], stored, pupils, policy)
    assert rules(over) == ["max_daily_minutes"]
    assert over.violations[0].value == 81
    assert over.violations[0].lesson_ids == (2,)


def test_daily_total_adds_assigned_resources_and_names_only_the_students_over():
    with_homework = students(2, first_id=1, resources={date(2026, 3, 2): 30})
    without = students(8, first_id=10)
    stored = [lesson(1, MONDAY, "08:00", 30)]
    result = check([lesson(2, MONDAY, "10:00", 30)], stored, with_homework + without, junior(max_daily_minutes=60))

    [violation] = result.violations
    assert violation.rule == Rule.DAILY_TOTAL
    assert violation.value == 90
    assert (violation.student_count, violation.student_sample) == (2, (1, 2))


def test_resources_on_another_day_do_not_count():
    pupils = students(2, resources={date(2026, 3, 3): 500})
    assert not check([lesson(1, MONDAY, "10:00", 30)], [], pupils, junior(max_daily_minutes=60)).violations


def test_break_between_consecutive_lessons_of_different_courses():
    pupils = students(4, classes=(1, 2))
    stored = [lesson(1, MONDAY, "08:00", 30, classes=(1,), course="maths")]
    policy = junior(min_break_minutes=20)

    assert not check([lesson(2, MONDAY, "08:50", 30, classes=(2,))], stored, pupils, policy).violations

    result = check([lesson(2, MONDAY, "08:45", 30, classes=(2,))], stored, pupils, policy)
    [violation] = result.violations
    assert (violation.rule, violation.limit, violation.value) == (Rule.BREAK, 20, 15)


def test_a_lesson_squeezed_before_a_stored_one_needs_its_break_after_too():
    stored = [lesson(1, MONDAY, "10:00", 30)]
    result = check([lesson(2, MONDAY, "09:00", 50)], stored, CLASS_OF_30, junior(min_break_minutes=20))
    assert [(v.rule, v.value) for v in result.violations] == [(Rule.BREAK, 10)]


def test_overlapping_lessons_of_a_students_two_classes_show_as_a_negative_break():
    pupils = students(1, classes=(1, 2))
    stored = [lesson(1, MONDAY, "09:00", 40, classes=(1,))]
    result = check([lesson(2, MONDAY, "09:30", 30, classes=(2,))], stored, pupils, junior(min_break_minutes=0))
    assert [(v.rule, v.value) for v in result.violations] == [(Rule.BREAK, -10)]


def test_most_lessons_per_day_at_the_limit_and_one_more():
    stored = [lesson(n, MONDAY, f"{8 + n:02d}:00", 30) for n in range(1, 3)]
    policy = junior(max_lessons_per_day=3)
    assert not check([lesson(3, MONDAY, "14:00", 30)], stored, CLASS_OF_30, policy).violations

    stored.append(lesson(3, MONDAY, "14:00", 30))
    result = check([lesson(4, MONDAY, "15:00", 30)], stored, CLASS_OF_30, policy)
    assert [(v.rule, v.value, v.limit) for v in result.violations] == [(Rule.LESSONS_PER_DAY, 4, 3)]


def test_allowed_hours_edges_are_inside_and_a_minute_beyond_is_outside():
    policy = junior(allowed_start=time(8), allowed_end=time(18))
    assert not check(
        [lesson(1, MONDAY, "08:00", 30), lesson(2, MONDAY, "17:30", 30)], [], CLASS_OF_30, policy
    ).violations

    result = check([lesson(1, MONDAY, "17:31", 30)], [], CLASS_OF_30, policy)
    [violation] = result.violations
    assert (violation.rule, violation.limit, violation.value) == (Rule.ALLOWED_HOURS, "08:00-18:00", "17:31-18:01")
    assert result.blocked


def test_no_lessons_on_a_day_that_is_not_allowed():
    policy = junior(allowed_weekdays=frozenset(range(6)))  # Monday to Saturday
    assert not check([lesson(1, "2026-03-07", "09:00", 30)], [], CLASS_OF_30, policy).violations
    result = check([lesson(1, "2026-03-08", "09:00", 30)], [], CLASS_OF_30, policy)
    assert [(v.rule, v.value, v.limit) for v in result.violations] == [(Rule.ALLOWED_DAYS, 6, [0, 1, 2, 3, 4, 5])]


def test_a_warning_rule_reports_without_refusing_and_an_off_rule_is_silent():
    warn = check(
        [lesson(1, MONDAY, "09:00", 45)], [], CLASS_OF_30, junior(max_lesson_minutes=30, modes=every(Mode.WARN))
    )
    assert not warn.blocked
    assert [v.severity for v in warn.warnings] == [Mode.WARN]

    off = check([lesson(1, MONDAY, "09:00", 45)], [], CLASS_OF_30, junior(max_lesson_minutes=30, modes=every(Mode.OFF)))
    assert not off.violations and not off.blocked


def test_each_stage_gets_its_own_limit():
    pupils = students(2, stage="primary_3_6", classes=(1,)) + students(3, first_id=10, stage="senior", classes=(1,))
    policy = {"primary_3_6": StagePolicy(max_lesson_minutes=20), "senior": StagePolicy(max_lesson_minutes=30)}
    result = check([lesson(1, MONDAY, "09:00", 25)], [], pupils, policy)
    assert [(v.limit, v.student_count) for v in result.violations] == [(20, 2)]


def test_a_class_booked_twice_is_refused_even_without_any_policy():
    stored = [lesson(1, MONDAY, "09:00", 40, classes=(1,))]
    result = check([lesson(2, MONDAY, "09:30", 40, classes=(1, 2))], stored, CLASS_OF_30, {})
    [conflict] = result.conflicts
    assert result.blocked
    assert (conflict.kind, conflict.resource_id, conflict.lesson_id, conflict.other_lesson_id) == (
        "class_double_booked",
        1,
        2,
        1,
    )


def test_a_teacher_booked_twice_is_refused_and_back_to_back_is_fine():
    stored = [lesson(1, MONDAY, "09:00", 40, classes=(1,), teachers=("wang",))]
    clash = check([lesson(2, MONDAY, "09:20", 40, classes=(2,), teachers=("wang",))], stored, [], {})
    assert [(c.kind, c.resource_id) for c in clash.conflicts] == [("teacher_double_booked", "wang")]

    after = check([lesson(2, MONDAY, "09:40", 40, classes=(2,), teachers=("wang",))], stored, [], {})
    assert not after.blocked


def test_conflicts_inside_one_batch_are_reported_once():
    batch = [lesson(1, MONDAY, "09:00", 40), lesson(2, MONDAY, "09:10", 40)]
    result = check(batch, [], [], {})
    assert [(c.lesson_id, c.other_lesson_id) for c in result.conflicts] == [(2, 1)]


def test_moving_a_lesson_frees_its_old_slot():
    stored = [lesson(1, MONDAY, "09:00", 40), lesson(2, MONDAY, "10:00", 40)]
    policy = junior(max_daily_minutes=80, min_break_minutes=20)
    # Lesson 1 moves ten minutes earlier: no clash with its old self, no double count.
    moved = lesson(1, MONDAY, "08:50", 40)
    assert not check([moved], stored, CLASS_OF_30, policy).blocked
    # The same move expressed as a new lesson that replaces the old id.
    as_new = lesson("new", MONDAY, "08:50", 40)
    assert not check([as_new], stored, CLASS_OF_30, policy, replaces=[1]).blocked
    assert check([as_new], stored, CLASS_OF_30, policy).blocked


def test_students_are_checked_in_groups_but_counted_one_by_one():
    many = students(3000, classes=(1,)) + [Student(9000, "junior", "Asia/Shanghai", frozenset({2}))]
    result = check([lesson(1, MONDAY, "09:00", 50)], [], many, junior(max_lesson_minutes=45))
    [violation] = result.violations
    assert violation.student_count == 3000
    assert len(violation.student_sample) == 5


def test_the_api_shape_of_a_refusal():
    result = check([lesson(1, MONDAY, "09:00", 50)], [], students(2), junior(max_lesson_minutes=45))
    assert result.as_dict()["violations"] == [
        {
            "rule": "max_lesson_minutes",
            "severity": "block",
            "limit": 45,
            "value": 50,
            "day": "2026-03-02",
            "students": {"count": 2, "sample": [1, 2]},
            "lessons": [1],
        }
    ]
