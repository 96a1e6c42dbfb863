"""The Source base class: one configured feed that yields normalised records.

Modelled on redash's query runners: a class per format with a ``type`` name, a configuration
schema the app turns into a form, an ``enabled()`` check for optional dependencies and a
registry (see ``courses.sources``). Nothing here knows about Flask or the database.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import unquote, urlsplit

import requests

from courses.records import RecordError, ResourceRecord, build_record
from courses.sources.errors import SourceError
from courses.sources.netguard import STRICT, AddressPolicy, GuardedSession

DEFAULT_TIMEOUT_SECONDS = 20.0
USER_AGENT = "Kexu-catalog-harvester/1"


def N_(text: str) -> str:
    """Marks a form label for translation without translating it here (courses/ knows no locale):
    `flask translations update` extracts it (babel.cfg) and the form translates it when shown."""
    return text


@dataclass(frozen=True)
class ConfigField:
    """One entry of a source's configuration form."""

    name: str
    label: str
    required: bool = False
    kind: str = "string"  # string | url | number | boolean | choice
    default: object = None
    choices: tuple[str, ...] = ()
    help: str = ""

    def to_dict(self) -> dict:
        return {
            "name": self.name,
            "label": self.label,
            "required": self.required,
            "kind": self.kind,
            "default": self.default,
            "choices": list(self.choices),
            "help": self.help,
        }


# Fields every source has; an adapter's own fields come after these.
COMMON_FIELDS = (
    ConfigField("url", N_("Feed URL"), required=True, kind="url", help=N_("http(s) URL")),
    ConfigField("provider", N_("Provider name"), help=N_("Used when an item names no provider")),
    ConfigField("level", N_("Level"), kind="choice", choices=("national", "provincial", "municipal", "school")),
    ConfigField("timeout", N_("Timeout (seconds)"), kind="number", default=DEFAULT_TIMEOUT_SECONDS),
)
# For formats that carry no deletion signal (RSS/Atom) or may leave deletions out (JSON feeds):
# the source's owner says whether each full read lists everything (the harvest then withdraws
# what is missing; docs/catalog-search.md).
COMPLETE_FEED = ConfigField(
    "complete_feed",
    N_("Complete feed"),
    kind="boolean",
    default=False,
    help=N_("Every read lists all of the source's resources, so one missing from a full read was withdrawn"),
)


