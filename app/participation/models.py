"""Participation records: attendance per lesson and student, progress through resources,
resource seconds per local day, contact logs and the xAPI outbox.

Attendance rows are derived (attendance.py) and recomputable, but never deleted: a manual
override (an excuse) is kept in its own columns and wins over every recomputation.
"""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.models import Base, UTCDateTime, utcnow
from app.live.models import PresenceInterval


class AttendanceStatus(enum.StrEnum):
    PRESENT = "present"
    LATE = "late"
    LEFT_EARLY = "left_early"
    ABSENT = "absent"
    EXCUSED = "excused"
    MADE_UP = "made_up"  # excused, and later watched the lesson's assigned resources


class AttendanceRecord(Base):
    """One student on one lesson's roster. Lesson fields are copied (school, course, start) so a
    school's or a student's history is read from this table alone."""

    __tablename__ = "attendance_record"
    __table_args__ = (
        UniqueConstraint("session_id", "student_id"),
        Index("ix_attendance_student_start", "student_id", "starts_at"),
        Index("ix_attendance_school_start", "school_id", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("live_session.id", ondelete="CASCADE"))
    student_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    school_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id", ondelete="CASCADE"))
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"), index=True)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # What the rules say, and what counts (the override when there is one, or made_up).
    computed_status: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20), index=True)
    first_join: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_leave: Mapped[datetime | None] = mapped_column(UTCDateTime)
    minutes_present: Mapped[float] = mapped_column(default=0.0)
    checked_in: Mapped[bool] = mapped_column(default=False)
    hand_raises: Mapped[int] = mapped_column(default=0)
    chat_messages: Mapped[int] = mapped_column(default=0)
    poll_answers: Mapped[int] = mapped_column(default=0)
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    override_status: Mapped[str | None] = mapped_column(String(20))
    override_reason: Mapped[str | None] = mapped_column(Text)
    override_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    override_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    student = relationship("User", foreign_keys=[student_id])
    override_by = relationship("User", foreign_keys=[override_by_id])
    session = relationship("LiveSession")


# On the live room's presence table, for participation's reads: a student's latest closed
# presence is one index seek (the "not reached" list's last participation), not a scan of their
# term. Kept off last_seen_at on purpose: heartbeats rewrite it every few seconds.
Index("ix_presence_user_ended", PresenceInterval.user_id, PresenceInterval.ended_at)


class ResourceProgress(Base):
    """How far a student got through one resource (for one course, when opened from its plan).

    `played_ranges` is the merged union of [start, end] seconds the player reported, so
    watching a part twice counts once toward completion.
    """

    __tablename__ = "resource_progress"
    __table_args__ = (Index("ix_resource_progress_key", "student_id", "resource_id", "course_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    student_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    resource_id: Mapped[int] = mapped_column(ForeignKey("resource.id", ondelete="CASCADE"), index=True)
    course_id: Mapped[int | None] = mapped_column(ForeignKey("course.id", ondelete="SET NULL"), index=True)
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    last_report_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    duration_seconds: Mapped[float | None]
    played_ranges: Mapped[list] = mapped_column(JSON, default=list)
    seconds_watched: Mapped[float] = mapped_column(default=0.0)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)

    resource = relationship("Resource")


class ResourceStudyDay(Base):
    """Seconds of resource playback per student and local day (re-watching counts here: this is
    screen time for the study-time limit, not progress)."""

    __tablename__ = "resource_study_day"
    __table_args__ = (UniqueConstraint("student_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    student_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    day: Mapped[date] = mapped_column(Date)
    seconds: Mapped[float] = mapped_column(default=0.0)


class ContactChannel(enum.StrEnum):
    PHONE = "phone"
    WECHAT = "wechat"
    VISIT = "visit"
    MESSAGE = "message"
    OTHER = "other"


class ContactOutcome(enum.StrEnum):
    REACHED = "reached"
    NO_ANSWER = "no_answer"
    LEFT_MESSAGE = "left_message"
    OTHER = "other"


class ContactLog(Base):
    """A class teacher (or academic affairs) contacted a student or their family."""

    __tablename__ = "contact_log"
    __table_args__ = (Index("ix_contact_log_student_at", "student_id", "contacted_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id", ondelete="CASCADE"), index=True)
    student_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    contacted_at: Mapped[datetime] = mapped_column(UTCDateTime)
    channel: Mapped[str] = mapped_column(String(20))
    outcome: Mapped[str] = mapped_column(String(20))
    note: Mapped[str] = mapped_column(Text, default="")  # sanitized (kind "plain")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    student = relationship("User", foreign_keys=[student_id])
    by = relationship("User", foreign_keys=[by_id])


class StatementOutbox(Base):
    """An xAPI statement waiting for (or done with) forwarding to the school's LRS.

    `statement_id` is a uuid5 of what the statement is about, so enqueueing the same fact
    twice finds the existing row and the LRS never receives a duplicate.
    """

    __tablename__ = "xapi_statement_outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    statement_id: Mapped[str] = mapped_column(String(36), unique=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id", ondelete="CASCADE"), index=True)
    statement: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    forwarded_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)


class StudyTimeFlag(Base):
    """A student's local day over the daily online total of their stage's study-time policy,
    flagged once (to their class teachers and academic affairs): the row makes it idempotent."""

    __tablename__ = "study_time_flag"
    __table_args__ = (UniqueConstraint("student_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id", ondelete="CASCADE"), index=True)
    student_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    day: Mapped[date] = mapped_column(Date)
    total_minutes: Mapped[float]
    limit_minutes: Mapped[int]
    notified: Mapped[int] = mapped_column(default=0)  # how many people were told
    flagged_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
