"""OAI-PMH 2.0 repositories (ListRecords with oai_dc), harvested through Sickle.

Sickle sends the requests and follows resumptionToken paging; this adapter maps each record's
Dublin Core to a ResourceRecord, turns ``status="deleted"`` headers into deleted records and
turns protocol errors, timeouts and non-XML answers into a SourceError with a reason.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime

from courses import normalize
from courses.records import RecordError, ResourceRecord
from courses.sources import register
from courses.sources.base import N_, USER_AGENT, ConfigField, Source, SourceError, as_utc

try:
    import requests
    from lxml import etree
    from sickle import Sickle, oaiexceptions
    from sickle.models import Record
except ImportError:  # pragma: no cover - the source is simply not registered
    Sickle = None
    Record = object
else:

    class _SessionSickle(Sickle):
        """Sickle sending its requests through the source's guarded session (redirects included)."""

        def __init__(self, endpoint, *, session, **kwargs):
            super().__init__(endpoint, **kwargs)
            self.session = session

        def _request(self, kwargs):
            if self.http_method == "GET":
                return self.session.get(self.endpoint, params=kwargs, **self.request_args)
            return self.session.post(self.endpoint, data=kwargs, **self.request_args)


SECONDS_GRANULARITY = "YYYY-MM-DDThh:mm:ssZ"
OAI_NAMESPACE = "http://www.openarchives.org/OAI/2.0/"


class _TolerantRecord(Record):
    """A Record that keeps a structural fault (no metadata, no header) instead of raising.

    Sickle maps each <record> element as it iterates; a raise there would end the harvest at
    one bad record, so the fault is stored and reported as a RecordError instead.
    """

    def __init__(self, record_element, strip_ns=True):
        self.fault = None
        try:
            super().__init__(record_element, strip_ns=strip_ns)
        except (AttributeError, IndexError, TypeError) as exc:
            self.fault = exc
            self.xml = record_element
            ids = record_element.xpath(".//*[local-name()='header']/*[local-name()='identifier']/text()")
            self.identifier = ids[0] if ids else None
        else:
            self.identifier = self.header.identifier


def _first(metadata: dict, key: str) -> str | None:
    values = [value for value in metadata.get(key) or [] if value and value.strip()]
    return values[0].strip() if values else None


def _oai_time(moment: datetime, seconds: bool) -> str:
    moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ") if seconds else moment.strftime("%Y-%m-%d")


def dublin_core_fields(metadata: dict) -> dict:
    """Record fields from an oai_dc dict (element name -> list of values)."""
    urls = [value.strip() for value in metadata.get("identifier") or [] if value and value.strip().startswith("http")]
    subjects = [value for value in metadata.get("subject") or [] if value]
    subject = next((s for s in map(normalize.normalize_subject, subjects) if s), None)
    grade_words = [s for s in subjects if normalize.normalize_grade(s) or normalize.normalize_stage(s)]
    kinds = (metadata.get("type") or []) + (metadata.get("format") or [])
    media_type = next((m for m in map(normalize.normalize_media_type, kinds) if m), None)
    descriptions = [value.strip() for value in metadata.get("description") or [] if value and value.strip()]
    return {
        "title": _first(metadata, "title"),
        "description": "\n\n".join(descriptions),
        "url": urls[0] if urls else None,
        "provider": _first(metadata, "publisher"),
        "subject": subject,
        "grades": grade_words,
        "media_type": media_type,
        "language": _first(metadata, "language"),
        "licence": _first(metadata, "rights"),
        "updated_at": _first(metadata, "date"),
    }


