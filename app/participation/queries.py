"""Read-side queries for the participation pages and the API."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Select, select
from sqlalchemy.orm import joinedload

from app.auth.models import User
from app.catalog.models import Resource
from app.extensions import db
from app.orgs.models import class_membership
from app.participation.models import AttendanceRecord, ResourceProgress


def sheet(session_id: int) -> list[AttendanceRecord]:
    """A lesson's attendance rows, by student name."""
    query = (
        select(AttendanceRecord)
        .join(User, User.id == AttendanceRecord.student_id)
        .where(AttendanceRecord.session_id == session_id)
        .options(joinedload(AttendanceRecord.student), joinedload(AttendanceRecord.override_by))
        .order_by(User.name, User.username)
    )
    return list(db.session.scalars(query).unique())


def student_history(student_id: int, start: datetime | None = None, end: datetime | None = None) -> Select:
    query = select(AttendanceRecord).where(AttendanceRecord.student_id == student_id)
    if start is not None:
        query = query.where(AttendanceRecord.starts_at >= start)
    if end is not None:
        query = query.where(AttendanceRecord.starts_at < end)
    return query.options(joinedload(AttendanceRecord.session)).order_by(
        AttendanceRecord.starts_at.desc(), AttendanceRecord.id.desc()
    )


def class_records(class_id: int, start: datetime | None, end: datetime | None) -> Select:
    members = select(class_membership.c.user_id).where(class_membership.c.class_id == class_id)
    query = select(AttendanceRecord).where(AttendanceRecord.student_id.in_(members))
    if start is not None:
        query = query.where(AttendanceRecord.starts_at >= start)
    if end is not None:
        query = query.where(AttendanceRecord.starts_at < end)
    return query.order_by(AttendanceRecord.starts_at, AttendanceRecord.student_id)


def resources_of(student_id: int, limit: int = 100) -> list[tuple[ResourceProgress, Resource]]:
    query = (
        select(ResourceProgress, Resource)
        .join(Resource, Resource.id == ResourceProgress.resource_id)
        .where(ResourceProgress.student_id == student_id)
        .order_by(ResourceProgress.opened_at.desc())
        .limit(limit)
    )
    return list(db.session.execute(query).all())
