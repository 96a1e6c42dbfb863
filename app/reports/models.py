"""Rollups the reports read (one row per lesson, per lesson and class, per student and day), the
days waiting for a rebuild and the stored daily reports. A unit's figures are summed from the
student-day rows of its distinct students at query time (app/reports/queries.py), never from
per-class sums: a student in two classes of a grade is one student of it.

Rollups are derived and rebuilt at will (app/reports/rollups.py): when attendance changes, when
a lesson is created, moved or cancelled, and by the nightly job. Days are the school's local
days. Nothing else writes them.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.core.models import Base, UTCDateTime, utcnow


class LessonStatus:
    SCHEDULED = "scheduled"  # not (yet) held: upcoming, or nobody opened the room
    HELD = "held"  # the room was opened
    CANCELLED = "cancelled"


class LessonRollup(Base):
    """One live lesson: when, whose, whether it was held, its roster and attendance counts."""

    __tablename__ = "report_lesson"
    __table_args__ = (Index("ix_report_lesson_school_day", "school_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("live_session.id", ondelete="CASCADE"), unique=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id", ondelete="CASCADE"))
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"), index=True)
    # The teacher credited with the lesson: its author when they teach the course, else the
    # course's first teacher.
    teacher_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), index=True)
    day: Mapped[date] = mapped_column(Date)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(20))
    scheduled_minutes: Mapped[int] = mapped_column(default=0)
    roster: Mapped[int] = mapped_column(default=0)
    present: Mapped[int] = mapped_column(default=0)
    late: Mapped[int] = mapped_column(default=0)
    left_early: Mapped[int] = mapped_column(default=0)
    absent: Mapped[int] = mapped_column(default=0)
    excused: Mapped[int] = mapped_column(default=0)
    made_up: Mapped[int] = mapped_column(default=0)
    minutes_present: Mapped[float] = mapped_column(default=0.0)
    # The study-time checks of app/schedule on the lesson as scheduled.
    over_length: Mapped[bool] = mapped_column(default=False)
    short_break: Mapped[bool] = mapped_column(default=False)
    refreshed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class LessonClassRollup(Base):
    """A lesson's classes: its own list, or its course's classes when it has none."""

    __tablename__ = "report_lesson_class"
    __table_args__ = (
        UniqueConstraint("session_id", "class_id"),
        Index("ix_report_lesson_class_class_day", "class_id", "day"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("live_session.id", ondelete="CASCADE"))
    class_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id", ondelete="CASCADE"))
    school_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id", ondelete="CASCADE"))
    day: Mapped[date] = mapped_column(Date)


class StudentDayRollup(Base):
    """One student on one local day: lessons on their roster and how they attended, minutes
    online, and whether they went over their stage's daily limit."""

    __tablename__ = "report_student_day"
    __table_args__ = (
        UniqueConstraint("student_id", "day"),
        Index("ix_report_student_day_school_day", "school_id", "day"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id", ondelete="CASCADE"))
    student_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    day: Mapped[date] = mapped_column(Date)
    lessons: Mapped[int] = mapped_column(default=0)
    attended: Mapped[int] = mapped_column(default=0)
    present: Mapped[int] = mapped_column(default=0)
    late: Mapped[int] = mapped_column(default=0)
    left_early: Mapped[int] = mapped_column(default=0)
    absent: Mapped[int] = mapped_column(default=0)
    excused: Mapped[int] = mapped_column(default=0)
    made_up: Mapped[int] = mapped_column(default=0)
    live_minutes: Mapped[float] = mapped_column(default=0.0)
    resource_minutes: Mapped[float] = mapped_column(default=0.0)
    limit_minutes: Mapped[int | None]
    over_limit: Mapped[bool] = mapped_column(default=False)
    refreshed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class StaleRange(Base):
    """Local days of a school whose rollups wait for a rebuild: attendance changed on more
    student-days than one request should rewrite (a whole term recomputed). Pages over these
    days say so; refresh_rollups clears the days it rebuilds (app/reports/stale.py)."""

    __tablename__ = "report_stale_range"

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id", ondelete="CASCADE"), index=True)
    first: Mapped[date] = mapped_column(Date)
    last: Mapped[date] = mapped_column(Date)
    marked_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class DailyReport(Base):
    """The XLSX of one school's previous day, stored through app/core/storage."""

    __tablename__ = "report_daily"
    __table_args__ = (UniqueConstraint("school_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id", ondelete="CASCADE"))
    day: Mapped[date] = mapped_column(Date)
    generated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    storage_key: Mapped[str] = mapped_column(String(512))
    size: Mapped[int] = mapped_column(default=0)
