"""Harvesting a catalog source into the school's resources.

Incremental and idempotent: each record's normalised form is hashed, so a record read again
unchanged writes nothing and a changed one updates its origin (and resource) in place.
A malformed record is reported in the run and skipped; a source that cannot be read rolls
back (a savepoint) and leaves a failed run with the reason. Operations flush, never commit:
the caller (CLI, request) commits once per source so one failure never undoes another.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

from flask import current_app
from sqlalchemy import or_, select, text

from app.catalog.bulk import BulkWriter
from app.catalog.merging import KeyIndex, PendingResource, apply_display_fields, level_rank
from app.catalog.models import CatalogSource, HarvestRun, Resource, ResourceOrigin, RunStatus
from app.core.models import utcnow
from app.extensions import db
from courses import dedupe
from courses.catalogs import SAMPLE_DIR, mobile_hosts
from courses.records import RECORD_FIELDS, Level, RecordError, ResourceRecord
from courses.sources import AddressPolicy, Source, SourceError, make_source

logger = logging.getLogger(__name__)

BUNDLED_PREFIX = "bundled:"  # config url of a sample feed shipped with Kexu (see catalog_sample)
FLUSH_EVERY = 2000
MAX_STORED_ERRORS = 500
ANALYZE_AFTER_ADDED = 1000
# Formats whose unfiltered read is the whole catalog, so a record missing from it was removed.
# A JSON/RSS feed or an OAI-PMH repository may page or trim its listing: there, only an explicit
# deleted flag withdraws, unless the source is declared a complete feed (docs/catalog-search.md).
FULL_LISTING_TYPES = frozenset({"csv"})


def lists_everything(source: CatalogSource) -> bool:
    """A full read of ``source`` is its whole catalog: it is always read whole, and a record
    missing from a read was removed (a CSV file, or a feed its owner declared complete)."""
    return source.type in FULL_LISTING_TYPES or (source.config or {}).get("complete_feed") is True


def address_policy() -> AddressPolicy:
    """Which hosts sources may be fetched from, as the app's settings say (public ones by default)."""
    return AddressPolicy(allow_private=bool(current_app.config.get("CATALOG_SOURCES_ALLOW_PRIVATE")))


def adapter_for(source: CatalogSource, *, allow_local_files: bool = False) -> Source:
    """The courses.sources adapter configured as ``source`` says (raises SourceError)."""
    config = dict(source.config or {})
    config["level"] = source.level.value if source.level else None
    config["provider"] = source.provider or config.get("provider")
    url = str(config.get("url") or "")
    if url.startswith(BUNDLED_PREFIX):
        name = url.removeprefix(BUNDLED_PREFIX)
        path = SAMPLE_DIR / name
        if Path(name).name != name or not path.is_file():
            raise SourceError(f"no bundled catalog named {name!r}")
        config["url"], allow_local_files = str(path), True
    return make_source(source.type, {k: v for k, v in config.items() if v is not None}, source.name,
                       allow_local_files=allow_local_files, address_policy=address_policy())  # fmt: skip


def record_data(record: ResourceRecord) -> dict:
    """The record as JSON-able data (what ResourceOrigin.record keeps and the hash covers)."""
    data = {}
    for name in RECORD_FIELDS:
        value = getattr(record, name)
        if isinstance(value, tuple):
            value = list(value)
        elif isinstance(value, datetime):
            value = value.isoformat()
        elif hasattr(value, "value"):
            value = value.value
        data[name] = value
    if record.unrecognised:
        data["unrecognised"] = list(record.unrecognised)
    return data


def record_hash(data: dict) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True, ensure_ascii=False).encode("utf-8")).hexdigest()


def error_entry(error: RecordError) -> dict:
    """What the run history shows about a skipped record: which one, which field, why."""
    return {
        "external_id": error.external_id,
        "position": None if error.position is None else str(error.position),
        "field": error.field,
        "reason": error.reason,
    }


