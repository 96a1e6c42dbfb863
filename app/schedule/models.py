"""Live sessions and weekly series, each school's study-time policy, and approved exceptions.

Times are aware UTC (UTCDateTime). A series keeps its rule as the school wrote it (local wall
time in the school's zone) and is materialised: every occurrence is a LiveSession row, so the
policy check, the pages and the calendar feeds read one table.
"""

from __future__ import annotations

import enum
from datetime import date, datetime, time

from sqlalchemy import JSON, Column, Date, Enum, ForeignKey, String, Table, Text, Time, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.models import Base, TimestampMixin, UTCDateTime, utcnow
from app.orgs.models import Course, OrgUnit
from app.schedule.policy_types import StagePolicy


class SessionStatus(enum.StrEnum):
    SCHEDULED = "scheduled"
    CANCELLED = "cancelled"


# The classes a session (or a series) is for: by default every class of its course.
live_session_class = Table(
    "live_session_class",
    Base.metadata,
    Column("session_id", ForeignKey("live_session.id", ondelete="CASCADE"), primary_key=True),
    Column("class_id", ForeignKey("org_unit.id", ondelete="CASCADE"), primary_key=True, index=True),
)

live_series_class = Table(
    "live_series_class",
    Base.metadata,
    Column("series_id", ForeignKey("live_series.id", ondelete="CASCADE"), primary_key=True),
    Column("class_id", ForeignKey("org_unit.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class LiveSeries(TimestampMixin, Base):
    """A weekly recurrence: weekdays at a local start time in `timezone`, from `starts_on`
    until a date or for a count of occurrences (RFC 5545 semantics: cancelled ones count)."""

    __tablename__ = "live_series"

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id", ondelete="CASCADE"), index=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    weekdays: Mapped[list] = mapped_column(JSON, default=list)  # 0 = Monday
    start_time: Mapped[time] = mapped_column(Time)  # wall time in `timezone`
    duration_minutes: Mapped[int]
    timezone: Mapped[str] = mapped_column(String(64), default="Asia/Shanghai")
    starts_on: Mapped[date] = mapped_column(Date)
    until: Mapped[date | None] = mapped_column(Date)  # inclusive, a local date
    count: Mapped[int | None]
    # RRULE value (without DTSTART) for iCalendar, e.g. "FREQ=WEEKLY;BYDAY=MO,WE;UNTIL=20260630T155959Z".
    rrule: Mapped[str] = mapped_column(Text)
    join_url: Mapped[str | None] = mapped_column(String(2000))
    sequence: Mapped[int] = mapped_column(default=0)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))

    course: Mapped[Course] = relationship()
    classes: Mapped[list[OrgUnit]] = relationship(secondary=live_series_class, order_by="OrgUnit.name")
    sessions: Mapped[list[LiveSession]] = relationship(
        back_populates="series", order_by="LiveSession.original_starts_at"
    )

    @property
    def ical_uid(self) -> str:
        return f"series-{self.id}@kexu"


class LiveSession(TimestampMixin, Base):
    """One live lesson of a course, for some or all of its classes, with an external link."""

    __tablename__ = "live_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id", ondelete="CASCADE"), index=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"), index=True)
    series_id: Mapped[int | None] = mapped_column(ForeignKey("live_series.id", ondelete="SET NULL"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    # Tencent Meeting, Zoom, BigBlueButton, Jitsi...: http(s) only (checked in operations).
    join_url: Mapped[str | None] = mapped_column(String(2000))
    status: Mapped[SessionStatus] = mapped_column(
        Enum(SessionStatus, native_enum=False, length=20), default=SessionStatus.SCHEDULED, index=True
    )
    # The occurrence's start as the series first generated it: iCalendar RECURRENCE-ID. For a
    # one-off session it is the first start. It never changes when the session moves.
    original_starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Bumped on every change (move, edit, cancel): iCalendar SEQUENCE.
    sequence: Mapped[int] = mapped_column(default=0)
    cancel_reason: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))

    course: Mapped[Course] = relationship()
    series: Mapped[LiveSeries | None] = relationship(back_populates="sessions")
    classes: Mapped[list[OrgUnit]] = relationship(secondary=live_session_class, order_by="OrgUnit.name")
    exceptions: Mapped[list[PolicyException]] = relationship(
        back_populates="session", cascade="all, delete-orphan", order_by="PolicyException.id"
    )

    @property
    def is_cancelled(self) -> bool:
        return self.status == SessionStatus.CANCELLED

    @property
    def minutes(self) -> int:
        return int((self.ends_at - self.starts_at).total_seconds() // 60)

    @property
    def ical_uid(self) -> str:
        """Occurrences of a series share the series' UID and tell apart by RECURRENCE-ID."""
        return f"series-{self.series_id}@kexu" if self.series_id else f"session-{self.id}@kexu"


class PolicySetting(TimestampMixin, Base):
    """A school's study-time policy for one stage: StagePolicy.as_dict() plus the preset it
    started from (None once the numbers were edited by hand)."""

    __tablename__ = "policy_setting"
    __table_args__ = (UniqueConstraint("school_id", "stage"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id", ondelete="CASCADE"), index=True)
    stage: Mapped[str] = mapped_column(String(20))
    preset_key: Mapped[str | None] = mapped_column(String(40))
    rules: Mapped[dict] = mapped_column(JSON, default=dict)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))

    @property
    def stage_policy(self) -> StagePolicy:
        return StagePolicy.from_dict(self.rules)


class PolicyException(Base):
    """Academic affairs let one session break one blocking rule, with a written reason.

    A moved or re-timed session loses its exceptions (the reason was given for that time), except
    a lesson-length one while its length stays: no move changes that rule's outcome.
    """

    __tablename__ = "policy_exception"
    __table_args__ = (UniqueConstraint("session_id", "rule"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("live_session.id", ondelete="CASCADE"), index=True)
    rule: Mapped[str] = mapped_column(String(40))
    reason: Mapped[str] = mapped_column(Text)
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    approved_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    session: Mapped[LiveSession] = relationship(back_populates="exceptions")
    approved_by = relationship("User")
