"""The Kexu JSON feed (``kexu-feed/1``), documented in docs/catalog-feed-format.md.

A page is ``{"version": "kexu-feed/1", "provider": ..., "level": ..., "items": [...], "next": url|null}``;
``next`` (absolute or relative to the page) links the following page. Pages may be http(s) URLs,
file:// URLs or local paths, so the bundled catalog loads through this same adapter.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from urllib.parse import urlencode, urljoin, urlsplit, urlunsplit

from courses.records import RecordError, ResourceRecord
from courses.sources import register
from courses.sources.base import (
    COMPLETE_FEED,
    N_,
    ConfigField,
    Source,
    SourceError,
    as_utc,
    local_path,
    unchanged_since,
)

FEED_VERSION = "kexu-feed/1"

# Feed item key -> record field, where they differ.
ITEM_KEYS = {"id": "external_id", "thumbnail": "thumbnail_url", "updated": "updated_at", "duration": "duration_minutes"}
# Feed-level keys an item inherits when it leaves them empty.
INHERITED_KEYS = ("provider", "level", "language", "licence", "sample")


def _absolute(url: str) -> str:
    """Make a local path a file:// URL so relative ``next`` links resolve against it."""
    path = local_path(url)
    return path.resolve().as_uri() if path is not None and urlsplit(url).scheme != "file" else url


def _with_since(url: str, since: datetime | None) -> str:
    """Tell an http server what we already have; a server may ignore it (we filter anyway)."""
    if since is None or local_path(url) is not None:
        return url
    parts = urlsplit(url)
    extra = urlencode({"since": since.isoformat()})
    query = f"{parts.query}&{extra}" if parts.query else extra
    return urlunsplit(parts._replace(query=query))


@register
class JsonFeedSource(Source):
    type = "json"
    name = "Kexu JSON feed"
    # More pages than max_pages fail the read, so a complete feed's read is whole or not at all.
    extra_fields = (ConfigField("max_pages", N_("Most pages to read"), kind="number", default=1000), COMPLETE_FEED)

    def fetch(self, since: datetime | None = None) -> Iterator[ResourceRecord | RecordError]:
        since = as_utc(since)
        url: str | None = _with_since(_absolute(self.config["url"]), since)
        seen: set[str] = set()
        inherited: dict = {}
        page_number = 0
        while url:
            if url in seen:
                raise SourceError(f"feed pages link in a loop at {url}")
            if page_number >= int(self.config["max_pages"]):
                raise SourceError(f"more than {self.config['max_pages']} pages; stopped at {url}")
            seen.add(url)
            page_number += 1
            page = self._read_page(url)
            # Feed-level values carry over to later pages that do not repeat them.
            inherited |= {key: page[key] for key in INHERITED_KEYS if page.get(key) not in (None, "")}
            yield from self._page_records(page, page_number, inherited, since)
            next_url = page.get("next")
            if next_url is not None and not isinstance(next_url, str):
                raise SourceError(f"'next' is not a URL on page {page_number}: {next_url!r}")
            url = urljoin(url, next_url) if next_url else None

    def _read_page(self, url: str) -> dict:
        body, _content_type = self.read_bytes(url)
        try:
            page = json.loads(body.decode("utf-8-sig"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise SourceError(f"not JSON at {url}: {exc}") from None
        if not isinstance(page, dict):
            raise SourceError(f"not a Kexu feed page at {url}: the top level is not an object")
        version = page.get("version")
        if not isinstance(version, str) or version.split(".")[0] != FEED_VERSION:
            raise SourceError(f"not a Kexu feed page at {url}: version is {version!r}, expected {FEED_VERSION!r}")
        if not isinstance(page.get("items"), list):
            raise SourceError(f"not a Kexu feed page at {url}: 'items' is not a list")
        return page

    def _page_records(self, page: dict, page_number: int, inherited: dict, since: datetime | None):
        for index, item in enumerate(page["items"], start=1):
            position = f"page {page_number} item {index}"
            if not isinstance(item, dict):
                yield RecordError("item is not an object", position=position)
                continue
            data = inherited | {ITEM_KEYS.get(key, key): value for key, value in item.items()}
            record = self.build(data, position)
            if not unchanged_since(record, since):
                yield record


def feed_page(items: list[dict], *, provider: str = "", level: str = "", next_url: str | None = None, **extra) -> dict:
    """A feed page as a dict (for writers of feeds: the bundled catalog, tests, exports)."""
    page: dict = {"version": FEED_VERSION}
    if provider:
        page["provider"] = provider
    if level:
        page["level"] = level
    page.update(extra)
    page["items"] = items
    page["next"] = next_url
    return page
