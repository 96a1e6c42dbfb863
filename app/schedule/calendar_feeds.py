"""Issuing, revoking and resolving secret calendar feed addresses, and the sessions a feed holds.
Functions flush, never commit."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.orm import aliased

from app.core.audit import record
from app.core.models import utcnow
from app.core.permissions import can
from app.extensions import db
from app.orgs.models import OrgUnit
from app.schedule.calendar_models import CalendarFeed, FeedKind
from app.schedule.models import LiveSession
from app.schedule.queries import sessions_query

# Past lessons kept in a feed; a series that is still running keeps all of its occurrences.
HISTORY = timedelta(days=120)


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _revoke_matching(user_id: int, kind: FeedKind, class_id: int | None) -> None:
    db.session.execute(
        update(CalendarFeed)
        .where(
            CalendarFeed.user_id == user_id,
            CalendarFeed.kind == kind,
            CalendarFeed.class_id.is_(None) if class_id is None else CalendarFeed.class_id == class_id,
            CalendarFeed.revoked_at.is_(None),
        )
        .values(revoked_at=utcnow())
        .execution_options(synchronize_session="fetch")
    )


def issue_feed(actor, unit: OrgUnit | None = None) -> tuple[CalendarFeed, str]:
    """A new secret address for the actor's own lessons (or for `unit`, a class), replacing the
    one they had: re-issuing is how a leaked address is shut. The secret is returned once."""
    kind = FeedKind.CLASS if unit is not None else FeedKind.USER
    if unit is not None and not can(actor, "calendar.class_feed", unit):
        raise PermissionError("not allowed to share this class's calendar")
    class_id = unit.id if unit is not None else None
    _revoke_matching(actor.id, kind, class_id)
    secret = secrets.token_urlsafe(24)
    feed = CalendarFeed(kind=kind, user_id=actor.id, class_id=class_id, token_digest=_digest(secret), prefix=secret[:6])
    db.session.add(feed)
    db.session.flush()
    record(actor, "calendar.feed_issued", feed, school_id=actor.school_id, kind=str(kind), class_id=class_id)
    return feed, secret


def revoke_feed(actor, feed: CalendarFeed) -> None:
    if feed.user_id != actor.id:
        raise PermissionError("only the one who issued a feed revokes it")
    if feed.revoked_at is None:
        feed.revoked_at = utcnow()
        db.session.flush()
        record(actor, "calendar.feed_revoked", feed, school_id=actor.school_id)


def active_feeds(user) -> list[CalendarFeed]:
    query = (
        select(CalendarFeed)
        .where(CalendarFeed.user_id == user.id, CalendarFeed.revoked_at.is_(None))
        .order_by(CalendarFeed.created_at.desc())
    )
    return list(db.session.scalars(query))


def feed_for_secret(secret: str) -> CalendarFeed | None:
    """The live feed behind an address: not revoked, its user still active and, for a class
    feed, still allowed to share it (a class teacher who moved on takes the address with them)."""
    if not secret or len(secret) > 100:
        return None
    feed = db.session.scalar(select(CalendarFeed).where(CalendarFeed.token_digest == _digest(secret)))
    if feed is None or feed.revoked_at is not None or feed.user is None or feed.user.disabled:
        return None
    if feed.kind == FeedKind.CLASS and not can(feed.user, "calendar.class_feed", feed.unit):
        return None
    return feed


def feed_sessions(feed: CalendarFeed, now=None) -> list[LiveSession]:
    """The sessions a feed shows, cancelled ones included (they become EXDATEs or CANCELLED):
    recent and future ones, plus every occurrence of a series still running, so EXDATEs and
    RECURRENCE-IDs describe the whole rule."""
    scope = feed.unit if feed.kind == FeedKind.CLASS else feed.user
    since = (now or utcnow()) - HISTORY
    # An alias, so the subquery is not correlated with the outer LiveSession.
    recent = aliased(LiveSession)
    running = select(recent.series_id).where(recent.ends_at > since, recent.series_id.is_not(None))
    query = sessions_query(scope, include_cancelled=True).where(
        or_(LiveSession.ends_at > since, LiveSession.series_id.in_(running))
    )
    return list(db.session.scalars(query))


def feed_name(feed: CalendarFeed) -> str:
    from flask_babel import gettext as _

    if feed.kind == FeedKind.CLASS:
        return _("Kexu: %(name)s timetable", name=feed.unit.name)
    return _("Kexu: my lessons")
