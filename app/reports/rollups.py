"""Rebuilding the rollups (models.py) from attendance, presence, resource time and the schedule.

Every refresh is set-based and rewrites whole rows for the lessons, student-days and class-days
it is given, so running it twice changes nothing and a later excuse or a late reconnect simply
rewrites the affected rows. Flush, never commit: callers own the transaction.

- `refresh_for_sessions(session_ids, student_ids)`: after attendance changed (the signal) or
  lessons were created, moved or cancelled (the schedule receiver, with the study-time checks);
- `refresh_rollups(school_id, first, last)`: a school's local days, for the nightly job.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta

from sqlalchemy import case, delete, func, insert, select

from app.auth.models import User
from app.core.models import utcnow
from app.extensions import db
from app.live.models import LessonRoomState
from app.orgs.models import OrgUnit, UnitKind, class_membership, course_class, course_teacher
from app.participation.loading import chunks
from app.participation.models import AttendanceRecord
from app.participation.study_time import study_days
from app.reports.compliance import compliance_flags
from app.reports.models import ClassDayRollup, LessonClassRollup, LessonRollup, LessonStatus, StudentDayRollup
from app.schedule.loading import school_timezone
from app.schedule.models import LiveSession, SessionStatus, live_session_class
from app.schedule.policy_index import day_start, zone

STATUSES = ("present", "late", "left_early", "absent", "excused", "made_up")
ATTENDED = ("present", "late", "left_early", "made_up")
WEEK = 7
SESSION_COLUMNS = (
    LiveSession.id,
    LiveSession.school_id,
    LiveSession.course_id,
    LiveSession.created_by_id,
    LiveSession.starts_at,
    LiveSession.ends_at,
    LiveSession.status,
)


def local_day(moment: datetime, zone_name: str) -> date:
    return moment.astimezone(zone(zone_name)).date()


def _session_rows(session_ids) -> list:
    rows = []
    for part in chunks(sorted(set(session_ids))):
        rows += db.session.execute(select(*SESSION_COLUMNS).where(LiveSession.id.in_(part))).all()
    return rows


def refresh_for_sessions(session_ids, student_ids=(), check_compliance: bool = False) -> None:
    """Rewrite the rollups these lessons (and these students on the lessons' days) touch."""
    by_school = defaultdict(list)
    for row in _session_rows(session_ids):
        by_school[row.school_id].append(row)
    for school_id, rows in by_school.items():
        tz = school_timezone(school_id)
        days = {local_day(row.starts_at, tz) for row in rows}
        if check_compliance:
            # A moved or new lesson changes its neighbours' breaks: check the classes' whole days.
            around = _sessions_on(school_id, set().union(*lesson_classes(rows).values()), days, tz)
            rows = list({row.id: row for row in [*rows, *around]}.values())
        refresh_lessons(rows, tz, check_compliance)
        students = set(student_ids) | _students_on_record([row.id for row in rows])
        refresh_student_days(school_id, students, days, tz)
        classes = set().union(*lesson_classes(rows).values()) | _classes_of_students(school_id, students)
        refresh_class_days(school_id, classes, days)
    db.session.flush()


def refresh_rollups(school_id: int, first: date, last: date) -> dict:
    """Rebuild every rollup of a school's local days [first, last], a week at a time."""
    tz = school_timezone(school_id)
    counts = {"lessons": 0, "student_days": 0, "class_days": 0}
    classes = set(
        db.session.scalars(select(OrgUnit.id).where(OrgUnit.school_id == school_id, OrgUnit.kind == UnitKind.CLASS))
    )
    members = _members(classes)
    start = first
    while start <= last:
        stop = min(last, start + timedelta(days=WEEK - 1))
        days = {start + timedelta(days=n) for n in range((stop - start).days + 1)}
        window = (day_start(start, tz), day_start(stop + timedelta(days=1), tz))
        db.session.execute(
            delete(LessonRollup).where(
                LessonRollup.school_id == school_id, LessonRollup.day >= start, LessonRollup.day <= stop
            )
        )
        db.session.execute(
            delete(LessonClassRollup).where(
                LessonClassRollup.school_id == school_id,
                LessonClassRollup.day >= start,
                LessonClassRollup.day <= stop,
            )
        )
        rows = db.session.execute(
            select(*SESSION_COLUMNS).where(
                LiveSession.school_id == school_id,
                LiveSession.starts_at >= window[0],
                LiveSession.starts_at < window[1],
            )
        ).all()
        counts["lessons"] += refresh_lessons(rows, tz, check_compliance=True)
        students = members | _students_on_record([row.id for row in rows])
        counts["student_days"] += refresh_student_days(school_id, students, days, tz)
        counts["class_days"] += refresh_class_days(school_id, classes, days)
        start = stop + timedelta(days=1)
    db.session.flush()
    return counts


def _members(class_ids: set[int]) -> set[int]:
    result: set[int] = set()
    for part in chunks(sorted(class_ids)):
        query = select(class_membership.c.user_id).where(class_membership.c.class_id.in_(part))
        result |= set(db.session.scalars(query))
    return result


def _sessions_on(school_id: int, class_ids: set[int], days: set[date], tz: str) -> list:
    """Every lesson of the school on these days that is for one of these classes."""
    if not class_ids or not days:
        return []
    start, end = day_start(min(days), tz), day_start(max(days) + timedelta(days=1), tz)
    rows = db.session.execute(
        select(*SESSION_COLUMNS).where(
            LiveSession.school_id == school_id, LiveSession.starts_at >= start, LiveSession.starts_at < end
        )
    ).all()
    rows = [row for row in rows if local_day(row.starts_at, tz) in days]
    classes_of = lesson_classes(rows)
    return [row for row in rows if classes_of.get(row.id, set()) & class_ids]


def lesson_classes(rows) -> dict[int, set[int]]:
    """session id -> its classes: its own list, or its course's classes when it has none."""
    own: dict[int, set[int]] = defaultdict(set)
    for part in chunks([row.id for row in rows]):
        for session_id, class_id in db.session.execute(
            select(live_session_class.c.session_id, live_session_class.c.class_id).where(
                live_session_class.c.session_id.in_(part)
            )
        ):
            own[session_id].add(class_id)
    of_course: dict[int, set[int]] = defaultdict(set)
    for part in chunks(sorted({row.course_id for row in rows})):
        for course_id, class_id in db.session.execute(
            select(course_class.c.course_id, course_class.c.class_id).where(course_class.c.course_id.in_(part))
        ):
            of_course[course_id].add(class_id)
    return {row.id: own.get(row.id) or of_course.get(row.course_id, set()) for row in rows}


def _classes_of_students(school_id: int, student_ids: set[int]) -> set[int]:
    result: set[int] = set()
    for part in chunks(sorted(student_ids)):
        result |= set(
            db.session.scalars(
                select(class_membership.c.class_id)
                .join(OrgUnit, OrgUnit.id == class_membership.c.class_id)
                .where(class_membership.c.user_id.in_(part), OrgUnit.school_id == school_id)
            )
        )
    return result


def _students_on_record(session_ids: list[int]) -> set[int]:
    result: set[int] = set()
    for part in chunks(session_ids):
        result |= set(
            db.session.scalars(
                select(AttendanceRecord.student_id).where(AttendanceRecord.session_id.in_(part)).distinct()
            )
        )
    return result


def refresh_lessons(rows, tz: str, check_compliance: bool = False) -> int:
    """Rewrite the lesson rows of these sessions; returns how many were written."""
    if not rows:
        return 0
    ids = [row.id for row in rows]
    opened, counts, minutes, flags = set(), defaultdict(dict), defaultdict(float), {}
    for part in chunks(ids):
        room_query = select(LessonRoomState.session_id).where(LessonRoomState.session_id.in_(part))
        opened |= set(db.session.scalars(room_query))
        for session_id, status, number, total in db.session.execute(
            select(
                AttendanceRecord.session_id,
                AttendanceRecord.status,
                func.count(),
                func.coalesce(func.sum(AttendanceRecord.minutes_present), 0.0),
            )
            .where(AttendanceRecord.session_id.in_(part))
            .group_by(AttendanceRecord.session_id, AttendanceRecord.status)
        ):
            counts[session_id][status] = number
            minutes[session_id] += float(total or 0.0)
        if not check_compliance:
            for session_id, over_length, short_break in db.session.execute(
                select(LessonRollup.session_id, LessonRollup.over_length, LessonRollup.short_break).where(
                    LessonRollup.session_id.in_(part)
                )
            ):
                flags[session_id] = (over_length, short_break)
        db.session.execute(delete(LessonRollup).where(LessonRollup.session_id.in_(part)))
        db.session.execute(delete(LessonClassRollup).where(LessonClassRollup.session_id.in_(part)))
    if check_compliance:
        flags = compliance_flags(rows[0].school_id, [row for row in rows if row.status != SessionStatus.CANCELLED])
    teachers = _credited_teachers(rows)
    classes_of = lesson_classes(rows)
    now = utcnow()
    values = []
    for row in rows:
        by_status = counts.get(row.id, {})
        attended = sum(by_status.get(s, 0) for s in ("present", "late", "left_early"))
        if row.status == SessionStatus.CANCELLED:
            status = LessonStatus.CANCELLED
        elif row.id in opened or attended:
            status = LessonStatus.HELD
        else:
            status = LessonStatus.SCHEDULED
        over_length, short_break = flags.get(row.id, (False, False))
        values.append(
            {
                "session_id": row.id,
                "school_id": row.school_id,
                "course_id": row.course_id,
                "teacher_id": teachers.get(row.id),
                "day": local_day(row.starts_at, tz),
                "starts_at": row.starts_at,
                "ends_at": row.ends_at,
                "status": status,
                "scheduled_minutes": int((row.ends_at - row.starts_at).total_seconds() // 60),
                "roster": sum(by_status.values()),
                **{name: by_status.get(name, 0) for name in STATUSES},
                "minutes_present": round(minutes.get(row.id, 0.0), 1),
                "over_length": bool(over_length) and status != LessonStatus.CANCELLED,
                "short_break": bool(short_break) and status != LessonStatus.CANCELLED,
                "refreshed_at": now,
            }
        )
    for part in chunks(values, 1000):
        db.session.execute(insert(LessonRollup), part)
    pairs = [
        {"session_id": row.id, "class_id": class_id, "school_id": row.school_id, "day": local_day(row.starts_at, tz)}
        for row in rows
        for class_id in sorted(classes_of.get(row.id, ()))
    ]
    for part in chunks(pairs, 1000):
        db.session.execute(insert(LessonClassRollup), part)
    return len(values)


def _credited_teachers(rows) -> dict[int, int | None]:
    course_ids = sorted({row.course_id for row in rows})
    teachers_of: dict[int, set[int]] = defaultdict(set)
    for part in chunks(course_ids):
        for course_id, user_id in db.session.execute(
            select(course_teacher.c.course_id, course_teacher.c.user_id).where(course_teacher.c.course_id.in_(part))
        ):
            teachers_of[course_id].add(user_id)
    result = {}
    for row in rows:
        teachers = teachers_of.get(row.course_id, set())
        result[row.id] = row.created_by_id if row.created_by_id in teachers else (min(teachers) if teachers else None)
    return result


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
