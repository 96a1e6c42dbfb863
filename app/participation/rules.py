"""The attendance rules on plain values (no database): merging presence intervals and turning
them into a status. attendance.py loads the intervals and stores what these return."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from app.participation.models import AttendanceStatus


def merge_intervals(intervals: Iterable[tuple[datetime, datetime]]) -> list[tuple[datetime, datetime]]:
    """Overlapping or touching intervals joined: two devices at once count once."""
    merged: list[list[datetime]] = []
    for start, end in sorted((s, e) for s, e in intervals if e is not None and e > s):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [(start, end) for start, end in merged]


def seconds_inside(merged: list[tuple[datetime, datetime]], start: datetime, end: datetime) -> float:
    total = 0.0
    for s, e in merged:
        overlap = (min(e, end) - max(s, start)).total_seconds()
        if overlap > 0:
            total += overlap
    return total


@dataclass(frozen=True)
class Evaluation:
    status: AttendanceStatus
    first_join: datetime | None
    last_leave: datetime | None
    minutes_present: float


def evaluate(
    intervals: Iterable[tuple[datetime, datetime]],
    starts_at: datetime,
    ends_at: datetime,
    present_share: float,
    late_minutes: float,
) -> Evaluation:
    """One student's status for a lesson scheduled [starts_at, ends_at).

    - never in the room: absent;
    - arrived (first presence inside the lesson) more than `late_minutes` after the start: late;
    - in the room for at least `present_share` of the lesson: present;
    - otherwise (left, or was away for too long): left early.
    Time after the scheduled end (a lesson that runs over) is not held against anyone.
    """
    status, first_join, last_leave, minutes = judge_merged(
        merge_intervals(intervals), starts_at, ends_at, present_share, timedelta(minutes=late_minutes)
    )
    return Evaluation(AttendanceStatus(status), first_join, last_leave, minutes)


def merge_sorted(intervals: list[tuple[datetime, datetime | None]]) -> list[list[datetime]]:
    """merge_intervals for intervals already ordered by start (as a term's recomputation streams
    them from the database): the same result without sorting."""
    merged: list[list[datetime]] = []
    for start, end in intervals:
        if end is None or end <= start:
            continue
        if merged and start <= merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1][1] = end
        else:
            merged.append([start, end])
    return merged


def judge_merged(merged, starts_at: datetime, ends_at: datetime, present_share: float, late: timedelta) -> tuple:
    """The rules of `evaluate` on merged intervals, as a plain (status, first join, last leave,
    minutes present) tuple: the one implementation both the single lesson and the term use."""
    if not merged:
        return ABSENT, None, None, 0.0
    first_join, last_leave = merged[0][0], merged[-1][1]
    inside = seconds_inside(merged, starts_at, ends_at)
    lesson_seconds = max((ends_at - starts_at).total_seconds(), 1.0)
    arrival = next((max(s, starts_at) for s, e in merged if e > starts_at), first_join)
    if arrival > starts_at + late:
        status = LATE
    elif inside / lesson_seconds >= present_share:
        status = PRESENT
    else:
        status = LEFT_EARLY
    return status, first_join, last_leave, round(inside / 60, 1)


ABSENT, LATE, PRESENT, LEFT_EARLY = (
    str(AttendanceStatus.ABSENT),
    str(AttendanceStatus.LATE),
    str(AttendanceStatus.PRESENT),
    str(AttendanceStatus.LEFT_EARLY),
)


def effective_status(computed: str, override: str | None, made_up: bool) -> str:
    """What counts: a manual override wins; an excused absence later made up is made_up."""
    status = override or computed
    if status == AttendanceStatus.EXCUSED and made_up:
        return AttendanceStatus.MADE_UP
    return status
