"""The storage service behaves the same on a local directory and on a real S3 server (moto)."""

import hashlib
import io
import os
import re
import time
from urllib.parse import unquote

import pytest

from app.core.storage import InvalidKey, LocalStorage, ObjectNotFound, S3Storage, get_storage

MiB = 1024 * 1024


class TrickleReader(io.RawIOBase):
    """A stream that hands out at most 64 KiB a read, like a socket, and can stall and drop part-way."""

    def __init__(self, data: bytes, fail_after: int | None = None, stall: float = 0.0):
        self._data = data
        self._position = 0
        self._fail_after = fail_after
        self._stall = stall

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        if self._fail_after is not None and self._position >= self._fail_after:
            time.sleep(self._stall)
            raise ConnectionResetError("client went away")
        size = 64 * 1024 if size is None or size < 0 else min(size, 64 * 1024)
        chunk = self._data[self._position : self._position + size]
        self._position += len(chunk)
        return chunk


def leftovers(storage) -> list[str]:
    """Everything the backend holds: stored files/objects and unfinished multipart uploads."""
    if isinstance(storage, LocalStorage):
        return sorted(str(p.relative_to(storage.root)) for p in storage.root.rglob("*") if p.is_file())
    listing = storage.client.list_objects_v2(Bucket=storage.bucket)
    uploads = storage.client.list_multipart_uploads(Bucket=storage.bucket)
    return sorted([o["Key"] for o in listing.get("Contents", [])] + [u["Key"] for u in uploads.get("Uploads", [])])


def utf8_filename(content_disposition: str) -> str:
    match = re.search(r"filename\*=UTF-8''([^;]+)", content_disposition)
    assert match, content_disposition
    return unquote(match.group(1))


def test_put_reports_size_checksum_and_type_and_read_returns_the_bytes(storage):
    data = "第一课：分数的加法\n".encode()
    stored = storage.put("resources/1/notes.txt", io.BytesIO(data), "text/plain; charset=utf-8")
    assert stored.key == "resources/1/notes.txt"
    assert stored.size == len(data)
    assert stored.sha256 == hashlib.sha256(data).hexdigest()
    assert stored.content_type == "text/plain; charset=utf-8"
    assert storage.read("resources/1/notes.txt") == data
    assert storage.exists("resources/1/notes.txt")


def test_large_upload_from_a_trickling_stream_is_stored_whole(storage):
    # Larger than the S3 multipart threshold, delivered in small reads as a request body is.
    data = os.urandom(9 * MiB + 123)
    stored = storage.put("videos/lesson.mp4", TrickleReader(data), "video/mp4")
    assert stored.size == len(data)
    assert stored.sha256 == hashlib.sha256(data).hexdigest()
    with storage.open("videos/lesson.mp4") as stream:
        assert stream.read() == data


def test_put_on_an_existing_key_replaces_the_content(storage):
    storage.put("a/file.txt", io.BytesIO(b"old"), "text/plain")
    storage.put("a/file.txt", io.BytesIO(b"new"), "text/plain")
    assert storage.read("a/file.txt") == b"new"


def test_missing_object_does_not_exist_and_cannot_be_read(storage):
    assert not storage.exists("nothing/here.pdf")
    with pytest.raises(ObjectNotFound):
        storage.read("nothing/here.pdf")


def test_delete_removes_the_object_and_deleting_again_is_harmless(storage, download):
    storage.put("tmp/x.bin", io.BytesIO(b"x"), "application/octet-stream")
    url = storage.url("tmp/x.bin")
    storage.delete("tmp/x.bin")
    assert not storage.exists("tmp/x.bin")
    assert leftovers(storage) == []
    assert download(url)[0] == 404
    storage.delete("tmp/x.bin")


def test_url_downloads_the_bytes_with_their_content_type(storage, download):
    data = b"%PDF-1.4 lesson plan"
    storage.put("plans/week1.pdf", io.BytesIO(data), "application/pdf")
    status, body, headers = download(storage.url("plans/week1.pdf"))
    assert status == 200
    assert body == data
    assert headers["Content-Type"] == "application/pdf"


def test_url_with_a_chinese_file_name_downloads_under_that_name(storage, download):
    storage.put("plans/7f3a.pdf", io.BytesIO(b"pdf"), "application/pdf")
    status, body, headers = download(storage.url("plans/7f3a.pdf", filename="课程表 第1周.pdf"))
    assert status == 200 and body == b"pdf"
    assert headers["Content-Disposition"].startswith("attachment;")
    assert utf8_filename(headers["Content-Disposition"]) == "课程表 第1周.pdf"


@pytest.mark.parametrize(
    ("fail_after", "stall"),
    # The stall lets the first S3 parts reach the server before the client drops, so the
    # multipart case really has parts to clean up.
    [(1000, 0.0), (17 * MiB, 0.5)],
    ids=["small", "multipart"],
)
def test_upload_failing_half_way_leaves_nothing_behind(storage, fail_after, stall):
    source = TrickleReader(os.urandom(20 * MiB), fail_after=fail_after, stall=stall)
    with pytest.raises(ConnectionResetError):
        storage.put("uploads/broken.bin", source, "application/octet-stream")
    assert not storage.exists("uploads/broken.bin")
    assert leftovers(storage) == []


def test_upload_failing_half_way_keeps_the_previous_version(storage):
    storage.put("uploads/report.xlsx", io.BytesIO(b"version 1"), "application/octet-stream")
    with pytest.raises(ConnectionResetError):
        storage.put("uploads/report.xlsx", TrickleReader(b"v2" * 100_000, fail_after=1), "application/octet-stream")
    assert storage.read("uploads/report.xlsx") == b"version 1"


BAD_KEYS = ["", "../secret.txt", "a/../../etc/passwd", "/etc/passwd", "a//b", "a/./b", ".hidden", "a\\b", "nul\x00x"]


@pytest.mark.parametrize("key", BAD_KEYS)
def test_unsafe_keys_are_refused_by_every_operation(storage, key):
    with pytest.raises(InvalidKey):
        storage.put(key, io.BytesIO(b"x"), "text/plain")
    for operation in (storage.read, storage.exists, storage.delete, storage.url):
        with pytest.raises(InvalidKey):
            operation(key)
    assert leftovers(storage) == []


def test_storage_is_created_once_per_app(storage_app, storage):
    assert get_storage(storage_app) is storage


def test_s3_url_is_presigned_with_the_requested_lifetime(make_app, s3_settings):
    storage = get_storage(make_app(**s3_settings))
    assert isinstance(storage, S3Storage)
    storage.put("a.txt", io.BytesIO(b"a"), "text/plain")
    url = storage.url("a.txt", expires=90)
    assert "X-Amz-Signature=" in url
    assert "X-Amz-Expires=90" in url


@pytest.mark.parametrize(
    "settings",
    [{"STORAGE_BACKEND": "s3", "S3_BUCKET": None}, {"STORAGE_BACKEND": "ftp"}],
    ids=["s3-without-bucket", "unknown-backend"],
)
def test_misconfigured_storage_says_what_is_wrong(make_app, settings):
    app = make_app(**settings)
    with pytest.raises(RuntimeError, match="STORAGE_BACKEND"):
        get_storage(app)