@register
class OaiPmhSource(Source):
    type = "oai_pmh"
    name = "OAI-PMH repository"
    extra_fields = (
        ConfigField("metadata_prefix", N_("Metadata prefix"), default="oai_dc"),
        ConfigField("set", N_("Set (setSpec)"), help=N_("Harvest one set only")),
        ConfigField(
            "granularity", N_("Date granularity"), kind="choice", default="auto", choices=("auto", "day", "seconds")
        ),
    )

    @classmethod
    def enabled(cls) -> bool:
        return Sickle is not None

    def _client(self) -> Sickle:
        return _SessionSickle(
            self.config["url"],
            session=self.session,
            class_mapping={"ListRecords": _TolerantRecord},
            timeout=self.timeout,
            headers={"User-Agent": USER_AGENT},
        )

    def _guard(self, call: Callable):
        """Run one Sickle step, translating its failures into SourceError (None: no records match)."""
        try:
            return call()
        except requests.Timeout:
            raise SourceError(f"timed out after {self.timeout:g} s: {self.config['url']}") from None
        except requests.HTTPError as exc:
            status = exc.response.status_code if exc.response is not None else "?"
            raise SourceError(f"HTTP {status} from {self.config['url']}") from None
        except requests.RequestException as exc:
            raise SourceError(f"cannot reach {self.config['url']}: {exc.__class__.__name__}") from None
        except oaiexceptions.NoRecordsMatch:
            return None
        except (AttributeError, etree.XMLSyntaxError):
            # lxml's recovering parser yields no tree for a body that is not XML at all.
            raise SourceError(f"not an OAI-PMH response from {self.config['url']}") from None
        except Exception as exc:
            if type(exc).__module__ == oaiexceptions.__name__:
                raise SourceError(f"OAI-PMH error {type(exc).__name__}: {exc}") from None
            raise

    def _seconds_granularity(self, client: Sickle) -> bool:
        choice = self.config.get("granularity", "auto")
        if choice != "auto":
            return choice == "seconds"
        identify = self._guard(client.Identify)
        return getattr(identify, "granularity", "") == SECONDS_GRANULARITY

    def fetch(
        self, since: datetime | None = None, until: datetime | None = None
    ) -> Iterator[ResourceRecord | RecordError]:
        since, until = as_utc(since), as_utc(until)
        client = self._client()
        params = {"metadataPrefix": self.config["metadata_prefix"]}
        if self.config.get("set"):
            params["set"] = self.config["set"]
        if since or until:
            seconds = self._seconds_granularity(client)
            if since:
                params["from"] = _oai_time(since, seconds)
            if until:
                params["until"] = _oai_time(until, seconds)
        records = self._guard(lambda: client.ListRecords(**params))
        if records is None:
            return
        position, checked = 0, None
        while True:
            record = self._guard(lambda: next(records, None))
            if records.oai_response is not checked:  # a new page arrived: is it OAI-PMH at all?
                checked = records.oai_response
                self._check_envelope(checked)
            if record is None:
                return
            position += 1
            yield self._convert(record, f"record {position}")

    def _check_envelope(self, response) -> None:
        # An HTML error page parses as XML too and would look like an empty repository.
        root = self._guard(lambda: response.xml)
        if root is None or root.tag != f"{{{OAI_NAMESPACE}}}OAI-PMH":
            raise SourceError(f"not an OAI-PMH response from {self.config['url']}")

    def _convert(self, record: _TolerantRecord, position: str) -> ResourceRecord | RecordError:
        if record.fault is not None:
            return RecordError("no header or metadata in the record", external_id=record.identifier, position=position)
        header = record.header
        if record.deleted:
            return self.build({"external_id": header.identifier, "deleted": True}, position)
        data = dublin_core_fields(record.metadata)
        data["external_id"] = header.identifier
        # The header datestamp is what from/until compare against, so it is the record's change time.
        data["updated_at"] = header.datestamp or data["updated_at"]
        return self.build(data, position)

    def test(self) -> str:
        identify = self._guard(self._client().Identify)
        name = getattr(identify, "repositoryName", "") or self.config["url"]
        return f"OK: {name} (OAI-PMH {getattr(identify, 'protocolVersion', '?')})"
