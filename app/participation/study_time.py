"""Daily online study time per student: minutes in live rooms (presence, merged across devices
and lessons) plus resource playback minutes, on the student's own local day, against the daily
total of their stage's study-time policy. A query, not a table."""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import DateTime, func, select

from app.auth.models import User
from app.core.models import UTCDateTime
from app.extensions import db
from app.live.models import PresenceInterval
from app.orgs.models import OrgUnit, class_membership
from app.participation.loading import chunks, naive
from app.participation.models import ResourceStudyDay
from app.participation.rules import merge_intervals, seconds_inside
from app.schedule.loading import school_policy
from app.schedule.policy_index import day_start
from app.schedule.policy_types import StagePolicy


@dataclass(frozen=True)
class StudyDay:
    student_id: int
    day: date
    live_minutes: float
    resource_minutes: float
    limit_minutes: int | None

    @property
    def total_minutes(self) -> float:
        return round(self.live_minutes + self.resource_minutes, 1)

    @property
    def over_limit(self) -> bool:
        return self.limit_minutes is not None and self.total_minutes > self.limit_minutes


def _stages(student_ids: list[int]) -> dict[int, str]:
    """Each student's stage: that of their first class that has one."""
    stages: dict[int, str] = {}
    for part in chunks(sorted(student_ids)):
        rows = db.session.execute(
            select(class_membership.c.user_id, OrgUnit.stage)
            .join(OrgUnit, OrgUnit.id == class_membership.c.class_id)
            .where(class_membership.c.user_id.in_(part), OrgUnit.stage.is_not(None))
            .order_by(class_membership.c.class_id)
        )
        for user_id, stage in rows:
            stages.setdefault(user_id, str(stage))
    return stages


def daily_limits(student_ids: list[int], school_id: int) -> dict[int, int | None]:
    """Each student's daily online total from their stage's policy (None: no limit)."""
    policy = school_policy(school_id)
    stages = _stages(student_ids)
    limits = {}
    for student_id in student_ids:
        stage_policy = policy.get(stages.get(student_id, ""))
        limits[student_id] = stage_policy.daily_limit_minutes if stage_policy else None
    return limits


def stage_policy_of(student: User) -> StagePolicy | None:
    """The study-time policy of the student's stage in their school (None: no stage)."""
    if student.school_id is None:
        return None
    stage = _stages([student.id]).get(student.id)
    return school_policy(student.school_id).get(stage) if stage else None


def study_days(students: list[User], first: date, last: date) -> dict[tuple[int, date], StudyDay]:
    """(student id, local day) -> StudyDay for every day in [first, last] (inclusive)."""
    if not students:
        return {}
    ids = [s.id for s in students]
    zones = {s.id: s.timezone or "Asia/Shanghai" for s in students}
    bounds = {s.id: (day_start(first, zones[s.id]), day_start(last + timedelta(days=1), zones[s.id])) for s in students}
    window_start = min(b[0] for b in bounds.values())
    window_end = max(b[1] for b in bounds.values())
    intervals: dict[int, list] = defaultdict(list)
    end = func.coalesce(PresenceInterval.ended_at, PresenceInterval.last_seen_at, type_=UTCDateTime)
    # Intervals are read and measured as naive UTC: marking a term's worth as UTC costs more than the sums.
    naive_end = func.coalesce(PresenceInterval.ended_at, PresenceInterval.last_seen_at, type_=DateTime())
    for part in chunks(ids):
        rows = db.session.execute(
            select(PresenceInterval.user_id, naive(PresenceInterval.started_at), naive_end).where(
                PresenceInterval.user_id.in_(part),
                PresenceInterval.started_at < window_end,
                end > window_start,
            )
        )
        for user_id, started_at, ended_at in rows:
            intervals[user_id].append((started_at, ended_at))
    resource_seconds: dict[tuple[int, date], float] = {}
    for part in chunks(ids):
        rows = db.session.execute(
            select(ResourceStudyDay.student_id, ResourceStudyDay.day, ResourceStudyDay.seconds).where(
                ResourceStudyDay.student_id.in_(part), ResourceStudyDay.day >= first, ResourceStudyDay.day <= last
            )
        )
        for student_id, day, seconds in rows:
            resource_seconds[(student_id, day)] = seconds
    limits: dict[int, int | None] = {}
    for school_id in {s.school_id for s in students}:
        limits.update(daily_limits([s.id for s in students if s.school_id == school_id], school_id))
    days_of_zone = {name: _local_days(first, last, name) for name in set(zones.values())}
    result = {}
    for student in students:
        merged = merge_intervals(intervals.get(student.id, ()))
        ends = [end for _start, end in merged]
        limit = limits.get(student.id)
        for day, start, stop in days_of_zone[zones[student.id]]:
            live = _seconds_between(merged, ends, start, stop) / 60 if merged else 0.0
            resources = resource_seconds.get((student.id, day), 0.0) / 60
            result[(student.id, day)] = StudyDay(student.id, day, round(live, 1), round(resources, 1), limit)
    return result


def _local_days(first: date, last: date, zone_name: str) -> list[tuple[date, datetime, datetime]]:
    """(day, start, end) of each local day in [first, last], as naive UTC."""
    result = []
    day, start = first, _naive(day_start(first, zone_name))
    while day <= last:
        stop = _naive(day_start(day + timedelta(days=1), zone_name))
        result.append((day, start, stop))
        day, start = day + timedelta(days=1), stop
    return result


def _naive(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(tzinfo=None)


def _seconds_between(merged: list, ends: list, start: datetime, stop: datetime) -> float:
    """seconds_inside for merged (sorted, disjoint) intervals, looking only at those that can
    overlap [start, stop): a term of days stays linear in the intervals."""
    first = bisect_right(ends, start)
    last = first
    while last < len(merged) and merged[last][0] < stop:
        last += 1
    return seconds_inside(merged[first:last], start, stop)


def local_today(user: User, now: datetime) -> date:
    from app.schedule.policy_index import zone

    return now.astimezone(zone(user.timezone or "Asia/Shanghai")).date()


def over_limit_days(students: list[User], first: date, last: date) -> list[StudyDay]:
    """The days in [first, last] on which a student went over their daily online total."""
    days = study_days(students, first, last)
    return sorted((d for d in days.values() if d.over_limit), key=lambda d: (d.day, d.student_id), reverse=True)
