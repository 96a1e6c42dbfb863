"""Signed, expiring download links for the local storage backend (the /files/<token> route)."""

import io
import time

import pytest

from app.core.storage import get_storage


@pytest.fixture
def local_app(make_app, tmp_path):
    return make_app(STORAGE_BACKEND="local", STORAGE_LOCAL_DIR=str(tmp_path / "files"))


@pytest.fixture
def storage(local_app):
    storage = get_storage(local_app)
    storage.put("notes/lesson.html", io.BytesIO(b"<script>alert(1)</script>"), "text/html")
    return storage


def test_link_works_without_signing_in(local_app, storage):
    response = local_app.test_client().get(storage.url("notes/lesson.html"))
    assert response.status_code == 200
    assert response.data == b"<script>alert(1)</script>"


def test_uploaded_html_is_served_sandboxed_so_it_cannot_run_scripts(local_app, storage):
    response = local_app.test_client().get(storage.url("notes/lesson.html"))
    assert response.headers["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_expired_link_is_refused_with_410(local_app, storage):
    url = storage.url("notes/lesson.html", expires=1)
    time.sleep(1.2)
    response = local_app.test_client().get(url)
    assert response.status_code == 410
    assert "expired" in response.get_data(as_text=True)


def test_tampered_link_is_refused_with_403(local_app, storage):
    url = storage.url("notes/lesson.html")
    prefix, token = url.rsplit("/", 1)
    payload, signature = token.rsplit(".", 1)
    forged = f"{prefix}/{payload}.{signature[:-2]}{'AA' if signature[-2:] != 'AA' else 'BB'}"
    response = local_app.test_client().get(forged)
    assert response.status_code == 403
    assert b"<script>" not in response.data


def test_link_signed_with_another_secret_key_is_refused(make_app, local_app, storage, tmp_path):
    other = make_app(STORAGE_BACKEND="local", STORAGE_LOCAL_DIR=str(tmp_path / "files"), SECRET_KEY="another")
    url = get_storage(other).url("notes/lesson.html")
    assert local_app.test_client().get(url).status_code == 403


def test_range_request_gets_part_of_the_file(local_app, storage):
    response = local_app.test_client().get(storage.url("notes/lesson.html"), headers={"Range": "bytes=0-7"})
    assert response.status_code == 206
    assert response.data == b"<script>"


def test_link_made_during_a_request_points_at_the_download_route(local_app, storage):
    with local_app.test_request_context("/"):
        url = storage.url("notes/lesson.html")
    assert url.startswith("/files/")
    assert local_app.test_client().get(url).status_code == 200


def test_route_is_absent_when_files_live_on_s3(make_app, s3_settings, local_app, storage):
    url = storage.url("notes/lesson.html")
    s3_app = make_app(**s3_settings)
    assert s3_app.test_client().get(url).status_code == 404
