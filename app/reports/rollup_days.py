"""Student-day and class-day rollups (see rollups.py for when they are rebuilt). Flush, never
commit."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta

from sqlalchemy import case, delete, func, insert, select

from app.auth.models import User
from app.core.models import utcnow
from app.extensions import db
from app.orgs.models import class_membership
from app.participation.loading import chunks
from app.participation.models import AttendanceRecord
from app.participation.study_time import study_days
from app.reports.models import ClassDayRollup, LessonClassRollup, LessonRollup, LessonStatus, StudentDayRollup
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


def _sum(column):
    return func.coalesce(func.sum(column), 0)


def refresh_class_days(school_id: int, class_ids, days: set[date]) -> int:
    """Rewrite these classes' day rows from the lesson and student-day rows (refresh those first)."""
    class_ids = sorted(set(class_ids))
    if not class_ids or not days:
        return 0
    first, last = min(days), max(days)
    day_filter = (LessonRollup.day >= first, LessonRollup.day <= last)
    written = 0
    for part in chunks(class_ids):
        sizes = dict(
            db.session.execute(
                select(class_membership.c.class_id, func.count())
                .where(class_membership.c.class_id.in_(part))
                .group_by(class_membership.c.class_id)
            ).all()
        )
        lessons = {}
        for class_id, day, *numbers in db.session.execute(
            select(
                LessonClassRollup.class_id,
                LessonRollup.day,
                _sum(case((LessonRollup.status != LessonStatus.CANCELLED, 1), else_=0)),
                _sum(case((LessonRollup.status == LessonStatus.HELD, 1), else_=0)),
                _sum(case((LessonRollup.status == LessonStatus.CANCELLED, 1), else_=0)),
                _sum(case((LessonRollup.over_length, 1), else_=0)),
                _sum(case((LessonRollup.short_break, 1), else_=0)),
            )
            .join(LessonClassRollup, LessonClassRollup.session_id == LessonRollup.session_id)
            .where(LessonClassRollup.class_id.in_(part), *day_filter)
            .group_by(LessonClassRollup.class_id, LessonRollup.day)
        ):
            lessons[(class_id, day)] = numbers
        sums = {}
        R = StudentDayRollup
        for class_id, day, *numbers in db.session.execute(
            select(
                class_membership.c.class_id,
                R.day,
                _sum(R.lessons),
                _sum(R.attended),
                *[_sum(getattr(R, name)) for name in STATUSES],
                _sum(R.live_minutes),
                _sum(R.resource_minutes),
                _sum(case((R.over_limit, 1), else_=0)),
            )
            .join(class_membership, class_membership.c.user_id == R.student_id)
            .where(class_membership.c.class_id.in_(part), R.day >= first, R.day <= last)
            .group_by(class_membership.c.class_id, R.day)
        ):
            sums[(class_id, day)] = numbers
        db.session.execute(
            delete(ClassDayRollup).where(
                ClassDayRollup.class_id.in_(part),
                ClassDayRollup.day >= first,
                ClassDayRollup.day <= last,
                ClassDayRollup.day.in_(sorted(days)) if len(days) < 400 else ClassDayRollup.day >= first,
            )
        )
        now = utcnow()
        values = []
        for class_id in part:
            for day in days:
                lesson_numbers, student_numbers = lessons.get((class_id, day)), sums.get((class_id, day))
                if lesson_numbers is None and student_numbers is None:
                    continue
                scheduled, held, cancelled, over_length, short_break = lesson_numbers or (0, 0, 0, 0, 0)
                slots, attended, *rest = student_numbers or (0,) * (len(STATUSES) + 5)
                by_status, (live, resources, over_limit) = rest[: len(STATUSES)], rest[len(STATUSES) :]
                values.append(
                    {
                        "school_id": school_id,
                        "class_id": class_id,
                        "day": day,
                        "students": sizes.get(class_id, 0),
                        "lessons": scheduled,
                        "held": held,
                        "cancelled": cancelled,
                        "over_length": over_length,
                        "short_break": short_break,
                        "slots": slots,
                        "attended": attended,
                        **dict(zip(STATUSES, by_status, strict=True)),
                        "live_minutes": round(float(live), 1),
                        "resource_minutes": round(float(resources), 1),
                        "over_limit_students": over_limit,
                        "refreshed_at": now,
                    }
                )
        for batch in chunks(values, 1000):
            db.session.execute(insert(ClassDayRollup), batch)
        written += len(values)
    return written
