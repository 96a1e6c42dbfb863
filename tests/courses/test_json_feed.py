"""The Kexu JSON feed adapter against a real local HTTP server and the bundled sample files."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from courses.catalogs import sample_feed_paths
from courses.records import Level, MediaType, RecordError, ResourceRecord
from courses.sources import make_source
from courses.sources.base import SourceError
from tests.courses.conftest import LAN


def page(items, next_url=None, **extra):
    return json.dumps({"version": "kexu-feed/1", **extra, "items": items, "next": next_url}, ensure_ascii=False)


LESSON = {
    "id": "sx9-01",
    "title": "二次函数的图像和性质",
    "url": "https://example.edu.cn/l/sx9-01",
    "subject": "数学",
    "grades": ["九年级"],
    "edition": "人教版",
    "chapter": "第二十二章 二次函数",
    "duration_minutes": 20,
    "media_type": "视频",
    "updated": "2020-02-17T08:00:00+08:00",
}


def test_pages_are_followed_through_relative_next_links(feed_server):
    first = feed_server.route(
        "/feed/1.json",
        page([LESSON], next_url="2.json", provider="国家中小学网络云平台", level="national"),
        "application/json",
    )
    feed_server.route(
        "/feed/2.json",
        page([{**LESSON, "id": "sx9-02", "title": "Quadratic functions", "url": "https://example.edu.cn/l/2"}]),
        "application/json",
    )

    records = list(make_source("json", {"url": first}, source_name="national", address_policy=LAN).fetch())

    assert [r.external_id for r in records] == ["sx9-01", "sx9-02"]
    lesson = records[0]
    assert lesson.provider == "国家中小学网络云平台"
    assert lesson.level is Level.NATIONAL
    assert (lesson.subject, lesson.grades, lesson.stages) == ("math", (9,), ("junior",))
    assert lesson.media_type is MediaType.VIDEO
    assert lesson.updated_at == datetime(2020, 2, 17, 0, 0, tzinfo=UTC)
    assert lesson.origin.source == "national" and lesson.origin.external_id == "sx9-01"
    # The second page did not repeat the feed-level provider: it carries over.
    assert records[1].provider == "国家中小学网络云平台"


def test_a_malformed_item_is_reported_and_the_rest_still_arrive(feed_server):
    items = [LESSON, {"id": "bad-1", "url": "https://example.edu.cn/x"}, "not an object", {**LESSON, "id": "ok-2"}]
    url = feed_server.route("/feed.json", page(items), "application/json")

    results = list(make_source("json", {"url": url}, address_policy=LAN).fetch())

    errors = [r for r in results if isinstance(r, RecordError)]
    assert [r.external_id for r in results if isinstance(r, ResourceRecord)] == ["sx9-01", "ok-2"]
    assert str(errors[0]) == "record 'bad-1' at page 1 item 2: field 'title': missing"
    assert errors[1].position == "page 1 item 3"


def test_withdrawn_items_arrive_as_deleted_records(feed_server):
    url = feed_server.route("/feed.json", page([{"id": "sx9-01", "deleted": True}]), "application/json")

    (record,) = make_source("json", {"url": url}, address_policy=LAN).fetch()

    assert record.deleted and record.external_id == "sx9-01"


def test_since_is_sent_to_the_server_and_older_items_are_skipped_anyway(feed_server):
    old = {**LESSON, "id": "old", "updated": "2020-02-01T00:00:00Z"}
    url = feed_server.route("/feed.json", page([old, LESSON]), "application/json")

    records = list(make_source("json", {"url": url}, address_policy=LAN).fetch(since=datetime(2020, 2, 10, tzinfo=UTC)))

    assert [r.external_id for r in records] == ["sx9-01"]
    assert "since=2020-02-10" in feed_server.requests[0]


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ("<html>maintenance</html>", "not JSON"),
        (json.dumps({"version": "other/2", "items": []}), "expected 'kexu-feed/1'"),
        (json.dumps({"version": "kexu-feed/1", "items": {}}), "'items' is not a list"),
    ],
)
def test_a_page_that_is_not_a_kexu_feed_fails_the_source_with_a_reason(feed_server, body, reason):
    url = feed_server.route("/feed.json", body, "application/json")

    with pytest.raises(SourceError, match=reason):
        list(make_source("json", {"url": url}, address_policy=LAN).fetch())


def test_http_errors_and_unreachable_servers_fail_the_source(feed_server):
    broken = feed_server.route("/feed.json", "oops", "text/plain", status=500)

    with pytest.raises(SourceError, match="HTTP 500"):
        list(make_source("json", {"url": broken}, address_policy=LAN).fetch())
    with pytest.raises(SourceError, match="HTTP 404"):
        list(make_source("json", {"url": feed_server.url("/missing.json")}, address_policy=LAN).fetch())


def test_a_slow_server_times_out_with_a_source_error(feed_server):
    url = feed_server.route("/slow.json", page([LESSON]), "application/json", delay=1.5)

    with pytest.raises(SourceError, match=r"timed out after 0.3 s"):
        list(make_source("json", {"url": url, "timeout": 0.3}, address_policy=LAN).fetch())


def test_next_links_that_loop_stop_the_harvest(feed_server):
    url = feed_server.route("/a.json", page([LESSON], next_url="/a.json"), "application/json")

    with pytest.raises(SourceError, match="loop"):
        list(make_source("json", {"url": url}, address_policy=LAN).fetch())


def test_the_connectivity_check_reports_what_it_read(feed_server):
    url = feed_server.route("/feed.json", page([LESSON, {"id": "x"}]), "application/json")

    assert (
        make_source("json", {"url": url}, address_policy=LAN).test()
        == "OK: read 1 record(s), 1 malformed, from the first items"
    )


def test_local_files_are_refused_unless_the_caller_allows_them():
    path = sample_feed_paths()[0]

    for url in (str(path), path.as_uri(), "/etc/passwd"):
        with pytest.raises(SourceError, match="local files are not allowed"):
            list(make_source("json", {"url": url}, address_policy=LAN).fetch())
    with pytest.raises(SourceError, match="unsupported URL scheme 'gopher'"):
        list(make_source("json", {"url": "gopher://example.org/feed"}).fetch())


def test_the_bundled_sample_catalog_loads_from_local_paths_and_file_urls():
    paths = sample_feed_paths()
    records = [
        record
        for index, path in enumerate(paths)
        # Alternate between a plain path and a file:// URL: both must work, paging included.
        for record in make_source(
            "json", {"url": path.as_uri() if index % 2 else str(path)}, allow_local_files=True
        ).fetch()
    ]

    assert all(isinstance(r, ResourceRecord) for r in records)
    assert 250 <= len(records) <= 400
    assert all(r.sample for r in records)
    assert {g for r in records for g in r.grades} == set(range(7, 13))
    assert len({r.subject for r in records}) >= 9
    assert {r.level for r in records} == {Level.NATIONAL, Level.PROVINCIAL}
    assert all(r.unrecognised == () for r in records)
