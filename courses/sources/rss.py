"""RSS 2.0 and Atom feeds, parsed by feedparser.

Entry link -> url, guid/id -> external id, summary -> description (tags stripped), updated or
published -> updated time, enclosures -> media type (and url when there is no link),
media:thumbnail -> thumbnail, categories -> subject and grades where they name one, and
itunes:duration -> duration. RFC 5005 ``<link rel="next">`` pages are followed.
"""

from __future__ import annotations

import calendar
import html
from collections.abc import Iterator
from datetime import UTC, datetime
from html.parser import HTMLParser
from urllib.parse import urljoin

from courses import normalize
from courses.records import RecordError, ResourceRecord
from courses.sources import register
from courses.sources.base import COMPLETE_FEED, N_, ConfigField, Source, SourceError, as_utc, unchanged_since

try:
    import feedparser
except ImportError:  # pragma: no cover - the source is simply not registered
    feedparser = None


class _TextExtractor(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def html_to_text(markup: str) -> str:
    """Plain text of a summary: the app's sanitizer handles rich text, a catalog keeps text."""
    if "<" not in markup:
        return html.unescape(markup).strip()
    extractor = _TextExtractor()
    extractor.feed(markup)
    extractor.close()
    return " ".join("".join(extractor.parts).split())


def _entry_time(entry) -> datetime | None:
    # dict.get skips feedparser's deprecated updated->published fallback (and its warning).
    parsed = dict.get(entry, "updated_parsed") or dict.get(entry, "published_parsed")
    # feedparser hands back UTC struct_time values.
    return datetime.fromtimestamp(calendar.timegm(parsed), UTC) if parsed else None


def _thumbnail(entry) -> str | None:
    for thumb in entry.get("media_thumbnail") or []:
        if thumb.get("url"):
            return thumb["url"]
    for enclosure in entry.get("enclosures") or []:
        if str(enclosure.get("type", "")).startswith("image/") and enclosure.get("href"):
            return enclosure["href"]
    return None


def _media_enclosure(entry):
    for enclosure in entry.get("enclosures") or []:
        media_type = normalize.normalize_media_type(enclosure.get("type"))
        if media_type and enclosure.get("href"):
            return enclosure["href"], media_type
    return None, None


@register
class RssSource(Source):
    type = "rss"
    name = "RSS / Atom feed"
    extra_fields = (
        ConfigField("max_pages", N_("Most pages to read"), kind="number", default=100),
        ConfigField(
            "media_type",
            N_("Media type of entries without an enclosure"),
            kind="choice",
            choices=("video", "courseware", "textbook", "mooc", "document", "audio", "other"),
        ),
        COMPLETE_FEED,
    )

    @classmethod
    def enabled(cls) -> bool:
        return feedparser is not None

    def fetch(self, since: datetime | None = None) -> Iterator[ResourceRecord | RecordError]:
        since = as_utc(since)
        url: str | None = self.config["url"]
        seen: set[str] = set()
        self.truncated = False
        while url and url not in seen and len(seen) < int(self.config["max_pages"]):
            seen.add(url)
            parsed = self._parse(url)
            yield from self._records(parsed, page=len(seen), since=since)
            next_links = [link.get("href") for link in parsed.feed.get("links", []) if link.get("rel") == "next"]
            url = urljoin(url, next_links[0]) if next_links and next_links[0] else None
        # Stopped at the page limit with a page still to read (a loop back to a read page is the end).
        self.truncated = bool(url) and url not in seen

    def _parse(self, url: str):
        body, content_type = self.read_bytes(url)
        parsed = feedparser.parse(body, response_headers={"content-type": content_type} if content_type else None)
        if parsed.get("bozo") and not parsed.entries and not parsed.feed.get("title"):
            reason = parsed.get("bozo_exception")
            raise SourceError(f"not an RSS or Atom feed at {url}: {reason}")
        if not parsed.get("version") and not parsed.entries:
            raise SourceError(f"not an RSS or Atom feed at {url}")
        return parsed

    def _records(self, parsed, page: int, since: datetime | None):
        feed = parsed.feed
        for index, entry in enumerate(parsed.entries, start=1):
            media_url, media_type = _media_enclosure(entry)
            link = entry.get("link")
            if link and not link.startswith(("http://", "https://")):
                link = None  # feedparser copies a non-URL <guid> into link (guidislink)
            stages_and_grades, subject = [], None
            for tag in entry.get("tags") or []:
                term = tag.get("term") or tag.get("label")
                if not term:
                    continue
                subject = subject or normalize.normalize_subject(term)
                if normalize.normalize_grade(term) or normalize.normalize_stage(term):
                    stages_and_grades.append(term)
            data = {
                "external_id": entry.get("id") or link or media_url,
                "title": entry.get("title"),
                "url": link or media_url,
                "description": html_to_text(entry.get("summary") or ""),
                "provider": self.config.get("provider") or feed.get("title"),
                "subject": subject,
                "grades": stages_and_grades,
                "media_type": media_type or self.config.get("media_type"),
                "thumbnail_url": _thumbnail(entry),
                "updated_at": _entry_time(entry),
                "language": feed.get("language"),
                "licence": entry.get("rights") or feed.get("rights"),
                "duration_minutes": _itunes_minutes(entry.get("itunes_duration")),
            }
            record = self.build(data, f"page {page} entry {index}")
            if not unchanged_since(record, since):
                yield record


def _itunes_minutes(value) -> int | None:
    """itunes:duration is seconds ("1200") or h:mm:ss; a malformed one is not worth a skipped record."""
    if not value:
        return None
    text = str(value).strip()
    try:
        if text.isdigit():
            return round(int(text) / 60)
        return normalize.parse_duration_minutes(text if text.count(":") == 2 else f"0:{text}")
    except ValueError:
        return None
