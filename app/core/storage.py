"""File storage: one interface over a local directory or any S3-compatible store.

`get_storage()` returns the backend chosen by STORAGE_BACKEND ("local" or "s3"). Callers keep
the `StoredObject` that `put` returns (key, size, sha256, content type) in their own rows and
hand out `url(key)` links: presigned GET URLs on S3, signed expiring links to the `files`
blueprint for the local directory. Keys are relative paths such as "resources/42/slides.pdf".
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import time
import unicodedata
from collections.abc import Iterator
from contextlib import closing
from dataclasses import asdict, dataclass
from datetime import timedelta
from pathlib import Path
from typing import IO, Protocol
from urllib.parse import quote

from flask import Flask, current_app, url_for
from itsdangerous import BadSignature, URLSafeSerializer

EXTENSION_KEY = "kexu_storage"
CHUNK_SIZE = 1024 * 1024
MAX_KEY_LENGTH = 512
DOWNLOAD_PATH = "/files/"
_DOWNLOAD_SALT = "kexu.storage.download"
# Metadata of local files lives beside them under a name no valid key can take (keys never
# have a segment starting with ".").
_META_DIR = ".meta"


@dataclass(frozen=True)
class StoredObject:
    key: str
    size: int
    sha256: str
    content_type: str


class StorageError(Exception):
    pass


class InvalidKey(StorageError, ValueError):
    pass


class ObjectNotFound(StorageError, LookupError):
    pass


class LinkInvalid(StorageError):
    """A download link whose signature does not match (tampered, or another server's)."""


class LinkExpired(StorageError):
    pass


class Storage(Protocol):
    def put(self, key: str, fileobj: IO[bytes], content_type: str) -> StoredObject: ...
    def open(self, key: str) -> IO[bytes]: ...
    def read(self, key: str) -> bytes: ...
    def exists(self, key: str) -> bool: ...
    def delete(self, key: str) -> None: ...
    def keys_under(self, folder: str) -> Iterator[str]: ...
    def url(self, key: str, expires: int | timedelta | None = None, filename: str | None = None) -> str: ...


def validate_key(key: str) -> str:
    """Return `key` if it is a safe relative path, else raise InvalidKey.

    Refused: empty keys, absolute paths, backslashes, control characters, empty segments
    and segments starting with "." (which covers "." and "..").
    """
    if not isinstance(key, str) or not key or len(key) > MAX_KEY_LENGTH:
        raise InvalidKey(f"invalid storage key: {key!r}")
    if "\\" in key or any(ord(char) < 32 or ord(char) == 127 for char in key):
        raise InvalidKey(f"invalid storage key: {key!r}")
    if any(not part or part.startswith(".") for part in key.split("/")):
        raise InvalidKey(f"invalid storage key: {key!r}")
    return key


def content_disposition(filename: str, disposition: str = "attachment") -> str:
    """A Content-Disposition value with an ASCII fallback and the UTF-8 name per RFC 5987/6266."""
    name = filename.replace("/", "_").replace("\\", "_")
    name = "".join(char for char in name if ord(char) >= 32 and ord(char) != 127).strip() or "download"
    fallback = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    fallback = fallback.replace('"', "").strip() or "download"
    value = f'{disposition}; filename="{fallback}"'
    if fallback != name:
        value += f"; filename*=UTF-8''{quote(name, safe='')}"
    return value


def _seconds(expires: int | timedelta | None, default: int) -> int:
    if expires is None:
        return default
    seconds = int(expires.total_seconds()) if isinstance(expires, timedelta) else int(expires)
    if seconds <= 0:
        raise ValueError("expires must be positive")
    return seconds


class _HashingReader:
    """Counts and hashes bytes as they are read, and fills every read.

    Deliberately not seekable: boto3 then reads it front to back exactly once (buffering each
    part) instead of seeking back to compute its own checksums, which would hash bytes twice.
    Reads are filled because boto3 takes a short read for the end of the stream, while raw
    streams (sockets, request bodies) may return less than asked at any time.
    """

    def __init__(self, source: IO[bytes]):
        self._source = source
        self._hash = hashlib.sha256()
        self.size = 0

    def read(self, size: int = -1) -> bytes:
        wanted = None if size is None or size < 0 else size
        parts: list[bytes] = []
        received = 0
        while wanted is None or received < wanted:
            data = self._source.read(CHUNK_SIZE if wanted is None else wanted - received)
            if data is None or not isinstance(data, bytes | bytearray):
                raise TypeError("storage needs a blocking binary file object")
            if not data:
                break
            parts.append(bytes(data))
            received += len(data)
        chunk = b"".join(parts)
        self._hash.update(chunk)
        self.size += len(chunk)
        return chunk

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return False

    @property
    def sha256(self) -> str:
        return self._hash.hexdigest()


class LocalStorage:
    """Files in a directory; downloads go through the signed `files.download` route."""

    def __init__(self, root: str | Path, secret_key: str, default_expires: int = 3600):
        self.root = Path(root)
        self.default_expires = default_expires
        self._signer = URLSafeSerializer(secret_key, salt=_DOWNLOAD_SALT)

    def _path(self, key: str) -> Path:
        return self.root / validate_key(key)

    def _meta_path(self, key: str) -> Path:
        return self.root / _META_DIR / (validate_key(key) + ".json")

    def put(self, key: str, fileobj: IO[bytes], content_type: str) -> StoredObject:
        path, meta_path = self._path(key), self._meta_path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        meta_path.parent.mkdir(parents=True, exist_ok=True)
        reader = _HashingReader(fileobj)
        # Write beside the target and rename at the end, so a failed upload never replaces
        # (or leaves behind) a file under `key`.
        data_fd, data_tmp = tempfile.mkstemp(dir=path.parent, prefix=".upload-")
        meta_fd, meta_tmp = tempfile.mkstemp(dir=meta_path.parent, prefix=".upload-")
        try:
            with os.fdopen(data_fd, "wb") as out:
                while chunk := reader.read(CHUNK_SIZE):
                    out.write(chunk)
            stored = StoredObject(key, reader.size, reader.sha256, content_type)
            with os.fdopen(meta_fd, "w", encoding="utf-8") as meta:
                json.dump(asdict(stored), meta)
            os.replace(meta_tmp, meta_path)
            os.replace(data_tmp, path)
        except BaseException:
            Path(data_tmp).unlink(missing_ok=True)
            Path(meta_tmp).unlink(missing_ok=True)
            raise
        return stored

    def open(self, key: str) -> IO[bytes]:
        try:
            return self._path(key).open("rb")
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError) as error:
            raise ObjectNotFound(key) from error

    def read(self, key: str) -> bytes:
        with self.open(key) as stream:
            return stream.read()

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)
        self._meta_path(key).unlink(missing_ok=True)

    def keys_under(self, folder: str) -> Iterator[str]:
        """Every key below `folder` ("imports" lists "imports/a/b.csv"); unfinished uploads are not keys."""
        base = self._path(folder.rstrip("/"))
        for path in sorted(base.rglob("*")) if base.is_dir() else ():
            key = path.relative_to(self.root).as_posix()
            if path.is_file() and not any(part.startswith(".") for part in key.split("/")):
                yield key

    def url(self, key: str, expires: int | timedelta | None = None, filename: str | None = None) -> str:
        validate_key(key)
        expires_at = time.time() + _seconds(expires, self.default_expires)
        token = self._signer.dumps({"k": key, "f": filename, "e": round(expires_at, 3)})
        try:
            return url_for("files.download", token=token)
        except RuntimeError:  # outside a request and without SERVER_NAME
            return DOWNLOAD_PATH + token

    def verify_download(self, token: str) -> tuple[str, str | None]:
        """The (key, filename) a download token grants; LinkInvalid or LinkExpired otherwise."""
        try:
            claims = self._signer.loads(token)
        except BadSignature as error:
            raise LinkInvalid() from error
        if not isinstance(claims, dict) or not isinstance(claims.get("k"), str):
            raise LinkInvalid()
        if time.time() > float(claims.get("e", 0)):
            raise LinkExpired()
        return validate_key(claims["k"]), claims.get("f")

    def local_file(self, key: str) -> tuple[Path, str]:
        """The file's path and stored content type, for the download route."""
        path = self._path(key)
        if not path.is_file():
            raise ObjectNotFound(key)
        try:
            content_type = json.loads(self._meta_path(key).read_text("utf-8"))["content_type"]
        except (OSError, ValueError, KeyError):
            content_type = "application/octet-stream"
        return path, content_type


