"""What happens in a live lesson's room: presence, chat, hands, check-ins, roll calls, polls.

Everything is keyed by the LiveSession (table `live_session`) and stored as it happens, so
attendance and participation reports read these tables and a server restart loses nothing
but the seconds since the last heartbeat.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.models import Base, UTCDateTime, utcnow


class LessonRoomState(Base):
    """One row per lesson whose room was ever opened: when it opened and closed, who ended it,
    the room-wide mute, and which reminders went out (each is claimed by one process only)."""

    __tablename__ = "live_room_state"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("live_session.id", ondelete="CASCADE"), unique=True)
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    # Set when a teacher ends the lesson; None when the room closed itself after the grace.
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ended_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    muted_all: Mapped[bool] = mapped_column(default=False)
    reminded_scheduled_end_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reminded_policy_limit_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    session = relationship("LiveSession")

    @property
    def closed(self) -> bool:
        return self.closed_at is not None


class PresenceInterval(Base):
    """A stretch of time a user was in a lesson's room.

    `connections` counts the user's open sockets (tabs, devices) so they count once;
    `last_seen_at` is written on every heartbeat, so a crash loses at most one interval.
    """

    __tablename__ = "live_presence_interval"
    __table_args__ = (
        Index("ix_live_presence_open", "session_id", "user_id", "ended_at"),
        # One open interval per lesson and user, whichever process opens it.
        Index(
            "uq_live_presence_one_open",
            "session_id",
            "user_id",
            unique=True,
            sqlite_where=text("ended_at IS NULL"),
            postgresql_where=text("ended_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("live_session.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    connections: Mapped[int] = mapped_column(default=0)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user = relationship("User")

    @property
    def seconds(self) -> float:
        return ((self.ended_at or self.last_seen_at) - self.started_at).total_seconds()


class ChatMessage(Base):
    __tablename__ = "live_chat_message"
    __table_args__ = (Index("ix_live_chat_user_time", "session_id", "user_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("live_session.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    # What was typed; the sanitizer turns it into HTML when it is sent out.
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    hidden: Mapped[bool] = mapped_column(default=False)
    hidden_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    hidden_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user = relationship("User", foreign_keys=[user_id])


class Mute(Base):
    """One student muted in one lesson (the whole room is muted by LessonRoomState.muted_all)."""

    __tablename__ = "live_mute"
    __table_args__ = (UniqueConstraint("session_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("live_session.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    muted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class HandRaise(Base):
    __tablename__ = "live_hand_raise"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("live_session.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    raised_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    lowered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    called_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user = relationship("User")


class CheckInWindow(Base):
    """A check-in the teacher opened; its codes are derived, never stored (checkin_codes.py)."""

    __tablename__ = "live_checkin_window"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("live_session.id", ondelete="CASCADE"), index=True)
    opened_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)


class CheckIn(Base):
    __tablename__ = "live_checkin"
    __table_args__ = (UniqueConstraint("window_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    window_id: Mapped[int] = mapped_column(ForeignKey("live_checkin_window.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    checked_in_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class RollCall(Base):
    """A student picked by the random roll call. `term_id` lets the next pick favour students
    not yet called this term, across all the term's lessons of the course."""

    __tablename__ = "live_roll_call"
    __table_args__ = (Index("ix_live_roll_call_course_term", "course_id", "term_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("live_session.id", ondelete="CASCADE"), index=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"))
    term_id: Mapped[int | None] = mapped_column(ForeignKey("term.id", ondelete="SET NULL"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    called_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    called_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user = relationship("User", foreign_keys=[user_id])


class Poll(Base):
    """A poll or quick quiz (a quiz has `correct` choices). Options are a list of strings."""

    __tablename__ = "live_poll"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("live_session.id", ondelete="CASCADE"), index=True)
    question: Mapped[str] = mapped_column(String(500))
    options: Mapped[list] = mapped_column(JSON, default=list)
    multiple: Mapped[bool] = mapped_column(default=False)
    correct: Mapped[list | None] = mapped_column(JSON)
    opened_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revealed: Mapped[bool] = mapped_column(default=False)

    def is_open(self, now: datetime) -> bool:
        return self.closed_at is None and (self.closes_at is None or now < self.closes_at)


class PollAnswer(Base):
    __tablename__ = "live_poll_answer"
    __table_args__ = (UniqueConstraint("poll_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    poll_id: Mapped[int] = mapped_column(ForeignKey("live_poll.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    choices: Mapped[list] = mapped_column(JSON, default=list)
    answered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ConfusionMark(Base):
    """One press of "I don't understand" (不懂), with its time."""

    __tablename__ = "live_confusion_mark"
    __table_args__ = (Index("ix_live_confusion_time", "session_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("live_session.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
