"""Whole harvests of RSS/Atom, CSV and OAI-PMH sources served by a real local HTTP server:
paging, withdrawals, malformed records and slow sources, seen through the catalog."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.catalog.harvest import harvest_source
from app.catalog.models import HarvestRun, LessonPlanItem, Resource, RunStatus
from app.catalog.plans import plan_items
from app.catalog.search import search_resources
from app.core.permissions import can
from app.extensions import db
from tests.app.catalog.conftest import feed, lesson
from tests.courses.test_oai_pmh import XML, dc_record, envelope
from tests.courses.test_rss import ATOM_PAGE

CSV_HEADER = "编号,标题,链接,学科,年级,已下架\r\n"


def harvest(source, **kwargs) -> HarvestRun:
    run = harvest_source(source, **kwargs)
    db.session.commit()
    return run


def titles(school) -> list[str]:
    query = select(Resource.title).where(Resource.school_id == school.id, Resource.withdrawn.is_(False))
    return sorted(db.session.scalars(query))


def found(viewer, query: str) -> list[str]:
    return [resource.title for resource in search_resources(viewer, query, {}, None, 1, 20).items]


def plan(people, title: str) -> Resource:
    resource = db.session.scalar(select(Resource).where(Resource.title == title))
    db.session.add(LessonPlanItem(course_id=people.course.id, resource_id=resource.id))
    db.session.commit()
    return resource


def assert_withdrawn_but_kept_where_assigned(people, resource: Resource, query: str) -> None:
    db.session.refresh(resource)
    assert resource.withdrawn
    assert resource.title not in found(people.teacher, query)
    assert resource in [item.resource for item in plan_items(people.course)]
    assert can(people.student, "resource.view", resource)  # the student's course plans it


def assert_slow_source_fails_and_the_next_one_harvests(make_catalog_source, slow_url, source_type, people):
    slow = make_catalog_source(slow_url, type=source_type, name="slow", timeout=0.3, school_unit=people.school)
    good_url = make_catalog_source.server.route("/good.json", feed([lesson("g", "按时到达的课")]), "application/json")
    good = make_catalog_source(good_url, name="good", school_unit=people.school)
    runs = [harvest(slow), harvest(good)]
    assert [run.status for run in runs] == [RunStatus.FAILED, RunStatus.SUCCEEDED]
    assert "timed out" in runs[0].message and slow.last_success_at is None
    assert "按时到达的课" in titles(people.school)


@pytest.fixture
def sources(make_catalog_source, feed_server):
    make_catalog_source.server = feed_server
    return make_catalog_source


def atom_page(entry_id: str, title: str, next_path: str | None = None) -> str:
    next_link = f'<link rel="next" href="{next_path}"/>' if next_path else ""
    return ATOM_PAGE.format(next_link=next_link, entry_id=entry_id, title=title, updated="2020-03-01T00:00:00Z")


def test_an_atom_feed_is_harvested_across_pages_and_a_malformed_entry_is_reported(feed_server, sources, people):
    feed_server.route("/atom.xml", atom_page("p1", "Newton's laws of motion", "/atom-2.xml"), "application/atom+xml")
    feed_server.route("/atom-2.xml", atom_page("p2", "", "/atom-3.xml"), "application/atom+xml")  # no title
    feed_server.route("/atom-3.xml", atom_page("p3", "Electric circuits"), "application/atom+xml")
    url = feed_server.url("/atom.xml")
    run = harvest(sources(url, type="rss", level="municipal", school_unit=people.school))
    assert run.status == RunStatus.PARTIAL and run.added == 2
    assert [(error["external_id"], error["field"]) for error in run.errors] == [("urn:example:p2", "title")]
    assert titles(people.school) == ["Electric circuits", "Newton's laws of motion"]
    assert found(people.teacher, "circuits") == ["Electric circuits"]
    assert set(found(people.teacher, "物理")) == {"Electric circuits", "Newton's laws of motion"}  # their subject


def test_a_slow_rss_feed_fails_with_its_reason_and_the_next_source_still_harvests(feed_server, sources, people):
    slow_url = feed_server.route("/slow.xml", atom_page("s", "Slow"), "application/atom+xml", delay=1.5)
    assert_slow_source_fails_and_the_next_one_harvests(sources, slow_url, "rss", people)


def test_a_csv_harvest_withdraws_deleted_and_removed_rows_and_skips_a_malformed_one(feed_server, sources, people):
    rows = (
        "sx-1,有理数的乘方,https://example.edu.cn/sx-1,数学,初一,\r\n"
        "sx-2,整式的加减,https://example.edu.cn/sx-2,数学,初一,\r\n"
        "sx-3,没有链接的课,,数学,初一,\r\n"
        "sx-4,一元一次方程,https://example.edu.cn/sx-4,数学,初一,\r\n"
    )
    url = feed_server.route("/school.csv", CSV_HEADER + rows, "text/csv")
    source = sources(url, type="csv", level="school", school_unit=people.school)
    first = harvest(source)
    assert first.status == RunStatus.PARTIAL and first.added == 3
    assert [(error["external_id"], error["field"]) for error in first.errors] == [("sx-3", "url")]
    assigned = plan(people, "有理数的乘方")

    rows = (
        "sx-1,有理数的乘方,https://example.edu.cn/sx-1,数学,初一,是\r\n"  # marked withdrawn
        "sx-4,一元一次方程,https://example.edu.cn/sx-4,数学,初一,\r\n"  # sx-2 removed from the sheet
    )
    feed_server.route("/school.csv", CSV_HEADER + rows, "text/csv")
    second = harvest(source)
    assert (second.status, second.withdrawn, second.unchanged, second.added) == (RunStatus.SUCCEEDED, 2, 1, 0)
    assert titles(people.school) == ["一元一次方程"]
    assert_withdrawn_but_kept_where_assigned(people, assigned, "有理数")
    again = harvest(source)
    assert (again.withdrawn, again.updated, again.added) == (0, 0, 0)


def test_a_slow_csv_fails_with_its_reason_and_the_next_source_still_harvests(feed_server, sources, people):
    slow_url = feed_server.route("/slow.csv", CSV_HEADER, "text/csv", delay=1.5)
    assert_slow_source_fails_and_the_next_one_harvests(sources, slow_url, "csv", people)


class Repository:
    """An OAI-PMH repository one record a page, whose records can be deleted between harvests."""

    def __init__(self):
        self.records = {
            "oai:repo:1": dc_record(
                "oai:repo:1",
                "2020-02-17",
                title="二次函数的图像",
                subject="数学",
                identifier="https://repo.example.edu.cn/items/1",
            ),  # fmt: skip
            "oai:repo:2": dc_record(
                "oai:repo:2",
                "2020-02-18",
                title="Quadratic equations",
                identifier="https://repo.example.edu.cn/items/2",
            ),  # fmt: skip
            # Malformed: a header and no metadata at all.
            "oai:repo:3": "<record><header><identifier>oai:repo:3</identifier>"
            "<datestamp>2020-02-19</datestamp></header></record>",
        }
        self.tokens_seen: list[str] = []

    def delete(self, identifier: str) -> None:
        self.records[identifier] = (
            f'<record><header status="deleted"><identifier>{identifier}</identifier>'
            "<datestamp>2020-03-01</datestamp></header></record>"
        )

    def __call__(self, query):
        if query.get("verb") != "ListRecords":
            return 200, XML, envelope('<error code="badVerb">ListRecords only</error>')
        token = query.get("resumptionToken")
        if token:
            self.tokens_seen.append(token)
        position = int(token or 0)
        pages = list(self.records.values())
        following = position + 1 if position + 1 < len(pages) else ""
        token_element = f'<resumptionToken completeListSize="{len(pages)}" cursor="{position}">{following}'
        return 200, XML, envelope(f"<ListRecords>{pages[position]}{token_element}</resumptionToken></ListRecords>")


def test_an_oai_pmh_harvest_pages_with_tokens_skips_a_malformed_record_and_withdraws_a_deleted_one(
    feed_server, sources, people
):
    repository = Repository()
    source = sources(feed_server.route("/oai", repository), type="oai_pmh", level="provincial",
                     school_unit=people.school)  # fmt: skip
    first = harvest(source)
    assert repository.tokens_seen == ["1", "2"]
    assert first.status == RunStatus.PARTIAL and first.added == 2
    assert [error["external_id"] for error in first.errors] == ["oai:repo:3"]
    assert titles(people.school) == ["Quadratic equations", "二次函数的图像"]
    assigned = plan(people, "二次函数的图像")
    assert found(people.teacher, "函数") == ["二次函数的图像"]

    repository.delete("oai:repo:1")
    second = harvest(source, full=True)
    assert (second.withdrawn, second.unchanged) == (1, 1)
    assert titles(people.school) == ["Quadratic equations"]
    assert_withdrawn_but_kept_where_assigned(people, assigned, "函数")
    again = harvest(source, full=True)
    assert (again.withdrawn, again.updated, again.added) == (0, 0, 0)


def test_a_slow_oai_pmh_repository_fails_with_its_reason_and_the_next_source_still_harvests(
    feed_server, sources, people
):
    slow_url = feed_server.route("/slow-oai", envelope("<ListRecords/>"), XML, delay=1.5)
    assert_slow_source_fails_and_the_next_one_harvests(sources, slow_url, "oai_pmh", people)