class S3Storage:
    """Objects in one bucket of any S3-compatible store (AWS, MinIO, Aliyun OSS, Tencent COS)."""

    def __init__(self, client, bucket: str, default_expires: int = 3600):
        from boto3.s3.transfer import TransferConfig

        self.client = client
        self.bucket = bucket
        self.default_expires = default_expires
        self._transfer = TransferConfig(multipart_threshold=8 * CHUNK_SIZE, multipart_chunksize=8 * CHUNK_SIZE)

    def put(self, key: str, fileobj: IO[bytes], content_type: str) -> StoredObject:
        reader = _HashingReader(fileobj)
        # The transfer manager aborts a multipart upload when reading fails, so a failed put
        # leaves neither an object nor stray parts.
        self.client.upload_fileobj(
            reader, self.bucket, validate_key(key), ExtraArgs={"ContentType": content_type}, Config=self._transfer
        )
        return StoredObject(key, reader.size, reader.sha256, content_type)

    def open(self, key: str) -> IO[bytes]:
        try:
            return self.client.get_object(Bucket=self.bucket, Key=validate_key(key))["Body"]
        except self.client.exceptions.NoSuchKey as error:
            raise ObjectNotFound(key) from error

    def read(self, key: str) -> bytes:
        with closing(self.open(key)) as body:
            return body.read()

    def exists(self, key: str) -> bool:
        from botocore.exceptions import ClientError

        try:
            self.client.head_object(Bucket=self.bucket, Key=validate_key(key))
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in {"404", "NoSuchKey", "NotFound"}:
                return False
            raise
        return True

    def delete(self, key: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=validate_key(key))

    def keys_under(self, folder: str) -> Iterator[str]:
        prefix = validate_key(folder.rstrip("/")) + "/"
        for page in self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=prefix):
            yield from (item["Key"] for item in page.get("Contents", []))

    def url(self, key: str, expires: int | timedelta | None = None, filename: str | None = None) -> str:
        params = {"Bucket": self.bucket, "Key": validate_key(key)}
        if filename:
            params["ResponseContentDisposition"] = content_disposition(filename)
        return self.client.generate_presigned_url(
            "get_object", Params=params, ExpiresIn=_seconds(expires, self.default_expires)
        )