class _Harvest:
    """One pass over a source's records inside the caller's savepoint."""

    def __init__(self, source: CatalogSource, run: HarvestRun, adapter: Source, since, progress, now):
        self.source, self.run, self.adapter, self.since = source, run, adapter, since
        self.progress = progress or (lambda count: None)
        self.now = now
        self.errors: list[dict] = []
        self.error_count = 0
        self.seen: set[str] = set()
        self.counts = {"added": 0, "updated": 0, "unchanged": 0, "withdrawn": 0}
        self.keys: KeyIndex | None = None
        self.writer = BulkWriter(source.school_id)
        self.hosts = mobile_hosts()
        columns = (
            ResourceOrigin.external_id,
            ResourceOrigin.id,
            ResourceOrigin.record_hash,
            ResourceOrigin.withdrawn_at,
        )
        rows = db.session.execute(select(*columns).where(ResourceOrigin.source_id == source.id))
        self.known = {external_id: (origin_id, digest, withdrawn) for external_id, origin_id, digest, withdrawn in rows}
        self.pending = 0
        self.held = set(db.session.identity_map.keys())

    def run_all(self) -> None:
        # Autoflush would write the batch before every lookup: flushes happen every FLUSH_EVERY records.
        with db.session.no_autoflush:
            self._read_all()
        self._flush()

    def _read_all(self) -> None:
        for item in self.adapter.fetch(self.since):
            if isinstance(item, RecordError):
                self.error_count += 1
                if len(self.errors) < MAX_STORED_ERRORS:
                    self.errors.append(error_entry(item))
                if item.external_id:
                    self.seen.add(item.external_id)  # a malformed record was not removed
            elif item.deleted:
                self.seen.discard(item.external_id)
                self._withdraw(item.external_id)
            else:
                self.seen.add(item.external_id)
                self._upsert(item)
            self.progress(1)
            self.pending += 1
            if self.pending >= FLUSH_EVERY:
                self._flush()
        if self.since is None and lists_everything(self.source):
            if self.adapter.truncated:
                self.run.message = "the read stopped at the page limit; nothing was withdrawn"
            else:
                self._withdraw_missing()

    def _flush(self) -> None:
        """Write the batch and forget its objects: a 100,000-record harvest keeps ids, not rows."""
        db.session.flush()
        if len(self.writer):
            self.keys.shown.update(self.writer.write())
            self.keys.resolve()
        for key, obj in list(db.session.identity_map.items()):
            # Rows the caller already held stay: they may look at them after the harvest.
            if key not in self.held and isinstance(obj, (Resource, ResourceOrigin)) and obj in db.session:
                db.session.expunge(obj)
        self.pending = 0

    def _upsert(self, record: ResourceRecord) -> None:
        data = record_data(record)
        if data["level"] is None:
            data["level"] = self.source.level.value
        data["provider"] = data["provider"] or self.source.provider or ""
        digest = record_hash(data)
        known = self.known.get(record.external_id)
        if known is not None and known[1] == digest and known[2] is None:
            self.counts["unchanged"] += 1
            return
        url_key = dedupe.url_key(record, self.hosts)
        content_key = dedupe.content_key(record)
        if known is None:
            self._add(record, data, digest, url_key, content_key)
            return
        origin = db.session.get(ResourceOrigin, self._origin_id(record.external_id))
        origin.record, origin.record_hash = data, digest
        origin.url, origin.level, origin.provider = record.url, data["level"], data["provider"] or None
        origin.url_key, origin.content_key = url_key, content_key
        origin.withdrawn_at, origin.last_seen_at = None, self.now
        apply_display_fields(origin.resource)
        self.known[record.external_id] = (origin.id, digest, None)
        self.counts["updated"] += 1

    def _add(self, record, data, digest, url_key, content_key) -> None:
        if self.keys is None:
            self.keys = KeyIndex.load(self.source.school_id)
        row = {
            "source_id": self.source.id, "external_id": record.external_id, "url": record.url,
            "level": Level(data["level"]), "provider": data["provider"] or None, "record": data,
            "record_hash": digest, "url_key": url_key, "content_key": content_key,
            "first_seen_at": self.now, "last_seen_at": self.now,
        }  # fmt: skip
        target, reason, key = self.keys.find(url_key, content_key)
        row["merge_reason"], row["merge_detail"] = reason, key
        if target is None:
            target = self.writer.new_resource(row)
        elif isinstance(target, PendingResource):
            target.origins.append(row)
        elif self._changes_display(target, row["level"]):
            self._add_shown(target, row)
        else:
            self.writer.join(target, row)
        self.keys.add(url_key, content_key, target)
        self.known[record.external_id] = (None, digest, None)
        self.counts["added"] += 1

    def _changes_display(self, resource_id: int, level: Level) -> bool:
        rank, withdrawn = self.keys.shown.get(resource_id, (9, True))
        return withdrawn or level_rank(level) < rank

    def _add_shown(self, resource_id: int, row: dict) -> None:
        """The new origin outranks what the resource shows (or revives it): the ORM way, rarely."""
        resource = db.session.get(Resource, resource_id)
        resource.origins.append(ResourceOrigin(**row))
        apply_display_fields(resource)
        self.keys.shown[resource_id] = (level_rank(resource.level), resource.withdrawn)

    def _origin_id(self, external_id: str) -> int:
        known = self.known[external_id]
        if known[0] is not None:
            return known[0]
        self._flush()  # written in bulk: its id is in the database
        origin_id = db.session.scalar(
            select(ResourceOrigin.id).where(
                ResourceOrigin.source_id == self.source.id, ResourceOrigin.external_id == external_id
            )
        )
        self.known[external_id] = (origin_id, *known[1:])
        return origin_id

    def _withdraw(self, external_id: str) -> None:
        known = self.known.get(external_id)
        if known is None or known[2] is not None:
            return  # never seen, or already withdrawn: nothing changes
        origin = db.session.get(ResourceOrigin, self._origin_id(external_id))
        origin.withdrawn_at = self.now
        apply_display_fields(origin.resource)
        self.known[external_id] = (origin.id, known[1], self.now)
        self.counts["withdrawn"] += 1

    def _withdraw_missing(self) -> None:
        missing = [
            eid for eid, (_id, _hash, withdrawn) in self.known.items() if withdrawn is None and eid not in self.seen
        ]
        if not missing:
            return
        if not self.seen:
            # An empty listing is far likelier a broken export than a school withdrawing everything.
            self.run.message = "the listing was empty; nothing was withdrawn"
            return
        for external_id in missing:
            self._withdraw(external_id)


