"""Forwarding queued xAPI statements to the school's LRS: batched POSTs with basic auth,
retried with exponential backoff, never duplicated (ids are stable; a statement is marked sent
once the LRS has it, and an id the LRS already holds counts as sent). Flush, never commit."""

from __future__ import annotations

import base64
import json
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_, select

from app.core.models import utcnow
from app.extensions import db
from app.participation.models import StatementOutbox
from app.participation.settings import setting

BACKOFF_BASE = timedelta(seconds=30)
BACKOFF_MAX = timedelta(hours=6)
TIMEOUT = 30


@dataclass
class ForwardResult:
    sent: int = 0
    failed: int = 0
    pending: int = 0


class LrsError(Exception):
    def __init__(self, status: int | None, message: str):
        super().__init__(message)
        self.status = status


def _endpoint() -> str:
    url = setting("XAPI_LRS_URL")
    if not url:
        raise LrsError(None, "XAPI_LRS_URL is not set")
    url = url.rstrip("/")
    return url if url.endswith("/statements") else url + "/statements"


def _request(method: str, url: str, body) -> int:
    data = json.dumps(body).encode("utf-8")
    headers = {"Content-Type": "application/json", "X-Experience-API-Version": "1.0.3"}
    user, password = setting("XAPI_LRS_USER"), setting("XAPI_LRS_PASSWORD")
    if user:
        token = base64.b64encode(f"{user}:{password or ''}".encode()).decode()
        headers["Authorization"] = f"Basic {token}"
    request = urllib.request.Request(url, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as answer:
            return answer.status
    except urllib.error.HTTPError as error:
        detail = error.read()[:500].decode("utf-8", "replace")
        raise LrsError(error.code, f"HTTP {error.code}: {detail}") from error
    except (urllib.error.URLError, OSError) as error:
        raise LrsError(None, f"cannot reach the LRS: {error}") from error


def backoff(attempts: int) -> timedelta:
    return min(BACKOFF_BASE * (2 ** max(attempts - 1, 0)), BACKOFF_MAX)


def _due(school_id: int, now: datetime, limit: int) -> list[StatementOutbox]:
    query = (
        select(StatementOutbox)
        .where(
            StatementOutbox.school_id == school_id,
            StatementOutbox.forwarded_at.is_(None),
            StatementOutbox.attempts < setting("XAPI_MAX_ATTEMPTS"),
            or_(StatementOutbox.next_attempt_at.is_(None), StatementOutbox.next_attempt_at <= now),
        )
        .order_by(StatementOutbox.id)
        .limit(limit)
    )
    return list(db.session.scalars(query))


def _mark_sent(rows, now: datetime, note: str | None = None) -> None:
    for row in rows:
        row.forwarded_at, row.attempts, row.last_error, row.next_attempt_at = now, row.attempts + 1, note, None


def _mark_failed(rows, now: datetime, message: str) -> None:
    for row in rows:
        row.attempts += 1
        row.last_error = message[:2000]
        row.next_attempt_at = now + backoff(row.attempts)


def _send_one(url: str, row: StatementOutbox, now: datetime) -> bool:
    """PUT by id: 204 stored; 409 means the LRS holds this id already (with other content,
    e.g. after a recomputation): counted as sent, never sent again."""
    try:
        _request("PUT", f"{url}?statementId={row.statement_id}", row.statement)
    except LrsError as error:
        if error.status == 409:
            _mark_sent([row], now, "the LRS already holds this id with other content")
            return True
        _mark_failed([row], now, str(error))
        return False
    _mark_sent([row], now)
    return True


def forward_due(school_id: int, now: datetime | None = None, max_batches: int = 1000) -> ForwardResult:
    """Send every due statement of the school, a batch per POST; stops at the first batch the
    LRS cannot take (the rest wait for their next attempt)."""
    now = now or utcnow()
    url = _endpoint()
    result = ForwardResult()
    size = setting("XAPI_BATCH_SIZE")
    for _ in range(max_batches):
        rows = _due(school_id, now, size)
        if not rows:
            break
        try:
            _request("POST", url, [row.statement for row in rows])
        except LrsError as error:
            if error.status in (400, 409):
                # One statement spoils the batch: send them one by one to find it.
                for row in rows:
                    ok = _send_one(url, row, now)
                    result.sent += ok
                    result.failed += not ok
                db.session.flush()
                continue
            _mark_failed(rows, now, str(error))
            result.failed += len(rows)
            db.session.flush()
            break
        _mark_sent(rows, now)
        result.sent += len(rows)
        db.session.flush()
    result.pending = len(_due(school_id, now + BACKOFF_MAX, 10**6))
    return result
