"""The bundled SAMPLE catalog as ordinary sources of a school (for the demo and for trying Kexu).

Each sample feed in courses/catalogs/sample/ becomes a json source whose URL is
``bundled:<file>``: harvests read the shipped file (local files are refused for every other
source) and the data goes through the same harvest, de-duplication and search as real feeds.
"""

from __future__ import annotations

import json

from sqlalchemy import select

from app.catalog.harvest import BUNDLED_PREFIX, harvest_source
from app.catalog.models import CatalogSource, HarvestRun
from app.extensions import db
from courses.catalogs import providers, sample_feed_paths
from courses.records import Level


def sample_source_specs() -> list[dict]:
    """name, level, provider and bundled URL of each sample feed."""
    by_name = {provider["name"]: provider for provider in providers()}
    specs = []
    for path in sample_feed_paths():
        page = json.loads(path.read_text(encoding="utf-8"))
        provider = by_name.get(page.get("provider"), {})
        specs.append(
            {
                "name": f"{page.get('provider') or path.stem} (SAMPLE)",
                "provider": page.get("provider"),
                "level": Level(page.get("level") or provider.get("level") or "national"),
                "url": BUNDLED_PREFIX + path.name,
            }
        )
    return specs


def load_sample_catalog(school, progress=None) -> list[HarvestRun]:
    """Add the sample sources to ``school`` (once) and harvest them; flushes, the caller commits.

    Running it again re-harvests: nothing changes unless the bundled files did.
    """
    runs = []
    for spec in sample_source_specs():
        source = db.session.scalar(
            select(CatalogSource).where(CatalogSource.school_id == school.id, CatalogSource.name == spec["name"])
        )
        if source is None:
            source = CatalogSource(
                school_id=school.id, name=spec["name"], type="json", config={"url": spec["url"]},
                level=spec["level"], provider=spec["provider"], enabled=True, interval_hours=0,
            )  # fmt: skip
            db.session.add(source)
            db.session.flush()
        runs.append(harvest_source(source, full=True, progress=progress))
    return runs
