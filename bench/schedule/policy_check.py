"""Study-time policy engine timing: 3,000 students in 12 classes over an 18-week term.

Prints timings (no assertions). Targets from the scheduling issue: checking one new session
against every affected student's term in 50 ms or less; slot suggestions in 200 ms or less.
Run: .venv/bin/python bench/schedule/policy_check.py
"""

import statistics
import sys
import time as clock
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from app.schedule.policy import Lesson, Schedule, Student, StudentLoad, check, suggest_slots  # noqa: E402
from app.schedule.presets import combine, default_policy  # noqa: E402

SHANGHAI = ZoneInfo("Asia/Shanghai")
TERM_START = date(2026, 3, 2)  # a Monday
WEEKS, CLASSES, STUDENTS_PER_CLASS = 18, 12, 250
PERIODS = [time(8, 0), time(8, 50), time(9, 40), time(10, 30), time(14, 0)]  # 30-minute lessons, 20-minute breaks


def build_term():
    lessons, next_id = [], 0
    for week in range(WEEKS):
        for weekday in range(5):
            day = TERM_START + timedelta(weeks=week, days=weekday)
            for class_id in range(CLASSES):
                for period, start_time in enumerate(PERIODS[:4]):
                    start = datetime.combine(day, start_time, tzinfo=SHANGHAI)
                    teacher = f"t{(class_id + period) % 24}-{period}"
                    lessons.append(
                        Lesson(
                            next_id,
                            f"c{class_id}-{period}",
                            {class_id},
                            {teacher},
                            start,
                            start + timedelta(minutes=30),
                        )
                    )
                    next_id += 1
    students, student_id = [], 0
    for class_id in range(CLASSES):
        for n in range(STUDENTS_PER_CLASS):
            # About 2% abroad; some students have resources assigned on some days.
            zone = "Europe/London" if n % 50 == 0 else "Asia/Shanghai"
            resources = {TERM_START + timedelta(days=d): 20 for d in range(0, WEEKS * 7, 3)} if n % 10 == 0 else {}
            students.append(Student(student_id, "junior", zone, frozenset({class_id, 100 + class_id % 3}), resources))
            student_id += 1
    return lessons, students


def timed(label, function, repeat=20):
    samples = []
    for _ in range(repeat):
        started = clock.perf_counter()
        result = function()
        samples.append((clock.perf_counter() - started) * 1000)
    print(f"| {label} | {statistics.median(samples):.2f} ms | {max(samples):.2f} ms |")
    return result


def main():
    started = clock.perf_counter()
    lessons, students = build_term()
    built = (clock.perf_counter() - started) * 1000
    policy = default_policy()
    schedule = timed("index the term (Schedule)", lambda: Schedule(lessons), repeat=3)
    load = timed("group the students (StudentLoad)", lambda: StudentLoad(students), repeat=3)
    print(
        f"\n{len(lessons)} lessons, {len(students)} students in {len(load.groups)} groups (built in {built:.0f} ms)\n"
    )
    print("| operation | median | worst |\n| --- | --- | --- |")
    wednesday = TERM_START + timedelta(weeks=9, days=2)
    fits = datetime.combine(wednesday, PERIODS[4], tzinfo=SHANGHAI)
    new = Lesson("new", "c3-extra", {3}, {"t-extra"}, fits, fits + timedelta(minutes=30))
    ok = timed("check one new session that fits", lambda: check([new], schedule, load, policy))
    clash_start = datetime.combine(wednesday, PERIODS[1], tzinfo=SHANGHAI)
    clash = Lesson("new", "c3-extra", {3, 4, 5}, {"t-extra"}, clash_start, clash_start + timedelta(minutes=45))
    refused = timed("check one session that breaks rules (3 classes)", lambda: check([clash], schedule, load, policy))
    moved = Lesson(100, "c0-0", {0}, {"t0-0"}, fits, fits + timedelta(minutes=30))
    timed("check a move (replaces a stored lesson)", lambda: check([moved], schedule, load, policy))
    series = [
        Lesson(
            ("s", w),
            "c3-extra",
            {3},
            {"t-extra"},
            fits + timedelta(weeks=w - 9),
            fits + timedelta(weeks=w - 9, minutes=30),
        )
        for w in range(WEEKS)
    ]
    timed("check an 18-week series", lambda: check(series, schedule, load, policy))
    around = datetime.combine(wednesday, time(9, 0), tzinfo=SHANGHAI)
    slots = timed(
        "suggest 5 slots around a busy morning",
        lambda: suggest_slots(
            class_ids={3},
            teacher_ids={"t-extra"},
            length_minutes=30,
            around=around,
            existing=schedule,
            students=load,
            policy=policy,
        ),
    )
    strict = combine("anhui_2020_02_22")  # juniors: 30-minute lessons block, so a 40-minute one never fits
    timed(
        "suggest when nothing fits for 7 days (every candidate checked)",
        lambda: suggest_slots(
            class_ids={3},
            teacher_ids={"t-extra"},
            length_minutes=40,
            around=around,
            existing=schedule,
            students=load,
            policy=strict,
        ),
        repeat=5,
    )
    print(f"\nfits: blocked={ok.blocked}; refused: {[str(v.rule) for v in refused.blocking]}")
    print("suggested:", [s.start.astimezone(SHANGHAI).strftime("%a %H:%M") for s in slots])


if __name__ == "__main__":
    main()
