"""Source URLs reach only public addresses unless the administrator allows the school's own
network: refused when the source is saved (form and API) and when it is fetched, with the reason
in the run history."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.catalog.harvest import harvest_source
from app.catalog.models import CatalogSource, RunStatus
from app.extensions import db
from tests.app.catalog.conftest import feed, lesson

JSON = "application/json"


@pytest.fixture
def default_policy(app):
    """The setting as a fresh installation has it."""
    app.config["CATALOG_SOURCES_ALLOW_PRIVATE"] = False
    return app


def add_source_form(client, url, type_name="json"):
    return client.post(f"/catalog/sources/new?type={type_name}", data={
        "name": "资源源", "level": "school", "url": url, "interval_hours": "24", "enabled": "on",
    })  # fmt: skip


def url_field_error(response) -> str:
    page = response.get_data(as_text=True)
    assert 'id="f-url" name="url"' in page and 'aria-describedby="f-url-error"' in page
    start = page.index('id="f-url-error">') + len('id="f-url-error">')
    return page[start : page.index("</div>", start)]


def sources_count() -> int:
    return db.session.scalar(select(func.count()).select_from(CatalogSource))


@pytest.mark.parametrize(
    "url, message",
    [
        ("http://127.0.0.1:8000/feed.json", "127.0.0.1 is this server&#39;s own address"),
        ("http://localhost/feed.json", "localhost (127.0.0.1) is this server&#39;s own address"),
        ("http://169.254.169.254/latest/meta-data/", "169.254.169.254 is a cloud metadata address"),
        ("http://192.168.10.2/feed.json", "192.168.10.2 is a private network address"),
        ("http://[::1]:8080/feed.json", "::1 is this server&#39;s own address"),
    ],
)
def test_the_add_form_refuses_internal_addresses_under_the_url_field(client, login, people, default_policy, url,
                                                                     message):  # fmt: skip
    login(people.academic_affairs)
    response = add_source_form(client, url)
    assert response.status_code == 422 and message in url_field_error(response)
    assert sources_count() == 0


def test_the_add_form_refuses_a_name_that_resolves_to_a_private_address(client, login, people, default_policy,
                                                                        fake_dns):  # fmt: skip
    fake_dns["ziyuan.school.lan"] = ["10.8.0.3"]
    login(people.academic_affairs)
    response = add_source_form(client, "http://ziyuan.school.lan/catalog.csv", "csv")
    error = url_field_error(response)
    assert "ziyuan.school.lan (10.8.0.3) is a private network address" in error
    assert "unless" not in error and "only if the administrator allows private addresses" in error


def test_the_metadata_address_is_refused_even_where_private_addresses_are_allowed(client, login, people):
    login(people.academic_affairs)
    assert "cloud metadata" in url_field_error(add_source_form(client, "http://100.100.100.200/latest/"))
    response = add_source_form(client, "http://192.168.10.2/feed.json")
    assert response.status_code == 302 and sources_count() == 1


def test_the_api_answers_422_naming_the_url(client, bearer, people, default_policy):
    body = {"name": "x", "type": "rss", "level": "school", "config": {"url": "http://10.0.0.8/rss.xml"}}
    response = client.post("/api/v1/sources", json=body, headers=bearer(people.academic_affairs))
    assert response.status_code == 422
    assert response.get_json()["errors"]["url"] == [
        "10.0.0.8 is a private network address: sources are fetched from it only if the administrator "
        "allows private addresses."
    ]


def test_editing_a_source_to_a_loopback_address_is_refused(client, login, people, default_policy, make_catalog_source):
    source = make_catalog_source("https://example.org/feed.json", school_unit=people.school)
    login(people.academic_affairs)
    response = client.post(f"/catalog/sources/{source.id}/edit", data={
        "name": source.name, "level": "national", "url": "http://127.0.0.1:6379/", "interval_hours": "24",
    })  # fmt: skip
    assert response.status_code == 422 and "this server&#39;s own address" in url_field_error(response)
    db.session.refresh(source)
    assert source.config["url"] == "https://example.org/feed.json"


def test_a_saved_loopback_source_fails_its_harvest_with_the_reason(client, login, people, default_policy,
                                                                  make_catalog_source, feed_server):  # fmt: skip
    """Saved while the setting was on (or before the guard): the fetch checks again."""
    url = feed_server.route("/f", feed([lesson("a", "函数")]), JSON)
    source = make_catalog_source(url, school_unit=people.school)
    login(people.academic_affairs)
    page = client.post(f"/catalog/sources/{source.id}/harvest", follow_redirects=True).get_data(as_text=True)
    assert "Harvest failed" in page and "127.0.0.1 is a loopback address of the server" in page
    assert feed_server.requests == []
    tested = client.post(f"/catalog/sources/{source.id}/test", follow_redirects=True).get_data(as_text=True)
    assert "127.0.0.1 is a loopback address of the server" in tested


def test_a_name_that_turned_private_after_saving_fails_the_harvest(default_policy, make_catalog_source, fake_dns):
    source = make_catalog_source("http://feeds.example.cn/feed.json")
    fake_dns["feeds.example.cn"] = ["172.20.1.1"]
    run = harvest_source(source)
    db.session.commit()
    assert run.status == RunStatus.FAILED
    assert run.message.startswith(
        "refused http://feeds.example.cn/feed.json: feeds.example.cn resolves to 172.20.1.1, a private network address"
    )


def test_a_redirect_to_the_metadata_address_fails_the_harvest_and_the_run_says_why(
    client, login, people, default_policy, make_catalog_source, public_feed_server
):
    public_feed_server.redirect("/feed.json", "http://169.254.169.254/latest/meta-data/iam/")
    public_feed_server.redirect("/lan.json", "http://10.1.1.1/feed.json")
    moved = make_catalog_source(public_feed_server.public_url("/feed.json"), school_unit=people.school)
    to_lan = make_catalog_source(public_feed_server.public_url("/lan.json"), school_unit=people.school)
    login(people.academic_affairs)
    client.post(f"/catalog/sources/{moved.id}/harvest")
    client.post(f"/catalog/sources/{to_lan.id}/harvest")
    run_page = client.get(f"/catalog/sources/{moved.id}").get_data(as_text=True)
    assert "Failed" in run_page
    assert "to http://169.254.169.254/latest/meta-data/iam/: 169.254.169.254 is a cloud metadata address" in run_page
    lan_page = client.get(f"/catalog/sources/{to_lan.id}").get_data(as_text=True)
    assert "to http://10.1.1.1/feed.json: 10.1.1.1 is a private network address" in lan_page
    assert public_feed_server.requests == ["/feed.json", "/lan.json"]


def test_a_public_source_is_saved_and_harvested_by_default(client, login, people, default_policy, public_feed_server):
    url = public_feed_server.route("/f", feed([lesson("a", "二次函数")]), JSON)
    public_url = public_feed_server.public_url("/f")
    assert url.endswith("/f")
    login(people.academic_affairs)
    assert add_source_form(client, public_url).status_code == 302
    source = db.session.scalar(select(CatalogSource))
    page = client.post(f"/catalog/sources/{source.id}/harvest", follow_redirects=True).get_data(as_text=True)
    assert "1 added" in page
