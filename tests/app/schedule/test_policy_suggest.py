"""Slot suggestions: nearest first, same day first, never a blocking rule or a conflict."""

from datetime import UTC, datetime, time, timedelta

from app.schedule.policy import Lesson, Schedule, StudentLoad, check, suggest_slots
from tests.app.schedule.helpers import MONDAY, NEW_YORK, SHANGHAI, at, junior, lesson, students

POLICY = junior(
    max_lesson_minutes=40,
    max_daily_minutes=120,
    min_break_minutes=20,
    max_lessons_per_day=4,
    allowed_start=time(8),
    allowed_end=time(18),
    allowed_weekdays=frozenset(range(5)),
)


def suggest(stored, pupils, around, **options):
    options.setdefault("class_ids", {1})
    options.setdefault("teacher_ids", {"wang"})
    options.setdefault("length_minutes", 40)
    return suggest_slots(around=around, existing=stored, students=pupils, policy=POLICY, **options)


def test_a_free_day_offers_the_asked_time_then_the_nearest_times_around_it():
    slots = suggest([], students(10), at(MONDAY, "10:00"))
    assert [s.start for s in slots] == [at(MONDAY, clock) for clock in ("10:00", "09:50", "10:10", "09:40", "10:20")]


def test_suggestions_avoid_conflicts_and_keep_every_rule():
    pupils = students(30, classes=(1, 2))
    stored = Schedule(
        [
            lesson(1, MONDAY, "09:30", 40, classes=(1,), teachers=("wang",)),
            lesson(2, MONDAY, "11:00", 40, classes=(2,), teachers=("li",)),
            lesson(3, MONDAY, "13:00", 40, classes=(3,), teachers=("wang",)),  # wang busy, other class
        ]
    )
    slots = suggest(stored, pupils, at(MONDAY, "10:00"), limit=8)
    assert len(slots) == 8
    for slot in slots:
        candidate = Lesson("x", 1, {1}, {"wang"}, slot.start, slot.end)
        assert not check([candidate], stored, pupils, POLICY).blocked
    # Nearest first: distances from 10:00 never shrink on the same day.
    distances = [abs(s.start - at(MONDAY, "10:00")) for s in slots if s.start.date() == at(MONDAY, "10:00").date()]
    assert distances == sorted(distances)
    assert at(MONDAY, "10:30") not in [s.start for s in slots]  # 10 minutes after lesson 1: break too short


def test_a_full_day_moves_suggestions_to_the_next_day_near_the_same_time():
    stored = [lesson(n, MONDAY, f"{8 + 2 * n:02d}:00", 40) for n in range(3)]  # 120 minutes on Monday
    slots = suggest(stored, students(5), at(MONDAY, "15:00"), limit=3)
    assert [s.start for s in slots] == [at("2026-03-03", clock) for clock in ("15:00", "14:50", "15:10")]


def test_friday_afternoon_skips_the_weekend():
    stored = [lesson(n, "2026-03-06", f"{8 + 2 * n:02d}:00", 40) for n in range(3)]
    slots = suggest(stored, students(5), at("2026-03-06", "11:00"), limit=1)
    assert [s.start for s in slots] == [at("2026-03-09", "11:00")]


def test_not_before_leaves_out_earlier_times_and_slots_carry_warnings():
    london = students(2, first_id=90, tz="Europe/London")
    slots = suggest([], StudentLoad(students(5) + london), at(MONDAY, "10:00"), not_before=at(MONDAY, "10:00"))
    assert all(s.start >= at(MONDAY, "10:00") for s in slots)
    assert {str(w.rule) for s in slots for w in s.warnings} == {"allowed_hours_abroad"}


def test_no_suggestion_in_the_hour_a_dst_change_skips():
    policy = junior(max_lesson_minutes=60)
    around = datetime(2026, 3, 8, 7, 0, tzinfo=UTC)  # 03:00 EDT, just after the jump
    slots = suggest_slots(
        class_ids={1},
        teacher_ids={"t"},
        length_minutes=30,
        around=around,
        students=students(2, tz=NEW_YORK),
        policy=policy,
        school_timezone=NEW_YORK,
        step_minutes=30,
        limit=4,
    )
    local = [s.start.astimezone(at(MONDAY, "00:00", NEW_YORK).tzinfo).strftime("%H:%M") for s in slots]
    assert local == ["03:00", "03:30", "04:00", "01:30"]
    assert all(s.end - s.start == timedelta(minutes=30) for s in slots)


def test_suggestions_for_a_move_ignore_the_lesson_being_moved():
    stored = [lesson(7, MONDAY, "10:00", 40, teachers=("wang",))]
    slots = suggest(stored, students(3), at(MONDAY, "10:00"), replaces=[7], limit=1, school_timezone=SHANGHAI)
    assert [s.start for s in slots] == [at(MONDAY, "10:00")]
