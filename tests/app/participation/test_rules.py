"""The attendance rules on stored intervals, without a server."""

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from app.participation.rules import evaluate, merge_intervals, merge_sorted

START = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
END = START + timedelta(minutes=40)


def at(minute):
    return START + timedelta(minutes=minute)


def judge(*intervals, end=END):
    return evaluate([(at(a), at(b)) for a, b in intervals], START, end, 0.8, 5)


def test_never_in_the_room_is_absent():
    assert judge().status == "absent"


def test_whole_lesson_is_present_with_its_minutes():
    result = judge((-2, 41))
    assert (result.status, result.minutes_present, result.first_join, result.last_leave) == (
        "present",
        40.0,
        at(-2),
        at(41),
    )


def test_joining_after_the_late_threshold_is_late_even_when_staying():
    assert judge((6, 40)).status == "late"
    assert judge((4, 40)).status == "present"


def test_leaving_before_enough_of_the_lesson_is_left_early():
    assert judge((0, 30)).status == "left_early"
    assert judge((0, 33)).status == "present"


def test_two_devices_at_once_count_once():
    result = judge((0, 40), (10, 30))
    assert result.minutes_present == 40.0


def test_a_reconnect_gap_counts_only_the_time_away():
    result = judge((0, 15), (20, 40))
    assert (result.status, result.minutes_present) == ("present", 35.0)
    assert judge((0, 15), (30, 40)).status == "left_early"


def test_a_lesson_that_runs_over_is_judged_on_its_schedule():
    result = judge((0, 40))  # left at the scheduled end while the teacher went on
    assert result.status == "present"
    assert judge((0, 55)).minutes_present == 40.0


def test_joining_early_then_coming_back_late_is_late():
    assert judge((-10, -1), (20, 40)).status == "late"


def test_merge_joins_touching_intervals():
    assert merge_intervals([(at(0), at(5)), (at(5), at(9)), (at(12), at(13))]) == [(at(0), at(9)), (at(12), at(13))]


minutes = st.integers(min_value=-30, max_value=80)


@given(st.lists(st.tuples(minutes, minutes | st.none()), max_size=8))
def test_merging_intervals_streamed_in_start_order_gives_what_sorting_gives(pairs):
    """The term's recomputation merges intervals as the database streams them (ordered by
    start); the result is the one merge_intervals gives, for any overlap, gap or open end."""
    intervals = [(at(a), at(b) if b is not None else None) for a, b in pairs]
    streamed = merge_sorted(sorted(intervals, key=lambda pair: pair[0]))
    assert [tuple(pair) for pair in streamed] == merge_intervals(intervals)