def s3_client(config):
    """A boto3 S3 client from the app's S3_* settings."""
    import boto3
    from botocore.config import Config

    client_config = Config(
        signature_version=config.get("S3_SIGNATURE_VERSION") or "s3v4",
        s3={"addressing_style": config.get("S3_ADDRESSING_STYLE") or "auto"},
        # boto3 >= 1.36 adds CRC checksums to every upload; several S3-compatible stores
        # (older MinIO, OSS, COS) reject those headers. Send them only where S3 requires them.
        request_checksum_calculation="when_required",
        response_checksum_validation="when_required",
        retries={"max_attempts": 3, "mode": "standard"},
    )
    return boto3.session.Session().client(
        "s3",
        endpoint_url=config.get("S3_ENDPOINT_URL") or None,
        region_name=config.get("S3_REGION") or "us-east-1",
        aws_access_key_id=config.get("S3_ACCESS_KEY_ID") or None,
        aws_secret_access_key=config.get("S3_SECRET_ACCESS_KEY") or None,
        config=client_config,
    )


def create_storage(config) -> Storage:
    """Build the backend named by STORAGE_BACKEND from a config mapping."""
    backend = (config.get("STORAGE_BACKEND") or "local").strip().lower()
    expires = int(config.get("STORAGE_URL_EXPIRES") or 3600)
    if backend == "local":
        return LocalStorage(config["STORAGE_LOCAL_DIR"], config["SECRET_KEY"], expires)
    if backend == "s3":
        if not config.get("S3_BUCKET"):
            raise RuntimeError("STORAGE_BACKEND=s3 needs S3_BUCKET (and usually S3_ENDPOINT_URL and keys).")
        return S3Storage(s3_client(config), config["S3_BUCKET"], expires)
    raise RuntimeError(f"Unknown STORAGE_BACKEND {backend!r}: use 'local' or 's3'.")


def get_storage(app: Flask | None = None) -> Storage:
    """The app's storage backend, created on first use and kept in app.extensions."""
    app = app or current_app._get_current_object()
    storage = app.extensions.get(EXTENSION_KEY)
    if storage is None:
        storage = app.extensions[EXTENSION_KEY] = create_storage(app.config)
    return storage
