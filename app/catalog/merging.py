"""De-duplication against the database: which resource a new origin joins, why, and undoing it.

A new origin joins a resource of the same school that already has an origin with the same
URL key (the stronger evidence) or, failing that, the same content key (courses.dedupe).
Membership is decided once, when an origin is first seen; later harvests update it in place,
so academic affairs' split (a MergeSplit row) also keeps the origin from ever being matched
back to the resource it was split from.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from bleach.linkifier import build_url_re
from flask_babel import gettext as _
from sqlalchemy import select

from app.catalog.models import MergeSplit, Resource, ResourceOrigin
from app.catalog.search_index import search_terms
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


class PendingResource:
    """A resource this harvest creates, written in bulk (app.catalog.bulk): its origins' rows so far."""

    __slots__ = ("id", "origins")

    def __init__(self, first_origin: dict):
        self.id: int | None = None
        self.origins = [first_origin]


@dataclass
class KeyIndex:
    """url/content key -> resource of one school, loaded once per harvest and kept up to date.

    Values are resource ids, or PendingResource objects for resources this harvest has not
    written yet. ``shown`` keeps, per resource id, the level order of the origin it displays and
    whether it is withdrawn: a new origin changes what a resource shows only when it outranks
    that origin or revives a withdrawn resource (display_origin), and only then is it loaded.
    """

    school_id: int
    by_url: dict[str, object] = field(default_factory=dict)
    by_content: dict[str, object] = field(default_factory=dict)
    shown: dict[int, tuple[int, bool]] = field(default_factory=dict)
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
        shown = db.session.execute(
            select(Resource.id, Resource.level, Resource.withdrawn).where(Resource.school_id == school_id)
        )
        index.shown = {resource_id: (level_rank(level), withdrawn) for resource_id, level, withdrawn in shown}
        return index

    def add(self, url_key: str | None, content_key: str | None, target) -> None:
        """Let later origins with these keys find ``target`` (a resource id or a PendingResource)."""
        for table, key in ((self.by_url, url_key), (self.by_content, content_key)):
            if key and key not in table:
                table[key] = target
                if isinstance(target, PendingResource):
                    self.fresh.append((table, key))

    def resolve(self) -> None:
        """Swap the resources written since for their ids (call after writing them)."""
        waiting = []
        for table, key in self.fresh:
            target = table[key]
            if isinstance(target, PendingResource) and target.id is not None:
                table[key] = target.id
            elif isinstance(target, PendingResource):
                waiting.append((table, key))
        self.fresh = waiting

    def find(self, url_key: str | None, content_key: str | None):
        """(resource id or PendingResource, reason, matching key) for a new origin, or (None, FIRST, None)."""
        for reason, key, table in ((URL, url_key, self.by_url), (CONTENT, content_key, self.by_content)):
            target = table.get(key) if key else None
            if target is not None:
                return target, reason, key
        return None, FIRST, None


def level_rank(level) -> int:
    return LEVEL_ORDER.get(Level(level), 9)


def display_origin(resource: Resource) -> ResourceOrigin | None:
    """The origin whose fields the resource shows: the widest level among live origins."""
    live = [origin for origin in resource.origins if origin.withdrawn_at is None] or list(resource.origins)
    if not live:
        return None
    return min(live, key=lambda origin: (level_rank(origin.level), origin.id or 0))


def apply_display_fields(resource: Resource) -> None:
    """Copy the display origin's record onto the resource, withdraw it when every origin is withdrawn,
    and refresh its search terms."""
    origin = display_origin(resource)
    if origin is None:
        return
    fields = display_fields(origin.record or {}, origin.url, origin.level, origin.provider, origin.url_key,
                            origin.content_key, fallback_title=resource.title or origin.external_id)  # fmt: skip
    for name, value in fields.items():
        setattr(resource, name, value)
    resource.withdrawn = all(item.withdrawn_at is not None for item in resource.origins)


# Text bleach would hand back unchanged: no markup or entity characters, nothing its HTML parser
# replaces (controls, noncharacters, surrogates; astral planes to be safe) and nothing to linkify.
# Most harvested descriptions are such text; the parser cost ~130 µs each, the most of any step.
_NOT_PLAIN = re.compile(
    "[<>&\r\"'=`\x00-\x08\x0b-\x1f\x7f-\x9f\ufdd0-\ufdef\ufffe\uffff\ud800-\udfff\U00010000-\U0010ffff]"
)
_LINK = build_url_re(protocols=["http", "https"])


def rich_html(description: str) -> str:
    """``description`` sanitized as rich text (the sanitizer's result, without it for plain text)."""
    if _NOT_PLAIN.search(description) or _LINK.search(description):
        return str(sanitize(description, "rich"))
    return description


def display_fields(record: dict, url, level, provider, url_key, content_key, fallback_title="") -> dict:
    """The resource columns an origin's record gives it (the one rule for ORM and bulk writes)."""
    description = record.get("description") or ""
    fields = {
        "title": (record.get("title") or fallback_title or "")[:500],
        "description": rich_html(description) if description else "",
        "url": url,
        "level": Level(level),
        "provider": provider,
        "sample": bool(record.get("sample")),
        "stages": list(record.get("stages") or []),
        "grades": list(record.get("grades") or []),
        "media_type": record.get("media_type") or "other",
        "thumbnail": record.get("thumbnail_url"),
        "source_updated_at": _parse_time(record.get("updated_at")),
        "url_key": url_key,
        "content_key": content_key,
    }
    for name in ("subject", "edition", "chapter", "duration_minutes", "language", "licence"):
        fields[name] = record.get(name)
    fields["search_title"], fields["search_body"] = search_terms(
        fields["title"], fields["description"], fields["chapter"], fields["edition"], provider, fields["subject"]
    )
    return fields


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
