"""The resource catalog: sources and their harvests, de-duplicated resources with every
place they are published, merge decisions, and the resources planned for a course."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import JSON, Date, Enum, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.models import Base, TimestampMixin, UTCDateTime, utcnow
from courses.records import Level


class RunStatus(enum.StrEnum):
    RUNNING = "running"
    SUCCEEDED = "succeeded"  # every record read
    PARTIAL = "partial"  # some records malformed and skipped
    FAILED = "failed"  # the source could not be read; nothing changed


class CatalogSource(TimestampMixin, Base):
    """A feed academic affairs configured: its adapter type (courses.sources registry) and settings."""

    __tablename__ = "catalog_source"
    __table_args__ = (UniqueConstraint("school_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    type: Mapped[str] = mapped_column(String(40))
    config: Mapped[dict] = mapped_column(JSON, default=dict)
    level: Mapped[Level] = mapped_column(Enum(Level, native_enum=False, length=20))
    provider: Mapped[str | None] = mapped_column(String(200))
    enabled: Mapped[bool] = mapped_column(default=True)
    interval_hours: Mapped[int] = mapped_column(default=24)
    last_run_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_success_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    runs: Mapped[list[HarvestRun]] = relationship(
        back_populates="source", cascade="all, delete-orphan", order_by="HarvestRun.id.desc()"
    )


class HarvestRun(Base):
    __tablename__ = "harvest_run"

    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("catalog_source.id", ondelete="CASCADE"), index=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    status: Mapped[RunStatus] = mapped_column(Enum(RunStatus, native_enum=False, length=20), default=RunStatus.RUNNING)
    added: Mapped[int] = mapped_column(default=0)
    updated: Mapped[int] = mapped_column(default=0)
    unchanged: Mapped[int] = mapped_column(default=0)
    withdrawn: Mapped[int] = mapped_column(default=0)
    # [{"external_id", "position", "field", "reason"}] for each skipped record.
    errors: Mapped[list] = mapped_column(JSON, default=list)
    message: Mapped[str | None] = mapped_column(Text)  # why a failed run failed

    source: Mapped[CatalogSource] = relationship(back_populates="runs")


class Resource(TimestampMixin, Base):
    """One lesson or material as a teacher sees it, however many places publish it."""

    __tablename__ = "resource"

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(500))
    description: Mapped[str] = mapped_column(Text, default="")  # sanitized HTML (kind "rich")
    url: Mapped[str | None] = mapped_column(String(2000))
    level: Mapped[Level] = mapped_column(Enum(Level, native_enum=False, length=20), index=True)
    provider: Mapped[str | None] = mapped_column(String(200))
    subject: Mapped[str | None] = mapped_column(String(40), index=True)
    stages: Mapped[list] = mapped_column(JSON, default=list)
    grades: Mapped[list] = mapped_column(JSON, default=list)
    edition: Mapped[str | None] = mapped_column(String(80), index=True)
    chapter: Mapped[str | None] = mapped_column(String(200))
    duration_minutes: Mapped[int | None]
    language: Mapped[str | None] = mapped_column(String(20))
    licence: Mapped[str | None] = mapped_column(String(200))
    media_type: Mapped[str] = mapped_column(String(20), default="other", index=True)
    thumbnail: Mapped[str | None] = mapped_column(String(2000))
    source_updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Withdrawn when every origin is withdrawn: hidden from search, still shown where assigned.
    withdrawn: Mapped[bool] = mapped_column(default=False, index=True)
    sample: Mapped[bool] = mapped_column(default=False)
    # De-duplication keys (courses.dedupe) and the indexed search terms (courses.search_text).
    url_key: Mapped[str | None] = mapped_column(String(2000), index=True)
    content_key: Mapped[str | None] = mapped_column(String(500), index=True)
    search_title: Mapped[str] = mapped_column(Text, default="")
    search_body: Mapped[str] = mapped_column(Text, default="")
    # A teacher's upload, kept in the storage service.
    storage_key: Mapped[str | None] = mapped_column(String(500), unique=True)
    file_name: Mapped[str | None] = mapped_column(String(255))
    file_size: Mapped[int | None]
    file_sha256: Mapped[str | None] = mapped_column(String(64))
    content_type: Mapped[str | None] = mapped_column(String(120))
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))

    origins: Mapped[list[ResourceOrigin]] = relationship(
        back_populates="resource", cascade="all, delete-orphan", order_by="ResourceOrigin.id"
    )


class ResourceOrigin(Base):
    """One place a resource is published: a source's record, with why it joined its resource."""

    __tablename__ = "resource_origin"
    __table_args__ = (UniqueConstraint("source_id", "external_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    resource_id: Mapped[int] = mapped_column(ForeignKey("resource.id", ondelete="CASCADE"), index=True)
    source_id: Mapped[int | None] = mapped_column(ForeignKey("catalog_source.id", ondelete="CASCADE"), index=True)
    external_id: Mapped[str] = mapped_column(String(500))
    url: Mapped[str | None] = mapped_column(String(2000))
    level: Mapped[Level] = mapped_column(Enum(Level, native_enum=False, length=20))
    provider: Mapped[str | None] = mapped_column(String(200))
    # The normalised record as last harvested (courses.records.ResourceRecord fields).
    record: Mapped[dict] = mapped_column(JSON, default=dict)
    record_hash: Mapped[str | None] = mapped_column(String(64))
    # This origin's own de-duplication keys: a later record matches any origin of a resource,
    # not only the one whose fields the resource displays.
    url_key: Mapped[str | None] = mapped_column(String(2000), index=True)
    content_key: Mapped[str | None] = mapped_column(String(500), index=True)
    # Why this origin joined its resource: "first", "url" or "content" (with the matching key).
    merge_reason: Mapped[str] = mapped_column(String(20), default="first")
    merge_detail: Mapped[str | None] = mapped_column(Text)
    first_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    resource: Mapped[Resource] = relationship(back_populates="origins")
    source: Mapped[CatalogSource | None] = relationship()


class MergeSplit(Base):
    """Academic affairs' decision that an origin must stay apart from another resource.

    Harvests never merge the origin into that resource again.
    """

    __tablename__ = "merge_split"
    __table_args__ = (UniqueConstraint("origin_id", "apart_from_resource_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    origin_id: Mapped[int] = mapped_column(ForeignKey("resource_origin.id", ondelete="CASCADE"), index=True)
    apart_from_resource_id: Mapped[int] = mapped_column(ForeignKey("resource.id", ondelete="CASCADE"))
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    reason: Mapped[str | None] = mapped_column(Text)


class LessonPlanItem(TimestampMixin, Base):
    """A resource assigned to a course, in order, with a note, a date and estimated minutes."""

    __tablename__ = "lesson_plan_item"
    __table_args__ = (UniqueConstraint("course_id", "resource_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"), index=True)
    resource_id: Mapped[int] = mapped_column(ForeignKey("resource.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    note: Mapped[str] = mapped_column(Text, default="")  # sanitized HTML (kind "rich")
    planned_on: Mapped[date | None] = mapped_column(Date, index=True)
    estimated_minutes: Mapped[int | None]
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))

    resource: Mapped[Resource] = relationship()
