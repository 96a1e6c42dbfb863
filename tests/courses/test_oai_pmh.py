"""OAI-PMH 2.0 / oai_dc harvesting through Sickle against a real local repository."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from courses.records import MediaType, RecordError, ResourceRecord
from courses.sources import make_source
from courses.sources.base import SourceError
from tests.courses.conftest import LAN

XML = "text/xml; charset=utf-8"


def envelope(body: str) -> bytes:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/">
  <responseDate>2020-03-01T00:00:00Z</responseDate>
  <request>http://127.0.0.1/oai</request>
  {body}
</OAI-PMH>""".encode()


def dc_record(oai_id: str, datestamp: str, **dc: list[str] | str) -> str:
    elements = "".join(
        f"<dc:{name}>{value}</dc:{name}>"
        for name, values in dc.items()
        for value in (values if isinstance(values, list) else [values])
    )
    return f"""<record><header><identifier>{oai_id}</identifier><datestamp>{datestamp}</datestamp></header>
<metadata><oai_dc:dc xmlns:oai_dc="http://www.openarchives.org/OAI/2.0/oai_dc/"
  xmlns:dc="http://purl.org/dc/elements/1.1/">{elements}</oai_dc:dc></metadata></record>"""


PAGE_ONE = [
    dc_record(
        "oai:repo:1",
        "2020-02-17T00:00:00Z",
        title="二次函数的图像",
        description="配方法与顶点式",
        identifier=["urn:isbn:9787107", "https://repo.example.edu.cn/items/1"],
        subject=["数学", "九年级"],
        type="MovingImage",
        language="chi",
        rights="CC BY 4.0",
        publisher="某省教育资源中心",
    ),
    dc_record(
        "oai:repo:2", "2020-02-18", title="Quadratic equations", identifier="https://repo.example.edu.cn/items/2"
    ),
]
PAGE_TWO = [
    '<record><header status="deleted"><identifier>oai:repo:3</identifier>'
    "<datestamp>2020-02-19T00:00:00Z</datestamp></header></record>",
    # Malformed: a header and no metadata at all.
    "<record><header><identifier>oai:repo:4</identifier><datestamp>2020-02-19</datestamp></header></record>",
    # Malformed for Kexu: no http(s) identifier to link to.
    dc_record("oai:repo:5", "2020-02-19", title="无链接的资源", identifier="urn:uuid:5"),
]


def repository(identify_granularity="YYYY-MM-DD", first_token="page2"):
    def handle(query):
        verb = query.get("verb")
        if verb == "Identify":
            return (
                200,
                XML,
                envelope(
                    "<Identify><repositoryName>示例资源库</repositoryName><baseURL>http://127.0.0.1/oai</baseURL>"
                    "<protocolVersion>2.0</protocolVersion><earliestDatestamp>2020-01-01</earliestDatestamp>"
                    f"<deletedRecord>persistent</deletedRecord><granularity>{identify_granularity}</granularity></Identify>"
                ),
            )
        if verb != "ListRecords":
            return 200, XML, envelope('<error code="badVerb">no such verb</error>')
        token = query.get("resumptionToken")
        if token is None:
            if query.get("metadataPrefix") != "oai_dc":
                return 200, XML, envelope('<error code="cannotDisseminateFormat">oai_dc only</error>')
            if query.get("from", "") > "2020-12-31":
                return 200, XML, envelope('<error code="noRecordsMatch">nothing new</error>')
            records = "".join(PAGE_ONE)
            return (
                200,
                XML,
                envelope(
                    f'<ListRecords>{records}<resumptionToken completeListSize="5" cursor="0">{first_token}'
                    "</resumptionToken></ListRecords>"
                ),
            )
        if token == "page2":
            records = "".join(PAGE_TWO)
            return 200, XML, envelope(f'<ListRecords>{records}<resumptionToken completeListSize="5" cursor="2"/>'
                                      "</ListRecords>")  # fmt: skip
        return 200, XML, envelope('<error code="badResumptionToken">expired</error>')

    return handle


def harvest(url, since=None, **config):
    return list(make_source("oai_pmh", {"url": url, **config}, source_name="repo", address_policy=LAN).fetch(since))


