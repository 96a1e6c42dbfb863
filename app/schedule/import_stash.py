"""An uploaded timetable kept between its preview and the confirmation, in the storage service.

The key holds the school and the user who uploaded it, so a token alone opens nothing: another
user (of this school or another) looking it up finds no file. The token starts with its creation
time, so a preview older than PREVIEW_HOURS is refused by the time in its name alone; the user's
previous unconfirmed preview is deleted when they upload the next one (its token is kept in the
signed session cookie). The previews nobody came back to are deleted by `purge_expired`, run by
a periodic job of the serving process or `flask schedule purge-previews` (docs/operations.md).
"""

from __future__ import annotations

import io
import re
import secrets
import time
from dataclasses import dataclass

from flask import session

from app.core.storage import ObjectNotFound, get_storage

PREVIEW_HOURS = 24
_FOLDER = "timetable-imports"
_TOKEN = re.compile(r"(\d{10})-[0-9a-f]{24}")
# Exactly the keys `_key` makes; anything else in the folder is not a preview and is kept.
_PREVIEW_KEY = re.compile(_FOLDER + r"/[^/]+/[^/]+/(\d{10})-[0-9a-f]{24}\.(?:csv|xlsx)")
_SESSION_KEY = "timetable_import"


@dataclass(frozen=True)
class StashedFile:
    token: str
    name: str
    data: bytes


def _key(user, token: str, kind: str) -> str:
    return f"{_FOLDER}/{user.school_id}/{user.id}/{token}.{kind}"


def _forget_previous(user) -> None:
    previous = session.pop(_SESSION_KEY, None)
    if isinstance(previous, dict) and _TOKEN.fullmatch(str(previous.get("token", ""))):
        for kind in ("csv", "xlsx"):
            get_storage().delete(_key(user, previous["token"], kind))


def stash(user, name: str, kind: str, data: bytes) -> str:
    """Keep an uploaded file for `user`; returns the token of its preview."""
    _forget_previous(user)
    token = f"{int(time.time()):010d}-{secrets.token_hex(12)}"
    get_storage().put(_key(user, token, kind), io.BytesIO(data), "application/octet-stream")
    session[_SESSION_KEY] = {"token": token, "name": name[:200]}
    return token


def unstash(user, token: str) -> StashedFile | None:
    """The user's own file under `token`, or None (unknown, another user's, or expired)."""
    match = _TOKEN.fullmatch(token or "")
    if match is None:
        return None
    if int(match[1]) < time.time() - PREVIEW_HOURS * 3600:
        drop(user, token)
        return None
    remembered = session.get(_SESSION_KEY) or {}
    for kind in ("csv", "xlsx"):
        try:
            data = get_storage().read(_key(user, token, kind))
        except ObjectNotFound:
            continue
        name = remembered.get("name") if remembered.get("token") == token else None
        return StashedFile(token, name or f"timetable.{kind}", data)
    return None


def drop(user, token: str) -> None:
    if _TOKEN.fullmatch(token or ""):
        for kind in ("csv", "xlsx"):
            get_storage().delete(_key(user, token, kind))
    if (session.get(_SESSION_KEY) or {}).get("token") == token:
        session.pop(_SESSION_KEY, None)


def purge_expired(now: float | None = None) -> int:
    """Delete every preview past PREVIEW_HOURS (the ones `unstash` refuses); returns how many."""
    cutoff = (time.time() if now is None else now) - PREVIEW_HOURS * 3600
    storage = get_storage()
    expired = []
    for key in list(storage.keys_under(_FOLDER)):  # listed first: deleting while a listing pages is unsafe
        match = _PREVIEW_KEY.fullmatch(key)
        if match is not None and int(match[1]) < cutoff:
            expired.append(key)
    for key in expired:
        storage.delete(key)
    return len(expired)
