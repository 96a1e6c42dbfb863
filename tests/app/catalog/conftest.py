"""Catalog fixtures: a real HTTP feed server on 127.0.0.1 and a factory for configured sources."""

from __future__ import annotations

import json

import pytest

from app.catalog.models import CatalogSource
from app.extensions import db
from courses.records import Level
from tests.app.api.conftest import bearer, token_for  # noqa: F401 - API tokens for the source API tests
from tests.courses.conftest import (  # noqa: F401 - the shared real HTTP server and DNS fixtures
    fake_dns,
    feed_server,
    public_feed_server,
)


@pytest.fixture
def app(make_app):
    """The feed server listens on 127.0.0.1, so these tests allow private source addresses, as a
    school with its own resource server would; tests of the default set the setting back."""
    return make_app(CATALOG_SOURCES_ALLOW_PRIVATE=True)


@pytest.fixture
def make_catalog_source(app, school):
    """Create a configured source (committed) of ``school`` or the school given."""

    def make(url, type="json", name=None, level="national", provider=None, school_unit=None, **config):
        source = CatalogSource(
            school_id=(school_unit or school).id,
            name=name or f"{type} {url}",
            type=type,
            config={"url": url, **config},
            level=Level(level),
            provider=provider,
            interval_hours=24,
        )
        db.session.add(source)
        db.session.commit()
        return source

    return make


def feed(items, next_url=None, provider="某平台", level=None) -> bytes:
    """A Kexu JSON feed page."""
    page = {"version": "kexu-feed/1", "provider": provider, "items": items, "next": next_url}
    if level:
        page["level"] = level
    return json.dumps(page, ensure_ascii=False).encode()


def lesson(external_id, title, url=None, **fields) -> dict:
    item = {"id": external_id, "title": title, "url": url or f"https://lessons.example.cn/{external_id}"}
    item.update(fields)
    return item