class Source:
    """Base class. Subclasses set ``type``/``name`` and implement :meth:`fetch`."""

    type: str = ""
    name: str = ""
    extra_fields: tuple[ConfigField, ...] = ()

    def __init__(self, config: Mapping, source_name: str = "", *, allow_local_files: bool = False,
                 address_policy: AddressPolicy = STRICT):  # fmt: skip
        missing = [f.name for f in self.config_fields() if f.required and not config.get(f.name)]
        if missing:
            raise SourceError(f"{self.type} source: missing configuration: {', '.join(missing)}")
        self.config = {f.name: f.default for f in self.config_fields() if f.default is not None} | dict(config)
        self.source_name = source_name or str(self.config.get("name") or self.type)
        # Reading server files is for trusted callers (bundled catalogs, CLI), never for a URL
        # typed into a form: a path such as /etc/passwd would come back in error messages.
        self.allow_local_files = allow_local_files
        # Which hosts the server may be sent to (courses.sources.netguard); public ones by default.
        self.address_policy = address_policy
        self._session: GuardedSession | None = None
        # Set by fetch() when it stopped before the end (a page limit): the read was not whole.
        self.truncated = False

    @classmethod
    def enabled(cls) -> bool:
        """False when an optional dependency is missing; such a source is not registered."""
        return True

    @classmethod
    def config_fields(cls) -> tuple[ConfigField, ...]:
        return COMMON_FIELDS + cls.extra_fields

    @classmethod
    def configuration_schema(cls) -> dict:
        return {"type": cls.type, "name": cls.name, "fields": [f.to_dict() for f in cls.config_fields()]}

    @property
    def timeout(self) -> float:
        try:
            return float(self.config.get("timeout") or DEFAULT_TIMEOUT_SECONDS)
        except (TypeError, ValueError):
            raise SourceError(f"timeout is not a number: {self.config.get('timeout')!r}") from None

    @property
    def defaults(self) -> dict:
        """Values an item inherits when it leaves them empty."""
        return {key: self.config[key] for key in ("provider", "level") if self.config.get(key)}

    def fetch(self, since: datetime | None = None) -> Iterator[ResourceRecord | RecordError]:
        """Yield records changed since ``since`` (all when None) and RecordErrors for bad items.

        Raises SourceError when the source as a whole cannot be read.
        """
        raise NotImplementedError

    def test(self) -> str:
        """Quick connectivity check: read the first page and say what was found, or raise SourceError."""
        count = 0
        errors = 0
        for item in self.fetch(None):
            if isinstance(item, RecordError):
                errors += 1
            else:
                count += 1
            if count + errors >= 5:
                break
        return f"OK: read {count} record(s), {errors} malformed, from the first items"

    # --- reading -------------------------------------------------------------------------

    def read_bytes(self, url: str) -> tuple[bytes, str]:
        """Body and content type of ``url`` (http(s), file:// or a local path)."""
        local = local_path(url)
        if local is not None:
            if not self.allow_local_files:
                raise SourceError(f"local files are not allowed for this source: {url}")
            try:
                return local.read_bytes(), ""
            except OSError as exc:
                raise SourceError(f"cannot read {local}: {exc.strerror or exc}") from exc
        response = self.http_get(url)
        return response.content, response.headers.get("Content-Type", "")

    @property
    def session(self) -> GuardedSession:
        """The one way this source reaches the network: each request, redirect and connection
        is checked against ``address_policy``."""
        if self._session is None:
            self._session = GuardedSession(self.address_policy)
            self._session.headers["User-Agent"] = USER_AGENT
        return self._session

    def http_get(self, url: str, **kwargs) -> requests.Response:
        """GET with the configured timeout; every failure becomes a SourceError with a reason."""
        try:
            response = self.session.get(url, timeout=self.timeout, **kwargs)
        except requests.Timeout:
            raise SourceError(f"timed out after {self.timeout:g} s: {url}") from None
        except requests.RequestException as exc:
            raise SourceError(f"cannot reach {url}: {exc.__class__.__name__}: {exc}") from None
        if response.status_code >= 400:
            raise SourceError(f"HTTP {response.status_code} {response.reason} from {url}")
        return response

    def build(self, data: Mapping, position, **kwargs) -> ResourceRecord | RecordError:
        """Shared by the adapters: a RecordError is returned (to be yielded), not raised."""
        try:
            return build_record(data, source=self.source_name, position=position, defaults=self.defaults, **kwargs)
        except RecordError as exc:
            return exc


def as_utc(since: datetime | None) -> datetime | None:
    """``since`` as aware UTC (a naive value is taken to be UTC already)."""
    if since is None:
        return None
    return since.replace(tzinfo=UTC) if since.tzinfo is None else since.astimezone(UTC)


def unchanged_since(item: ResourceRecord | RecordError, since: datetime | None) -> bool:
    """True for a record the server sent although it has not changed since ``since``.

    Servers may ignore a ``since``/``from`` hint; records without a time are always kept.
    """
    return (
        since is not None
        and isinstance(item, ResourceRecord)
        and item.updated_at is not None
        and item.updated_at < since
    )


def local_path(url: str) -> Path | None:
    """A Path for file:// URLs and plain paths; None for http(s)."""
    parts = urlsplit(str(url))
    if parts.scheme in ("http", "https"):
        return None
    if parts.scheme == "file":
        return Path(unquote(parts.path))
    if parts.scheme and len(parts.scheme) > 1:  # "c:" style drive letters are paths, other schemes are not
        raise SourceError(f"unsupported URL scheme {parts.scheme!r}: {url}")
    return Path(url)