def harvest_source(source: CatalogSource, *, full: bool = False, allow_local_files: bool = False,
                   progress: Callable[[int], None] | None = None) -> HarvestRun:  # fmt: skip
    """Harvest ``source`` once and return its run (flushed, not committed).

    Incremental from the last successful run unless ``full`` (a CSV or a complete feed is always
    read whole so removed records are withdrawn). Never raises for what the source sends.
    """
    now = utcnow()
    run = HarvestRun(source_id=source.id, started_at=now, status=RunStatus.RUNNING, errors=[])
    db.session.add(run)
    db.session.flush()  # the run row exists before the savepoint, so a rollback keeps it
    since = None if full or lists_everything(source) else source.last_success_at
    work = None
    try:
        with db.session.begin_nested():
            adapter = adapter_for(source, allow_local_files=allow_local_files)
            work = _Harvest(source, run, adapter, since, progress, now)
            work.run_all()
    except SourceError as exc:
        _finish(run, RunStatus.FAILED, message=str(exc)[:2000], errors=work.errors if work else [])
    except Exception as exc:  # a bug must not stop the other sources; the log has the traceback
        logger.exception("harvest of source %s failed", source.id)
        _finish(run, RunStatus.FAILED, message=f"internal error: {exc.__class__.__name__}: {exc}"[:2000])
    else:
        status = RunStatus.PARTIAL if work.error_count else RunStatus.SUCCEEDED
        _finish(run, status, errors=work.errors, message=run.message, **work.counts)
        if work.error_count > len(work.errors):
            run.message = f"{work.error_count} malformed records; the first {len(work.errors)} are listed"
        source.last_success_at = now
        _refresh_statistics(work.counts["added"])
    source.last_run_at = now
    db.session.flush()
    return run


def _refresh_statistics(added: int) -> None:
    """Both databases plan from table statistics; after a big first harvest they still describe
    an empty table. PostgreSQL then scanned every resource instead of the search index (5 s
    instead of 40 ms per query); SQLite drove filtered searches from the listing index instead
    of the text matches (15 ms instead of 6 ms of CPU). ANALYZE samples, so it stays cheap."""
    if added >= ANALYZE_AFTER_ADDED and db.session.get_bind().dialect.name in ("postgresql", "sqlite"):
        db.session.execute(text("ANALYZE resource"))
        db.session.execute(text("ANALYZE resource_origin"))


def _finish(run: HarvestRun, status: RunStatus, *, message=None, errors=(), **counts) -> None:
    run.status, run.message, run.errors, run.finished_at = status, message, list(errors), utcnow()
    for name in ("added", "updated", "unchanged", "withdrawn"):
        setattr(run, name, counts.get(name, 0))


def due_sources(now: datetime | None = None) -> list[CatalogSource]:
    """Enabled sources whose interval has passed since their last run (interval 0: manual only)."""
    now = now or utcnow()
    candidates = db.session.scalars(
        select(CatalogSource)
        .where(CatalogSource.enabled.is_(True), CatalogSource.interval_hours > 0)
        .where(or_(CatalogSource.last_run_at.is_(None), CatalogSource.last_run_at < now))
        .order_by(CatalogSource.id)
    )
    return [s for s in candidates if s.last_run_at is None or s.last_run_at + timedelta(hours=s.interval_hours) <= now]
