"""Presence intervals: who was in a lesson's room, from when to when. Flush, never commit.

- One open interval per user and lesson (a partial unique index holds it across processes);
  each socket (tab, device) adds one to `connections`,
  so a user with three tabs counts once.
- A drop keeps the interval open: a reconnect within LIVE_RECONNECT_GRACE_SECONDS continues
  it. An explicit `leave` of the last connection ends it at once.
- `last_seen_at` is written on heartbeats (the client's, and every half heartbeat by the
  server for its own connections), so a killed process loses less than one heartbeat.
- Connection counts of a killed process are never decremented; an interval is therefore
  live only while its `last_seen_at` is fresh, and the sweep closes intervals that went quiet
  for longer than the grace, at their last sign of life.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import case, literal, select, update
from sqlalchemy.exc import IntegrityError

from app.core.models import UTCDateTime
from app.extensions import db
from app.live.models import PresenceInterval

log = logging.getLogger(__name__)


def _grace() -> timedelta:
    return timedelta(seconds=float(current_app.config["LIVE_RECONNECT_GRACE_SECONDS"]))


def _stale() -> timedelta:
    """Older than this, nobody is heartbeating the interval: its counted connections are gone."""
    return timedelta(seconds=2 * float(current_app.config["LIVE_HEARTBEAT_SECONDS"]) + 1)


def _open_interval(session_id: int, user_id: int) -> PresenceInterval | None:
    query = (
        select(PresenceInterval)
        .where(
            PresenceInterval.session_id == session_id,
            PresenceInterval.user_id == user_id,
            PresenceInterval.ended_at.is_(None),
        )
        .order_by(PresenceInterval.id.desc())
    )
    return db.session.scalars(query).first()


def connect(session_id: int, user_id: int, now: datetime) -> tuple[int, bool]:
    """Count one more connection of the user; returns the interval's id and whether the user
    just became present (their first live connection).

    A partial unique index allows one open interval per lesson and user: when two processes
    open it at the same instant, the second insert fails and continues the first one's."""
    interval = _open_interval(session_id, user_id)
    if interval is not None and interval.last_seen_at < now - _grace():
        interval.ended_at = interval.last_seen_at
        db.session.flush()
        interval = None
    if interval is None:
        fresh_interval = PresenceInterval(
            session_id=session_id, user_id=user_id, connections=1, started_at=now, last_seen_at=now
        )
        try:
            with db.session.begin_nested():
                db.session.add(fresh_interval)
        except IntegrityError:
            interval = _open_interval(session_id, user_id)
            if interval is None:
                raise
            log.info("presence: lesson %s user %s continues the interval another process opened", session_id, user_id)
        else:
            return fresh_interval.id, True
    fresh = interval.last_seen_at >= now - _stale()
    was_present = fresh and interval.connections > 0
    # Counted in SQL so that two processes adding a connection at once both count.
    base = PresenceInterval.connections if fresh else 0
    db.session.execute(
        update(PresenceInterval)
        .where(PresenceInterval.id == interval.id)
        .values(connections=base + 1, last_seen_at=now)
        .execution_options(synchronize_session=False)
    )
    db.session.expire(interval, ["connections", "last_seen_at"])
    return interval.id, not was_present


def disconnect(interval_id: int, now: datetime, explicit: bool) -> tuple[int | None, bool]:
    """One connection fewer; returns the interval's user and whether that user is now absent.
    An explicit leave of the last connection ends the interval; a drop leaves it open."""
    row = db.session.execute(
        update(PresenceInterval)
        .where(PresenceInterval.id == interval_id, PresenceInterval.ended_at.is_(None))
        .values(
            connections=case((PresenceInterval.connections > 0, PresenceInterval.connections - 1), else_=0),
            last_seen_at=now,
        )
        .returning(PresenceInterval.user_id, PresenceInterval.connections)
        .execution_options(synchronize_session=False)
    ).first()
    if row is None:
        return None, False
    absent = row.connections == 0
    if absent and explicit:
        db.session.execute(
            update(PresenceInterval)
            .where(PresenceInterval.id == interval_id)
            .values(ended_at=now)
            .execution_options(synchronize_session=False)
        )
    return row.user_id, absent


def touch(interval_ids: Iterable[int], now: datetime) -> None:
    """A heartbeat: these intervals are still alive at `now`."""
    ids = list(interval_ids)
    if ids:
        db.session.execute(
            update(PresenceInterval)
            .where(PresenceInterval.id.in_(ids), PresenceInterval.ended_at.is_(None))
            .values(last_seen_at=now)
            .execution_options(synchronize_session=False)
        )


def present_user_ids(session_id: int, now: datetime) -> list[int]:
    query = select(PresenceInterval.user_id).where(
        PresenceInterval.session_id == session_id,
        PresenceInterval.ended_at.is_(None),
        PresenceInterval.connections > 0,
        PresenceInterval.last_seen_at >= now - _stale(),
    )
    return sorted(set(db.session.scalars(query)))


def sweep(now: datetime) -> int:
    """End every interval quiet for longer than the grace, at its last sign of life."""
    result = db.session.execute(
        update(PresenceInterval)
        .where(PresenceInterval.ended_at.is_(None), PresenceInterval.last_seen_at < now - _grace())
        .values(ended_at=PresenceInterval.last_seen_at)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount


def close_all(session_id: int, now: datetime) -> None:
    """The room closed: live intervals end now, dropped ones at their last sign of life."""
    live = PresenceInterval.last_seen_at >= now - _stale()
    db.session.execute(
        update(PresenceInterval)
        .where(PresenceInterval.session_id == session_id, PresenceInterval.ended_at.is_(None))
        .values(
            ended_at=case(
                (live & (PresenceInterval.connections > 0), literal(now, UTCDateTime())),
                else_=PresenceInterval.last_seen_at,
            ),
            connections=0,
        )
        .execution_options(synchronize_session=False)
    )