def test_list_records_follows_resumption_tokens_and_maps_dublin_core(feed_server):
    url = feed_server.route("/oai", repository())

    results = harvest(url)

    assert len(results) == 5
    first, second, deleted, no_metadata, no_link = results
    assert isinstance(first, ResourceRecord)
    assert (first.external_id, first.title, first.url) == (
        "oai:repo:1",
        "二次函数的图像",
        "https://repo.example.edu.cn/items/1",
    )
    assert (first.subject, first.grades, first.media_type) == ("math", (9,), MediaType.VIDEO)
    assert (first.language, first.licence, first.provider) == ("zh", "CC BY 4.0", "某省教育资源中心")
    assert first.updated_at == datetime(2020, 2, 17, tzinfo=UTC)
    assert second.title == "Quadratic equations" and second.updated_at == datetime(2020, 2, 18, tzinfo=UTC)
    assert deleted.deleted and deleted.external_id == "oai:repo:3"
    assert isinstance(no_metadata, RecordError) and no_metadata.external_id == "oai:repo:4"
    assert isinstance(no_link, RecordError) and no_link.field == "url"
    assert [r.split("?")[1] for r in feed_server.requests] == [
        "metadataPrefix=oai_dc&verb=ListRecords",
        "resumptionToken=page2&verb=ListRecords",
    ]


def test_since_becomes_from_in_the_repositorys_granularity(feed_server):
    day_url = feed_server.route("/oai", repository("YYYY-MM-DD"))
    seconds_url = feed_server.route("/oai-seconds", repository("YYYY-MM-DDThh:mm:ssZ"))
    since = datetime(2020, 2, 17, 16, 30, tzinfo=UTC)

    harvest(day_url, since)
    harvest(seconds_url, since)

    list_requests = [r for r in feed_server.requests if "ListRecords" in r and "from=" in r]
    assert "from=2020-02-17&" in list_requests[0]
    assert "from=2020-02-17T16%3A30%3A00Z&" in list_requests[1]


def test_until_is_sent_with_from(feed_server):
    url = feed_server.route("/oai", repository())
    source = make_source("oai_pmh", {"url": url, "granularity": "day"}, address_policy=LAN)

    list(source.fetch(datetime(2020, 2, 1, tzinfo=UTC), until=datetime(2020, 2, 29, tzinfo=UTC)))

    assert "from=2020-02-01&until=2020-02-29" in feed_server.requests[0]


def test_no_records_match_is_an_empty_harvest_not_an_error(feed_server):
    url = feed_server.route("/oai", repository())

    assert harvest(url, datetime(2021, 6, 1, tzinfo=UTC), granularity="day") == []


def test_protocol_errors_fail_the_source_with_their_code(feed_server):
    url = feed_server.route("/oai", repository())

    with pytest.raises(SourceError, match="OAI-PMH error CannotDisseminateFormat: oai_dc only"):
        harvest(url, metadata_prefix="mods")


def test_an_expired_resumption_token_fails_the_harvest_after_the_records_already_read(feed_server):
    url = feed_server.route("/oai", repository(first_token="stale"))
    read = []

    with pytest.raises(SourceError, match="BadResumptionToken: expired"):
        for item in make_source("oai_pmh", {"url": url}, address_policy=LAN).fetch():
            read.append(item)

    assert [r.external_id for r in read] == ["oai:repo:1", "oai:repo:2"]


def test_garbage_http_errors_and_slow_repositories_fail_with_a_reason(feed_server):
    garbage = feed_server.route("/html", "<html><body>维护中</body></html>", "text/html")
    not_xml = feed_server.route("/text", "Service Unavailable", "text/plain")
    broken = feed_server.route("/broken", "boom", "text/plain", status=503)
    slow = feed_server.route("/slow", envelope("<ListRecords/>"), XML, delay=1.5)

    with pytest.raises(SourceError, match="not an OAI-PMH response"):
        harvest(garbage)
    with pytest.raises(SourceError, match="not an OAI-PMH response"):
        harvest(not_xml)
    with pytest.raises(SourceError, match="HTTP 503"):
        harvest(broken)
    with pytest.raises(SourceError, match="timed out after 0.3 s"):
        harvest(slow, timeout=0.3)


def test_the_connectivity_check_names_the_repository(feed_server):
    url = feed_server.route("/oai", repository())

    assert make_source("oai_pmh", {"url": url}, address_policy=LAN).test() == "OK: 示例资源库 (OAI-PMH 2.0)"
