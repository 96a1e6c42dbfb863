"""Resource progress: opening an assigned resource, and watching it, from the played ranges the
page's player reports (a union of ranges, not a timer). Flush, never commit."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import select

from app.core.models import utcnow
from app.extensions import db
from app.participation.models import ResourceProgress, ResourceStudyDay
from app.participation.settings import setting
from app.schedule.policy_index import zone

# One report covers at most the time since the previous one plus this slack, so a page that
# replays old ranges cannot inflate a student's screen time.
REPORT_SLACK = timedelta(seconds=30)
FIRST_REPORT_MAX = timedelta(minutes=10)
MAX_RANGES = 200


class ProgressError(ValueError):
    pass


def merge_ranges(ranges) -> list[list[float]]:
    """Played [start, end] second ranges joined where they overlap or touch."""
    merged: list[list[float]] = []
    for start, end in sorted((float(a), float(b)) for a, b in ranges if float(b) > float(a)):
        if merged and start <= merged[-1][1] + 0.5:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [[round(a, 1), round(b, 1)] for a, b in merged]


def _parse_ranges(raw, duration: float | None) -> list[tuple[float, float]]:
    if not isinstance(raw, list) or len(raw) > MAX_RANGES:
        raise ProgressError(_("Played ranges must be a list of [start, end] pairs."))
    ranges = []
    for item in raw:
        try:
            start, end = float(item[0]), float(item[1])
        except (TypeError, ValueError, IndexError, KeyError) as error:
            raise ProgressError(_("Played ranges must be a list of [start, end] pairs.")) from error
        if start < 0 or end < start or (duration and end > duration + 1):
            raise ProgressError(_("A played range lies outside the video."))
        ranges.append((start, end))
    return ranges


def _progress(student, resource, course_id: int | None) -> ResourceProgress | None:
    query = select(ResourceProgress).where(
        ResourceProgress.student_id == student.id,
        ResourceProgress.resource_id == resource.id,
        ResourceProgress.course_id.is_(None) if course_id is None else ResourceProgress.course_id == course_id,
    )
    return db.session.scalars(query).first()


def open_resource(student, resource, course_id: int | None = None, now: datetime | None = None) -> ResourceProgress:
    """Record that a student opened a resource (the first opening is kept)."""
    progress = _progress(student, resource, course_id)
    if progress is None:
        progress = ResourceProgress(
            student_id=student.id,
            resource_id=resource.id,
            course_id=course_id,
            opened_at=now or utcnow(),
            played_ranges=[],
        )
        db.session.add(progress)
        db.session.flush()
    return progress


def record_playback(student, resource, data: dict, now: datetime | None = None) -> ResourceProgress:
    """Add the ranges played since the last report. `data`: ranges, duration, course (optional)."""
    now = now or utcnow()
    duration = data.get("duration")
    try:
        duration = float(duration) if duration not in (None, "") else None
    except (TypeError, ValueError):
        duration = None
    if duration is not None and duration <= 0:
        duration = None
    ranges = _parse_ranges(data.get("ranges"), duration)
    progress = open_resource(student, resource, data.get("course"), now)
    if duration:
        progress.duration_seconds = duration
    elif resource.duration_minutes and not progress.duration_seconds:
        progress.duration_seconds = resource.duration_minutes * 60.0
    merged = merge_ranges([*progress.played_ranges, *ranges])
    progress.played_ranges = merged
    progress.seconds_watched = round(sum(b - a for a, b in merged), 1)
    limit = (now - progress.last_report_at + REPORT_SLACK) if progress.last_report_at else FIRST_REPORT_MAX
    played = min(sum(b - a for a, b in ranges), limit.total_seconds())
    progress.last_report_at = now
    if played > 0:
        _add_study_seconds(student, played, now)
    total = progress.duration_seconds
    if (
        progress.completed_at is None
        and total
        and progress.seconds_watched >= setting("RESOURCE_COMPLETE_SHARE") * total
    ):
        progress.completed_at = now
        db.session.flush()
        from app.participation.attendance import refresh_made_up

        refresh_made_up([student.id])
    db.session.flush()
    return progress


def _add_study_seconds(student, seconds: float, now: datetime) -> None:
    day = now.astimezone(zone(student.timezone or "Asia/Shanghai")).date()
    row = db.session.scalar(
        select(ResourceStudyDay).where(ResourceStudyDay.student_id == student.id, ResourceStudyDay.day == day)
    )
    if row is None:
        db.session.add(ResourceStudyDay(student_id=student.id, day=day, seconds=round(seconds, 1)))
    else:
        row.seconds = round(row.seconds + seconds, 1)


def share_watched(progress: ResourceProgress) -> float | None:
    if not progress.duration_seconds:
        return None
    return min(1.0, progress.seconds_watched / progress.duration_seconds)
