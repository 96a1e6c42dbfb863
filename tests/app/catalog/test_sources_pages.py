"""Academic affairs' source pages: add with the adapter's fields, test, harvest now, run history."""

from __future__ import annotations

from sqlalchemy import select

from app.catalog.models import CatalogSource, Resource
from app.extensions import db
from tests.app.catalog.conftest import feed, lesson

JSON = "application/json"


def test_only_academic_affairs_and_admins_see_the_source_pages(client, login, people):
    login(people.teacher)
    assert client.get("/catalog/sources").status_code == 403
    client.post("/logout")
    login(people.academic_affairs)
    assert client.get("/catalog/sources").status_code == 200


def test_the_add_form_shows_the_adapters_own_settings(client, login, people):
    login(people.academic_affairs)
    page = client.get("/catalog/sources/new?type=oai_pmh").get_data(as_text=True)
    assert 'name="metadata_prefix"' in page and 'name="url"' in page
    assert "OAI-PMH repository" in client.get("/catalog/sources/new").get_data(as_text=True)


def test_a_source_is_added_tested_harvested_and_its_run_listed(client, login, people, feed_server):
    items = [lesson("a", "二次函数的图像"), {"id": "bad", "title": "缺链接"}]
    url = feed_server.route("/f", feed(items), JSON)
    login(people.academic_affairs)
    response = client.post("/catalog/sources/new?type=json", data={
        "name": "国家中小学智慧教育平台", "level": "national", "url": url, "interval_hours": "24", "enabled": "on",
        "max_pages": "10", "timeout": "5",
    })  # fmt: skip
    assert response.status_code == 302
    source = db.session.scalar(select(CatalogSource))
    tested = client.post(f"/catalog/sources/{source.id}/test", follow_redirects=True).get_data(as_text=True)
    assert "Test passed" in tested
    run_page = client.post(f"/catalog/sources/{source.id}/harvest", follow_redirects=True).get_data(as_text=True)
    assert "1 added" in run_page and "bad" in run_page and "missing" in run_page
    listing = client.get("/catalog/sources").get_data(as_text=True)
    assert "国家中小学智慧教育平台" in listing and "Some records skipped" in listing
    assert db.session.scalar(select(Resource.title)) == "二次函数的图像"


def test_a_failed_harvest_is_recorded_with_its_reason(client, login, people, make_catalog_source, feed_server):
    source = make_catalog_source(feed_server.route("/junk", b"nope", "text/plain"), school_unit=people.school)
    login(people.academic_affairs)
    page = client.post(f"/catalog/sources/{source.id}/harvest", follow_redirects=True).get_data(as_text=True)
    assert "Harvest failed" in page and "not JSON" in page
    assert "Failed" in client.get(f"/catalog/sources/{source.id}").get_data(as_text=True)


def test_a_server_path_is_refused_as_a_feed_url(client, login, people):
    login(people.academic_affairs)
    response = client.post("/catalog/sources/new?type=csv", data={"name": "x", "level": "school", "url": "/etc/passwd"})
    assert response.status_code == 422 and "http:// or https://" in response.get_data(as_text=True)


def test_another_schools_source_is_not_found(client, login, people, make_catalog_source, make_school):
    source = make_catalog_source("https://example.org/f", school_unit=people.other_school)
    login(people.academic_affairs)
    assert client.get(f"/catalog/sources/{source.id}").status_code == 404


def test_the_adapters_own_settings_are_labelled_in_the_viewers_language(client, login, people):
    login(people.academic_affairs)
    client.post("/language", data={"locale": "zh_Hans_CN", "next": "/catalog/sources"})
    page = client.get("/catalog/sources/new?type=rss").get_data(as_text=True)
    assert "订阅源网址" in page and "最多读取页数" in page and "完整订阅源" in page
    assert "Most pages to read" not in page
