"""/api/v1/sources: academic affairs manage and harvest sources; others are refused."""

from __future__ import annotations

import json

import pytest

from tests.courses.conftest import FeedServer


@pytest.fixture
def app(make_app):
    """The feed server listens on 127.0.0.1: private source addresses are allowed here."""
    return make_app(CATALOG_SOURCES_ALLOW_PRIVATE=True)


@pytest.fixture
def feed_server():
    """A real HTTP server on 127.0.0.1 serving the feed."""
    server = FeedServer()
    server.thread.start()
    yield server
    server.httpd.shutdown()
    server.httpd.server_close()


def feed_body(items) -> bytes:
    return json.dumps({"version": "kexu-feed/1", "items": items, "next": None}, ensure_ascii=False).encode()


def test_academic_affairs_create_harvest_and_delete_a_source(client, bearer, people, feed_server):
    url = feed_server.route(
        "/f", feed_body([{"id": "a", "title": "函数", "url": "https://e.cn/a"}]), "application/json"
    )
    headers = bearer(people.academic_affairs)
    body = {"name": "省平台", "type": "json", "level": "provincial", "config": {"url": url}, "interval_hours": 12}
    created = client.post("/api/v1/sources", json=body, headers=headers)
    assert created.status_code == 201, created.get_json()
    source_id = created.get_json()["id"]
    run = client.post(f"/api/v1/sources/{source_id}/harvest", headers=headers).get_json()
    assert (run["status"], run["added"]) == ("succeeded", 1)
    listed = client.get("/api/v1/sources", headers=headers).get_json()
    assert listed["total"] == 1 and listed["items"][0]["last_run"]["added"] == 1
    patched = client.patch(f"/api/v1/sources/{source_id}", json={"interval_hours": 0}, headers=headers).get_json()
    assert patched["interval_hours"] == 0 and patched["config"]["url"] == url
    assert client.delete(f"/api/v1/sources/{source_id}", headers=headers).status_code == 204
    assert client.get("/api/v1/sources", headers=headers).get_json()["total"] == 0


def test_invalid_settings_answer_422_with_the_fields(client, bearer, people):
    body = {"name": "x", "type": "csv", "level": "school", "config": {"url": "file:///etc/passwd"}}
    response = client.post("/api/v1/sources", json=body, headers=bearer(people.admin))
    assert response.status_code == 422 and "url" in response.get_json()["errors"]


def test_teachers_and_other_schools_are_refused(client, bearer, people):
    assert client.get("/api/v1/sources", headers=bearer(people.teacher)).status_code == 403
    body = {"name": "x", "type": "json", "level": "school", "config": {"url": "https://e.cn/f"}}
    source_id = client.post("/api/v1/sources", json=body, headers=bearer(people.admin)).get_json()["id"]
    assert client.get(f"/api/v1/sources/{source_id}", headers=bearer(people.foreign_admin)).status_code == 404
