"""Student-day rollups (see rollups.py for when they are rebuilt). Flush, never commit."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta

from sqlalchemy import delete, insert, select

from app.auth.models import User
from app.core.models import utcnow
from app.extensions import db
from app.participation.loading import chunks
from app.participation.models import AttendanceRecord
from app.participation.study_time import study_days
from app.reports.models import StudentDayRollup
from app.schedule.models import LiveSession, SessionStatus
from app.schedule.policy_index import day_start, zone

STATUSES = ("present", "late", "left_early", "absent", "excused", "made_up")
ATTENDED = ("present", "late", "left_early", "made_up")


def local_day(moment: datetime, zone_name: str) -> date:
    return moment.astimezone(zone(zone_name)).date()


def refresh_student_days(school_id: int, student_ids, days: set[date], tz: str) -> int:
    """Rewrite the day rows of these students on these days; returns how many were written."""
    student_ids = sorted(set(student_ids))
    if not student_ids or not days:
        return 0
    first, last = min(days), max(days)
    window = (day_start(first, tz), day_start(last + timedelta(days=1), tz))
    written = 0
    for part in chunks(student_ids):
        tallies: dict[tuple[int, date], dict] = defaultdict(lambda: defaultdict(int))
        for student_id, starts_at, status in db.session.execute(
            select(AttendanceRecord.student_id, AttendanceRecord.starts_at, AttendanceRecord.status)
            .join(LiveSession, LiveSession.id == AttendanceRecord.session_id)
            .where(
                AttendanceRecord.student_id.in_(part),
                AttendanceRecord.starts_at >= window[0],
                AttendanceRecord.starts_at < window[1],
                LiveSession.status != SessionStatus.CANCELLED,
            )
        ):
            day = local_day(starts_at, tz)
            if day in days:
                tallies[(student_id, day)][status] += 1
        students = list(db.session.scalars(select(User).where(User.id.in_(part))))
        studied = study_days(students, first, last)
        db.session.execute(
            delete(StudentDayRollup).where(
                StudentDayRollup.student_id.in_(part),
                StudentDayRollup.day >= first,
                StudentDayRollup.day <= last,
                StudentDayRollup.day.in_(sorted(days)) if len(days) < 400 else StudentDayRollup.day >= first,
            )
        )
        now = utcnow()
        values = []
        for student in students:
            for day in days:
                tally = tallies.get((student.id, day), {})
                study = studied.get((student.id, day))
                lessons = sum(tally.values())
                live = study.live_minutes if study else 0.0
                resources = study.resource_minutes if study else 0.0
                if not lessons and not live and not resources:
                    continue
                values.append(
                    {
                        "school_id": school_id,
                        "student_id": student.id,
                        "day": day,
                        "lessons": lessons,
                        "attended": sum(tally.get(s, 0) for s in ATTENDED),
                        **{name: tally.get(name, 0) for name in STATUSES},
                        "live_minutes": live,
                        "resource_minutes": resources,
                        "limit_minutes": study.limit_minutes if study else None,
                        "over_limit": bool(study and study.over_limit),
                        "refreshed_at": now,
                    }
                )
        for batch in chunks(values, 1000):
            db.session.execute(insert(StudentDayRollup), batch)
        written += len(values)
    return written
