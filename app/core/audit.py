"""The audit log: who did what, when, to which object, from where.

Operations call `record(...)`; it adds a row to the session and never commits.
"""

from __future__ import annotations

from datetime import datetime

from flask import has_request_context, request
from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.models import Base, UTCDateTime, utcnow


class AuditEntry(Base):
    __tablename__ = "audit_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), index=True)
    school_id: Mapped[int | None] = mapped_column(ForeignKey("org_unit.id", ondelete="SET NULL"), index=True)
    action: Mapped[str] = mapped_column(String(80), index=True)
    object_type: Mapped[str | None] = mapped_column(String(60))
    object_id: Mapped[str | None] = mapped_column(String(60))
    address: Mapped[str | None] = mapped_column(String(64))
    details: Mapped[dict] = mapped_column(JSON, default=dict)

    actor = relationship("User")


def record(actor, action: str, obj=None, *, school_id=None, **details) -> AuditEntry:
    """Add an audit entry for `action` done by `actor` (None for the system) on `obj`."""
    from app.extensions import db

    address = request.remote_addr if has_request_context() else None
    if obj is not None and school_id is None:
        school_id = getattr(obj, "school_id", None)
    if school_id is None and actor is not None:
        school_id = actor.school_id
    entry = AuditEntry(
        actor_id=actor.id if actor is not None else None,
        school_id=school_id,
        action=action,
        object_type=type(obj).__name__ if obj is not None else None,
        object_id=str(obj.id) if obj is not None and getattr(obj, "id", None) is not None else None,
        address=address,
        details=details,
    )
    db.session.add(entry)
    return entry
