"""Feeds declared complete: a resource missing from a whole read is withdrawn. RSS/Atom carry no
deletion signal, so without the declaration absence withdraws nothing."""

from __future__ import annotations

from sqlalchemy import select

from app.catalog.harvest import harvest_source
from app.catalog.models import CatalogSource, HarvestRun, Resource, RunStatus
from app.extensions import db
from tests.app.catalog.conftest import feed, lesson

RSS_TYPE = "application/rss+xml"


def rss(*lessons: tuple[str, str], next_path: str | None = None) -> str:
    """An RSS 2.0 page of (guid, title) items, with an RFC 5005 next link when given."""
    items = "".join(
        f"<item><guid>{guid}</guid><title>{title}</title><link>https://example.edu.cn/{guid}</link></item>"
        for guid, title in lessons
    )
    next_link = f'<atom:link rel="next" href="{next_path}"/>' if next_path else ""
    return (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom">'
        f"<channel><title>某区空中课堂</title>{next_link}{items}</channel></rss>"
    )


def harvest(source) -> HarvestRun:
    run = harvest_source(source)
    db.session.commit()
    return run


def shown(school) -> list[str]:
    query = select(Resource.title).where(Resource.school_id == school.id, Resource.withdrawn.is_(False))
    return sorted(db.session.scalars(query))


def test_an_entry_missing_from_a_complete_rss_feed_is_withdrawn_and_restored_when_back(
    feed_server, make_catalog_source, school
):
    url = feed_server.route("/rss.xml", rss(("a", "一元二次方程"), ("b", "古诗三首")), RSS_TYPE)
    source = make_catalog_source(url, type="rss", complete_feed=True)
    assert harvest(source).added == 2
    feed_server.route("/rss.xml", rss(("a", "一元二次方程")), RSS_TYPE)
    run = harvest(source)
    assert (run.status, run.withdrawn, run.unchanged) == (RunStatus.SUCCEEDED, 1, 1)
    assert shown(school) == ["一元二次方程"]
    feed_server.route("/rss.xml", rss(("a", "一元二次方程"), ("b", "古诗三首")), RSS_TYPE)
    assert harvest(source).updated == 1 and shown(school) == ["一元二次方程", "古诗三首"]


def test_without_the_declaration_an_entry_missing_from_an_rss_feed_stays(feed_server, make_catalog_source, school):
    url = feed_server.route("/rss.xml", rss(("a", "一元二次方程"), ("b", "古诗三首")), RSS_TYPE)
    source = make_catalog_source(url, type="rss")
    harvest(source)
    feed_server.route("/rss.xml", rss(("a", "一元二次方程")), RSS_TYPE)
    assert harvest_source(source, full=True).withdrawn == 0
    assert shown(school) == ["一元二次方程", "古诗三首"]


def test_a_complete_feed_read_only_up_to_its_page_limit_withdraws_nothing(feed_server, make_catalog_source, school):
    feed_server.route("/p2.xml", rss(("b", "古诗三首")), RSS_TYPE)
    url = feed_server.route("/p1.xml", rss(("a", "一元二次方程"), next_path="/p2.xml"), RSS_TYPE)
    source = make_catalog_source(url, type="rss", complete_feed=True)
    assert harvest(source).added == 2
    source.config = {**source.config, "max_pages": 1}
    db.session.commit()
    run = harvest(source)
    assert (run.withdrawn, run.message) == (0, "the read stopped at the page limit; nothing was withdrawn")
    assert shown(school) == ["一元二次方程", "古诗三首"]


def test_an_empty_complete_feed_withdraws_nothing(feed_server, make_catalog_source, school):
    url = feed_server.route("/rss.xml", rss(("a", "一元二次方程")), RSS_TYPE)
    source = make_catalog_source(url, type="rss", complete_feed=True)
    harvest(source)
    feed_server.route("/rss.xml", rss(), RSS_TYPE)
    run = harvest(source)
    assert (run.withdrawn, run.message) == (0, "the listing was empty; nothing was withdrawn")
    assert shown(school) == ["一元二次方程"]


def test_a_complete_json_feed_is_read_whole_every_time_and_withdraws_what_is_missing(
    feed_server, make_catalog_source, school
):
    url = feed_server.route("/f.json", feed([lesson("a", "函数"), lesson("b", "方程")]), "application/json")
    source = make_catalog_source(url, complete_feed=True)
    harvest(source)
    feed_server.route("/f.json", feed([lesson("b", "方程")]), "application/json")
    run = harvest(source)
    assert run.withdrawn == 1 and shown(school) == ["方程"]
    assert all("since=" not in path for path in feed_server.requests)  # never an incremental read


def test_the_source_form_sets_and_clears_the_declaration(client, login, people):
    login(people.academic_affairs)
    form = client.get("/catalog/sources/new?type=rss").get_data(as_text=True)
    assert 'type="checkbox" id="f-complete_feed" name="complete_feed"' in form
    data = {"name": "区平台", "level": "municipal", "url": "https://example.org/rss.xml", "interval_hours": "24"}
    assert client.post("/catalog/sources/new?type=rss", data={**data, "complete_feed": "on"}).status_code == 302
    source = db.session.scalar(select(CatalogSource))
    assert source.config["complete_feed"] is True
    assert 'name="complete_feed" checked' in client.get(f"/catalog/sources/{source.id}/edit").get_data(as_text=True)
    assert client.post(f"/catalog/sources/{source.id}/edit", data=data).status_code == 302  # box left unticked
    db.session.refresh(source)
    assert source.config["complete_feed"] is False


def test_the_api_takes_the_declaration_as_a_boolean(client, bearer, people):
    headers = bearer(people.academic_affairs)
    body = {"name": "区平台", "type": "rss", "level": "school", "config": {"url": "https://example.org/rss.xml"}}
    refused = client.post("/api/v1/sources", json={**body, "config": {**body["config"], "complete_feed": "maybe"}},
                          headers=headers)  # fmt: skip
    assert refused.status_code == 422 and refused.get_json()["errors"]["complete_feed"] == ["Choose yes or no."]
    created = client.post("/api/v1/sources", json={**body, "config": {**body["config"], "complete_feed": True}},
                          headers=headers)  # fmt: skip
    assert created.status_code == 201 and created.get_json()["config"]["complete_feed"] is True
