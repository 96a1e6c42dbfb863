"""Writing a harvest's new resources and origins in batches.

A first harvest of a national platform brings tens of thousands of records; building an ORM
object pair per record and flushing them one unit of work at a time cost most of the ingest
time. New rows are kept here as dicts and written with executemany inserts: the resources
first (their ids come back in order), then the origins that point at them.
"""

from __future__ import annotations

from sqlalchemy import insert

from app.catalog.merging import PendingResource, display_fields, level_rank
from app.catalog.models import Resource, ResourceOrigin
from app.core.models import utcnow
from app.extensions import db


class BulkWriter:
    """New origins waiting to be written: some for new resources, some joining existing ones."""

    def __init__(self, school_id: int):
        self.school_id = school_id
        self.resources: list[PendingResource] = []
        self.joining: list[dict] = []  # origin rows with a resource_id already

    def __len__(self) -> int:
        return len(self.resources) + len(self.joining)

    def new_resource(self, origin_row: dict) -> PendingResource:
        pending = PendingResource(origin_row)
        self.resources.append(pending)
        return pending

    def join(self, resource_id: int, origin_row: dict) -> None:
        self.joining.append({**origin_row, "resource_id": resource_id})

    def write(self) -> dict[int, tuple[int, bool]]:
        """Insert everything waiting; returns what each new resource shows (KeyIndex.shown)."""
        shown = {}
        if self.resources:
            now = utcnow()
            rows = [self._resource_row(pending, now) for pending in self.resources]
            statement = insert(Resource).returning(Resource.id, sort_by_parameter_order=True)
            ids = db.session.execute(statement, rows).scalars().all()
            for pending, resource_id, row in zip(self.resources, ids, rows, strict=True):
                pending.id = resource_id
                shown[resource_id] = (level_rank(row["level"]), False)
                for origin_row in pending.origins:
                    origin_row["resource_id"] = resource_id
                    self.joining.append(origin_row)
        if self.joining:
            db.session.execute(insert(ResourceOrigin), self.joining)
        self.resources, self.joining = [], []
        return shown

    def _resource_row(self, pending: PendingResource, now) -> dict:
        # The widest level wins; among equals the first seen (the lowest origin id once written).
        origin = min(pending.origins, key=lambda row: level_rank(row["level"]))
        shown = (origin[name] for name in ("url", "level", "provider", "url_key", "content_key"))
        fields = display_fields(origin["record"], *shown, fallback_title=origin["external_id"])
        return {**fields, "school_id": self.school_id, "withdrawn": False, "created_at": now, "updated_at": now}
