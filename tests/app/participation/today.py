"""Stretches of time inside a student's local today, whatever the hour the suite runs at."""

from __future__ import annotations

from datetime import datetime, timedelta

from app.core.models import utcnow
from app.participation.study_time import local_today
from app.schedule.policy_index import day_start


def todays_minutes(student, minutes: int, now: datetime | None = None) -> tuple[datetime, datetime]:
    """(start, end) of `minutes` ending at now when today holds them, else starting at local
    midnight: just after midnight the last half hour belongs to yesterday's total."""
    now = now or utcnow()
    midnight = day_start(local_today(student, now), student.timezone or "Asia/Shanghai")
    start = max(midnight, now - timedelta(minutes=minutes))
    return start, start + timedelta(minutes=minutes)
