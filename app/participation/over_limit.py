"""Days over the daily online total, flagged to the people who look after the student.

A student's local day whose online minutes (live presence + resource playback, study_time.py)
exceed their stage's daily total is flagged once: a StudyTimeFlag row per student and day, and
a notification to the class teachers of the student's classes and to the school's academic
affairs. Running again for the same day notifies nobody again (the row is claimed in a
savepoint, so two processes running at once still flag a day once). Flush, never commit.

Run by `flask participation flag-over-limit` (cron), and in each serving process by a
periodic job every FLAG_CHECK_SECONDS (app/core/periodic.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.auth.models import Role, User, UserRole
from app.core.models import utcnow
from app.extensions import db
from app.notify.messages import STUDY_TIME_OVER_LIMIT
from app.notify.operations import notify_users
from app.orgs.models import OrgUnit, UnitKind, class_membership
from app.participation.loading import chunks
from app.participation.models import StudyTimeFlag
from app.participation.study_time import study_days
from app.schedule.policy_index import zone

FLAG_CHECK_SECONDS = 600


@dataclass
class FlagRun:
    school_id: int
    day: date
    flagged: int = 0  # student-days newly flagged
    notified: int = 0  # notifications sent


def previous_local_day(school: OrgUnit, now: datetime) -> date:
    return now.astimezone(zone(school.timezone or "Asia/Shanghai")).date() - timedelta(days=1)


def schools() -> list[OrgUnit]:
    return list(db.session.scalars(select(OrgUnit).where(OrgUnit.kind == UnitKind.SCHOOL).order_by(OrgUnit.id)))


def flag_over_limit(school: OrgUnit, day: date) -> FlagRun:
    """Flag the school's students who were over their daily online total on `day`."""
    run = FlagRun(school.id, day)
    students = _students(school.id)
    flagged = set(
        db.session.scalars(
            select(StudyTimeFlag.student_id).where(StudyTimeFlag.school_id == school.id, StudyTimeFlag.day == day)
        )
    )
    over = [d for d in study_days([s for s in students if s.id not in flagged], day, day).values() if d.over_limit]
    if not over:
        return run
    names = {s.id: s.name for s in students}
    teachers = _class_teachers([d.student_id for d in over])
    affairs = _academic_affairs(school.id)
    for study_day in sorted(over, key=lambda d: d.student_id):
        recipients = teachers.get(study_day.student_id, set()) | affairs
        flag = StudyTimeFlag(
            school_id=school.id,
            student_id=study_day.student_id,
            day=day,
            total_minutes=study_day.total_minutes,
            limit_minutes=study_day.limit_minutes,
            notified=len(recipients),
        )
        if not _claim(flag):
            continue  # another run flagged this day first
        run.flagged += 1
        run.notified += notify_users(
            recipients,
            STUDY_TIME_OVER_LIMIT,
            {
                "student": names[study_day.student_id],
                "day": day.isoformat(),
                "minutes": study_day.total_minutes,
                "limit": study_day.limit_minutes,
            },
            link=f"/participation/students/{study_day.student_id}",
        )
    return run


def flag_due(now: datetime | None = None, done: dict | None = None) -> list[FlagRun]:
    """Every school's previous local day; `done` (school id -> day), kept by a long-running
    caller, skips the schools already handled for that day."""
    now = now or utcnow()
    runs = []
    for school in schools():
        day = previous_local_day(school, now)
        if done is not None and done.get(school.id) == day:
            continue
        runs.append(flag_over_limit(school, day))
        if done is not None:
            done[school.id] = day
    return runs


def _claim(flag: StudyTimeFlag) -> bool:
    try:
        with db.session.begin_nested():
            db.session.add(flag)
    except IntegrityError:
        return False
    return True


def _students(school_id: int) -> list[User]:
    students = select(UserRole.user_id).where(UserRole.role == Role.STUDENT)
    return list(
        db.session.scalars(
            select(User).where(User.school_id == school_id, User.disabled.is_(False), User.id.in_(students))
        )
    )


def _class_teachers(student_ids: list[int]) -> dict[int, set[int]]:
    """student id -> the class teachers of their classes (enabled accounts)."""
    result: dict[int, set[int]] = {}
    for part in chunks(sorted(student_ids)):
        rows = db.session.execute(
            select(class_membership.c.user_id, UserRole.user_id)
            .join(UserRole, UserRole.unit_id == class_membership.c.class_id)
            .join(User, User.id == UserRole.user_id)
            .where(
                class_membership.c.user_id.in_(part),
                UserRole.role == Role.CLASS_TEACHER,
                User.disabled.is_(False),
            )
        )
        for student_id, teacher_id in rows:
            result.setdefault(student_id, set()).add(teacher_id)
    return result


def _academic_affairs(school_id: int) -> set[int]:
    return set(
        db.session.scalars(
            select(UserRole.user_id)
            .join(User, User.id == UserRole.user_id)
            .where(UserRole.role == Role.ACADEMIC_AFFAIRS, User.school_id == school_id, User.disabled.is_(False))
        )
    )
