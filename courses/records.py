"""The normalised resource record every source adapter produces.

Adapters turn their format's fields into a plain mapping and call :func:`build_record`, which
normalises vocabulary, checks required fields and raises :class:`RecordError` naming the record
and the field at fault, so a harvest can skip one bad item and report it.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo

from dateutil import parser as date_parser

from courses import normalize


class Level(enum.StrEnum):
    NATIONAL = "national"
    PROVINCIAL = "provincial"
    MUNICIPAL = "municipal"
    SCHOOL = "school"


class MediaType(enum.StrEnum):
    VIDEO = "video"
    COURSEWARE = "courseware"
    TEXTBOOK = "textbook"
    MOOC = "mooc"
    DOCUMENT = "document"
    AUDIO = "audio"
    OTHER = "other"


class RecordError(Exception):
    """One malformed record: which one (id and/or position in the feed), which field, why."""

    def __init__(self, reason: str, *, field: str | None = None, external_id: str | None = None, position=None):
        self.reason = reason
        self.field = field
        self.external_id = external_id
        self.position = position
        super().__init__(str(self))

    def __str__(self) -> str:
        where = []
        if self.external_id:
            where.append(f"record {self.external_id!r}")
        if self.position is not None:
            where.append(f"at {self.position}")
        prefix = " ".join(where) or "record"
        if self.field:
            return f"{prefix}: field {self.field!r}: {self.reason}"
        return f"{prefix}: {self.reason}"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, RecordError) and str(self) == str(other)

    def __hash__(self) -> int:
        return hash(str(self))


@dataclass(frozen=True)
class Origin:
    """Where a record came from: the configured source's name and the record's id there."""

    source: str
    external_id: str
    url: str


@dataclass(frozen=True)
class ResourceRecord:
    external_id: str
    title: str
    url: str
    description: str = ""
    level: Level | None = None
    provider: str = ""
    subject: str | None = None
    stages: tuple[str, ...] = ()
    grades: tuple[int, ...] = ()
    edition: str | None = None
    chapter: str | None = None
    duration_minutes: int | None = None
    language: str | None = None
    licence: str | None = None
    media_type: MediaType = MediaType.OTHER
    thumbnail_url: str | None = None
    updated_at: datetime | None = None
    deleted: bool = False
    sample: bool = False
    source: str = ""
    # Vocabulary the normaliser did not recognise (kept, not lost: shown to the catalog admin).
    unrecognised: tuple[str, ...] = field(default=(), compare=False)

    @property
    def origin(self) -> Origin:
        return Origin(source=self.source, external_id=self.external_id, url=self.url)


RECORD_FIELDS = (
    "external_id",
    "title",
    "url",
    "description",
    "level",
    "provider",
    "subject",
    "stages",
    "grades",
    "edition",
    "chapter",
    "duration_minutes",
    "language",
    "licence",
    "media_type",
    "thumbnail_url",
    "updated_at",
    "deleted",
    "sample",
)


def parse_time(value: object, default_tz: tzinfo = UTC) -> datetime | None:
    """Aware UTC datetime from an ISO 8601 / RFC 2822 string or a datetime.

    A time without an offset is read in ``default_tz`` (a CSV typed in Beijing means Beijing).
    """
    if value is None or (isinstance(value, str) and value.strip() == ""):
        return None
    if isinstance(value, datetime):
        moment = value
    else:
        try:
            # ISO 8601 (what feeds mostly send) parses ~50x faster here than in dateutil.
            moment = datetime.fromisoformat(str(value).strip())
        except ValueError:
            moment = None
        try:
            moment = moment or date_parser.parse(str(value))
        except (ValueError, OverflowError) as exc:
            raise ValueError(f"not a date/time: {value!r}") from exc
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=default_tz)
    return moment.astimezone(UTC)


def _is_http_url(value: str) -> bool:
    try:
        normalize.canonical_url(value)
    except ValueError:
        return False
    return True


def _text(data: Mapping, key: str) -> str:
    return normalize.clean_text(data.get(key))


def build_record(
    data: Mapping,
    *,
    source: str = "",
    position=None,
    defaults: Mapping | None = None,
    default_tz: tzinfo = UTC,
) -> ResourceRecord:
    """Validate and normalise one raw record (keys as in :data:`RECORD_FIELDS`).

    ``defaults`` fills fields the item leaves empty (a feed's provider and level). Raises
    RecordError for a missing title/URL, an unknown level or media type, a bad duration or
    date. A deleted record only needs its id.
    """
    merged = {**(defaults or {}), **{k: v for k, v in data.items() if v not in (None, "", [])}}
    external_id = _text(merged, "external_id") or _text(merged, "url")

    def fail(field_name: str, reason: str) -> RecordError:
        return RecordError(reason, field=field_name, external_id=external_id or None, position=position)

    if not external_id:
        raise fail("external_id", "missing (and no url to stand in for it)")
    deleted = _as_bool(merged.get("deleted"))
    if deleted:
        url = _text(merged, "url")
        return ResourceRecord(
            external_id=external_id, title=_text(merged, "title"), url=url, deleted=True, source=source
        )

    title = _text(merged, "title")
    if not title:
        raise fail("title", "missing")
    url = _text(merged, "url")
    if not url:
        raise fail("url", "missing")
    if not _is_http_url(url):
        raise fail("url", f"not an absolute http(s) URL: {url!r}")
    thumbnail = _text(merged, "thumbnail_url") or None
    if thumbnail and not _is_http_url(thumbnail):
        raise fail("thumbnail_url", f"not an absolute http(s) URL: {thumbnail!r}")

    level = None
    if merged.get("level") is not None:
        level = normalize.normalize_level(merged["level"])
        if level is None:
            raise fail("level", f"unknown level {merged['level']!r} (national, provincial, municipal or school)")
    media_type = "other"
    if merged.get("media_type") is not None:
        media_type = normalize.normalize_media_type(merged["media_type"])
        if media_type is None:
            raise fail("media_type", f"unknown media type {merged['media_type']!r}")
    try:
        duration = normalize.parse_duration_minutes(merged.get("duration_minutes"))
    except ValueError as exc:
        raise fail("duration_minutes", str(exc)) from None
    try:
        updated_at = parse_time(merged.get("updated_at"), default_tz)
    except ValueError as exc:
        raise fail("updated_at", str(exc)) from None

    unrecognised: list[str] = []
    subject = normalize.normalize_subject(merged.get("subject"))
    if merged.get("subject") and subject is None:
        unrecognised.append(f"subject:{merged['subject']}")
    stage_words = normalize.split_list(merged.get("stages")) + normalize.split_list(merged.get("grades"))
    stages, grades, unknown_words = normalize.parse_stages_and_grades(stage_words)
    unrecognised.extend(f"grade:{word}" for word in unknown_words)

    return ResourceRecord(
        external_id=external_id,
        title=title,
        url=url,
        description=str(merged.get("description") or "").strip(),
        level=Level(level) if level else None,
        provider=_text(merged, "provider"),
        subject=subject,
        stages=stages,
        grades=grades,
        edition=_text(merged, "edition") or None,
        chapter=_text(merged, "chapter") or None,
        duration_minutes=duration,
        language=normalize.normalize_language(merged.get("language")),
        licence=_text(merged, "licence") or None,
        media_type=MediaType(media_type),
        thumbnail_url=thumbnail,
        updated_at=updated_at,
        sample=_as_bool(merged.get("sample")),
        source=source,
        unrecognised=tuple(unrecognised),
    )


def _as_bool(value: object) -> bool:
    if isinstance(value, str):
        return normalize.fold(value) in {"1", "true", "yes", "y", "是", "t"}
    return bool(value)
