"""Sending and reading notifications. Functions flush, never commit: the caller's boundary commits."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime

from sqlalchemy import insert, update

from app.core.models import utcnow
from app.extensions import db
from app.notify.messages import KINDS
from app.notify.models import Notification


def _plain(value):
    """Params are stored as JSON: aware datetimes become ISO strings in UTC."""
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError("naive datetime in notification params; pass aware times")
        return value.astimezone(UTC).isoformat()
    return value


def _safe_link(link: str | None) -> str | None:
    # Links are rendered as hrefs: only paths inside Kexu, so a notification can't send users off-site.
    if link is None:
        return None
    if not link.startswith("/") or link.startswith("//") or "\\" in link:
        raise ValueError(f"notification links must be local paths, got {link!r}")
    return link


def notify_users(user_ids: Iterable[int], kind: str, params: Mapping | None = None, link: str | None = None) -> int:
    """One notification of `kind` to each distinct user; returns how many were added.

    Bulk-inserted in one statement, so notifying a whole school for a cancelled lesson is one
    round trip. Unknown kinds are refused here rather than shown as blanks later.
    """
    if kind not in KINDS:
        raise ValueError(f"unknown notification kind {kind!r}")
    ids = sorted({int(user_id) for user_id in user_ids})
    if not ids:
        return 0
    stored_params = {key: _plain(value) for key, value in (params or {}).items()}
    link = _safe_link(link)
    now = utcnow()
    rows = [{"user_id": uid, "kind": kind, "params": stored_params, "link": link, "created_at": now} for uid in ids]
    db.session.execute(insert(Notification), rows)
    db.session.flush()
    return len(rows)


def mark_read(user, notification: Notification) -> None:
    """Marks one of the user's own notifications read (already-read ones keep their first time)."""
    if notification.user_id != user.id:
        raise PermissionError("a user can only mark their own notifications read")
    if notification.read_at is None:
        notification.read_at = utcnow()
        db.session.flush()


def mark_all_read(user) -> int:
    """Marks every unread notification of `user` read; returns how many changed."""
    result = db.session.execute(
        update(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
        .execution_options(synchronize_session="fetch")
    )
    db.session.flush()
    return result.rowcount or 0
