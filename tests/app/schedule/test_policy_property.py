"""Whatever sequence of creates and moves is accepted, the stored schedule re-checked from
scratch never breaks a blocking rule: the incremental check misses nothing."""

from datetime import UTC, date, datetime, time, timedelta

from hypothesis import HealthCheck, given, settings, target
from hypothesis import strategies as st

from app.schedule.policy import Lesson, Mode, Rule, Schedule, StagePolicy, StudentLoad, check
from tests.app.schedule.helpers import LONDON, NEW_YORK, SHANGHAI, students

WARN_DAYS = {rule: Mode.BLOCK for rule in Rule} | {Rule.ALLOWED_DAYS: Mode.WARN}
POLICY = {
    "junior": StagePolicy(
        max_lesson_minutes=45,
        max_daily_minutes=120,
        min_break_minutes=15,
        max_lessons_per_day=3,
        allowed_start=time(7),
        allowed_end=time(22),
        modes=WARN_DAYS,
    ),
    "primary_3_6": StagePolicy(max_lesson_minutes=30, max_daily_minutes=80, min_break_minutes=20),
}
LOAD = StudentLoad(
    students(3, classes=(1,))
    + students(2, first_id=10, tz=LONDON, classes=(1, 2))
    + students(2, first_id=20, stage="primary_3_6", tz=NEW_YORK, classes=(2,), resources={date(2026, 3, 3): 40})
    + students(1, first_id=30, classes=(3,), resources={date(2026, 3, 2): 100})
)
WEEK_START = datetime(2026, 3, 1, 16, 0, tzinfo=UTC)  # Monday 00:00 in Shanghai

lessons = st.builds(
    lambda offset, length, classes, teachers: (offset, length, frozenset(classes), frozenset(teachers)),
    # Mostly inside the allowed hours (07:00-22:00 in Shanghai) on two mornings, where rules interact.
    st.tuples(st.integers(0, 1), st.integers(7 * 12, 12 * 12)).map(lambda d: d[0] * 1440 + d[1] * 5),
    st.sampled_from([10, 20, 30, 40, 45, 50]),
    st.sets(st.sampled_from([1, 2, 3]), min_size=1, max_size=2),
    st.sets(st.sampled_from(["wang", "li"]), min_size=1, max_size=1),
)
steps = st.lists(
    st.tuples(st.lists(lessons, min_size=1, max_size=3), st.sampled_from(["create", "move", "replace"])),
    min_size=1,
    max_size=12,
)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(steps)
def test_accepted_changes_never_add_up_to_a_blocking_violation(sequence):
    stored = Schedule()
    next_id = 0
    for batch, kind in sequence:
        proposed, replaces = [], []
        for offset, length, classes, teachers in batch:
            start = WEEK_START + timedelta(minutes=offset)
            existing_ids = sorted(lesson.id for lesson in stored)
            if kind == "move" and existing_ids:
                lesson_id = existing_ids[offset % len(existing_ids)]  # same id: an edit in place
                if lesson_id in [lesson.id for lesson in proposed]:
                    continue
            else:
                next_id += 1
                lesson_id = next_id
                if kind == "replace" and existing_ids:
                    replaces.append(existing_ids[offset % len(existing_ids)])
            proposed.append(Lesson(lesson_id, 1, classes, teachers, start, start + timedelta(minutes=length)))
        if not check(proposed, stored, LOAD, POLICY, replaces=replaces, school_timezone=SHANGHAI).blocked:
            stored = stored.replaced(proposed, replaces)
    target(float(len(stored)))  # steer towards full schedules, where rules interact

    from_scratch = check(list(stored), [], LOAD, POLICY, school_timezone=SHANGHAI)
    assert not from_scratch.blocked, from_scratch.as_dict()
