"""Secret iCalendar feed addresses: one per user (their own lessons) or per class (to share).

Only a digest of the secret is stored, like API tokens: a copy of the database does not give
away the addresses. The address is shown once when issued; re-issuing revokes the old one.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Enum, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.models import Base, UTCDateTime, utcnow


class FeedKind(enum.StrEnum):
    USER = "user"
    CLASS = "class"


class CalendarFeed(Base):
    __tablename__ = "calendar_feed"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[FeedKind] = mapped_column(Enum(FeedKind, native_enum=False, length=10))
    # The owner of a personal feed, or who issued a class feed (their permission must still hold).
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    class_id: Mapped[int | None] = mapped_column(ForeignKey("org_unit.id", ondelete="CASCADE"), index=True)
    token_digest: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(12))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user = relationship("User")
    unit = relationship("OrgUnit")

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
