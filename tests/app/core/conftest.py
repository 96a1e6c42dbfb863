"""Fixtures for the core services: storage runs against a local directory and a real S3 server."""

import pytest
import requests

from app.core.storage import get_storage
from tests.s3server import s3_server, s3_settings  # noqa: F401  (fixtures)


@pytest.fixture(params=["local", "s3"])
def storage_app(request, make_app, tmp_path):
    """An app on each storage backend in turn: a temporary directory, then a fresh moto bucket."""
    if request.param == "s3":
        settings = request.getfixturevalue("s3_settings")
    else:
        settings = {"STORAGE_BACKEND": "local", "STORAGE_LOCAL_DIR": str(tmp_path / "files")}
    return make_app(**settings)


@pytest.fixture
def storage(storage_app):
    return get_storage(storage_app)


@pytest.fixture
def download(storage_app):
    """GET a storage URL the way a browser would: over HTTP for S3, through the app for local links.

    Returns (status, body, headers).
    """
    http = requests.Session()
    http.trust_env = False  # 127.0.0.1 never through a proxy

    def fetch(url: str, headers=None):
        if url.startswith(("http://", "https://")):
            response = http.get(url, headers=headers, timeout=30)
            return response.status_code, response.content, response.headers
        response = storage_app.test_client().get(url, headers=headers)
        return response.status_code, response.data, response.headers

    return fetch
