"""De-duplication against the database: which resource a new origin joins, why, and undoing it.

A new origin joins a resource of the same school that already has an origin with the same
URL key (the stronger evidence) or, failing that, the same content key (courses.dedupe).
Membership is decided once, when an origin is first seen; later harvests update it in place,
so academic affairs' split (a MergeSplit row) also keeps the origin from ever being matched
back to the resource it was split from.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select

from app.catalog.models import MergeSplit, Resource, ResourceOrigin
from app.catalog.search import index_resource
from app.core.audit import record as audit
from app.core.models import utcnow
from app.core.sanitizer import sanitize
from app.extensions import db
from courses.records import Level

FIRST, URL, CONTENT, SPLIT = "first", "url", "content", "split"
# Widest first: a national platform's title and description win over a school's copy.
LEVEL_ORDER = {Level.NATIONAL: 0, Level.PROVINCIAL: 1, Level.MUNICIPAL: 2, Level.SCHOOL: 3}


class MergeError(ValueError):
    """A split that cannot be done (the message says why, translated)."""


@dataclass
class KeyIndex:
    """url/content key -> resource of one school, loaded once per harvest and kept up to date.

    Values are resource ids, or Resource objects for resources created during this harvest
    (they have no id before the next flush).
    """

    school_id: int
    by_url: dict[str, object] = field(default_factory=dict)
    by_content: dict[str, object] = field(default_factory=dict)
    fresh: list = field(default_factory=list)

    @classmethod
    def load(cls, school_id: int) -> KeyIndex:
        index = cls(school_id)
        rows = db.session.execute(
            select(ResourceOrigin.url_key, ResourceOrigin.content_key, ResourceOrigin.resource_id)
            .join(Resource, Resource.id == ResourceOrigin.resource_id)
            .where(Resource.school_id == school_id)
            .order_by(ResourceOrigin.resource_id)
        )
        for url_key, content_key, resource_id in rows:
            if url_key:
                index.by_url.setdefault(url_key, resource_id)
            if content_key:
                index.by_content.setdefault(content_key, resource_id)
        return index

    def add(self, origin: ResourceOrigin, resource: Resource) -> None:
        target = resource.id or resource
        for table, key in ((self.by_url, origin.url_key), (self.by_content, origin.content_key)):
            if key and key not in table:
                table[key] = target
                if target is resource:
                    self.fresh.append((table, key))

    def resolve(self) -> None:
        """Swap the resources created since the last flush for their ids (call after a flush)."""
        waiting = []
        for table, key in self.fresh:
            target = table[key]
            if isinstance(target, Resource) and target.id is not None:
                table[key] = target.id
            elif isinstance(target, Resource):
                waiting.append((table, key))
        self.fresh = waiting

    def find(self, url_key: str | None, content_key: str | None, apart_from: set[int] = frozenset()):
        """(resource, reason, matching key) for a new origin, or (None, FIRST, None)."""
        for reason, key, table in ((URL, url_key, self.by_url), (CONTENT, content_key, self.by_content)):
            target = table.get(key) if key else None
            if target is None:
                continue
            resource = db.session.get(Resource, target) if isinstance(target, int) else target
            if resource is not None and resource.id not in apart_from:
                return resource, reason, key
            if resource is not None and apart_from:
                # The first resource with this key was split off; look for another one.
                other = _other_resource_with_key(reason, key, apart_from | {resource.id}, self.school_id)
                if other is not None:
                    return other, reason, key
        return None, FIRST, None


def _other_resource_with_key(reason: str, key: str, excluded: set[int], school_id: int) -> Resource | None:
    column = ResourceOrigin.url_key if reason == URL else ResourceOrigin.content_key
    return db.session.scalar(
        select(Resource)
        .join(ResourceOrigin, ResourceOrigin.resource_id == Resource.id)
        .where(Resource.school_id == school_id, column == key, Resource.id.not_in(excluded))
        .order_by(Resource.id)
        .limit(1)
    )


def display_origin(resource: Resource) -> ResourceOrigin | None:
    """The origin whose fields the resource shows: the widest level among live origins."""
    live = [origin for origin in resource.origins if origin.withdrawn_at is None] or list(resource.origins)
    if not live:
        return None
    return min(live, key=lambda origin: (LEVEL_ORDER.get(Level(origin.level), 9), origin.id or 0))


def apply_display_fields(resource: Resource) -> None:
    """Copy the display origin's record onto the resource, withdraw it when every origin is withdrawn,
    and refresh its search terms."""
    origin = display_origin(resource)
    if origin is None:
        return
    record = origin.record or {}
    resource.title = (record.get("title") or resource.title or origin.external_id)[:500]
    description = record.get("description") or ""
    resource.description = str(sanitize(description, "rich")) if description else ""
    resource.url = origin.url
    resource.level = origin.level
    resource.provider = origin.provider
    for name in ("subject", "edition", "chapter", "duration_minutes", "language", "licence"):
        setattr(resource, name, record.get(name))
    resource.sample = bool(record.get("sample"))
    resource.stages, resource.grades = list(record.get("stages") or []), list(record.get("grades") or [])
    resource.media_type = record.get("media_type") or "other"
    resource.thumbnail = record.get("thumbnail_url")
    resource.source_updated_at = _parse_time(record.get("updated_at"))
    resource.url_key, resource.content_key = origin.url_key, origin.content_key
    resource.withdrawn = all(item.withdrawn_at is not None for item in resource.origins)
    index_resource(resource)


def _parse_time(value):
    """record_data stores ISO 8601 (datetime.isoformat), so no general date parser is needed."""
    try:
        return datetime.fromisoformat(value) if value else None
    except (TypeError, ValueError):
        return None


def explain_merge(origin: ResourceOrigin) -> str:
    """Why this origin is part of its resource, in words a teacher can read."""
    if origin.merge_reason == URL:
        return _("Same address as another copy (%(key)s).", key=origin.merge_detail or "")
    if origin.merge_reason == CONTENT:
        return _(
            "Same title, subject, grades, textbook edition and chapter as another copy (%(key)s).",
            key=origin.merge_detail or "",
        )
    if origin.merge_reason == SPLIT:
        return _("Kept apart from a resource it had been merged with: %(reason)s", reason=origin.merge_detail or "")
    return _("The first copy of this resource.")


def split_origin(actor, origin: ResourceOrigin, reason: str | None = None) -> Resource:
    """Take ``origin`` out of its resource into a resource of its own, for good.

    The rest stay together under the old resource (lesson plans keep pointing at it); a
    MergeSplit row stops every later harvest from merging the origin back. Returns the new
    resource. Raises MergeError when the origin is its resource's only one.
    """
    old = origin.resource
    if len(old.origins) < 2:
        raise MergeError(_("This resource has only one origin; there is nothing to split."))
    reason = (reason or "").strip()[:1000] or None
    new = Resource(school_id=old.school_id, title=old.title, level=origin.level, media_type="other", description="")
    db.session.add(new)
    old.origins.remove(origin)
    new.origins.append(origin)
    origin.merge_reason, origin.merge_detail = SPLIT, reason or _("split by academic affairs")
    apply_display_fields(new)
    apply_display_fields(old)
    db.session.flush()
    db.session.add(
        MergeSplit(
            origin_id=origin.id, apart_from_resource_id=old.id, decided_by_id=getattr(actor, "id", None),
            decided_at=utcnow(), reason=reason,
        )
    )  # fmt: skip
    audit(actor, "resource.split", old, origin_id=origin.id, new_resource_id=new.id, reason=reason)
    db.session.flush()
    return new


def splits_of(origin_ids) -> dict[int, set[int]]:
    """origin id -> ids of the resources it must stay apart from."""
    apart: dict[int, set[int]] = {}
    if not origin_ids:
        return apart
    rows = db.session.execute(
        select(MergeSplit.origin_id, MergeSplit.apart_from_resource_id).where(MergeSplit.origin_id.in_(origin_ids))
    )
    for origin_id, resource_id in rows:
        apart.setdefault(origin_id, set()).add(resource_id)
    return apart
