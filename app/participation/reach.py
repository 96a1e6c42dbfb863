"""The "not reached" list and contact logs (主动联系每一位学生).

A student is listed when nothing shows participation (presence in a live room, opening or
playing a resource) over the school's last PARTICIPATION_NOT_REACHED_DAYS lesson days (days with
lessons: weekends and holidays don't count, `window_first_day`) and nobody has reached them since.
A contact whose outcome is "reached" takes them off the list; no answer or a left message keeps
them on it (shown as the last attempt). If they still do nothing, they come back after another
N days. Flush, never commit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import func, or_, select, union

from app.auth.models import Role, User, UserRole
from app.core import audit
from app.core.models import utcnow
from app.core.sanitizer import sanitize
from app.extensions import db
from app.live.models import PresenceInterval
from app.orgs.models import OrgUnit, UnitKind, class_membership
from app.participation.loading import chunks
from app.participation.models import ContactChannel, ContactLog, ContactOutcome, ResourceProgress
from app.participation.settings import setting
from app.schedule.loading import school_timezone
from app.schedule.models import LiveSession, SessionStatus
from app.schedule.policy_index import day_start, zone

NOTE_MAX = 2000


class ContactError(ValueError):
    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


@dataclass
class NotReached:
    student: User
    class_names: list[str]
    last_participation_at: datetime | None
    last_contact: ContactLog | None


def _students(school_id: int, class_ids: set[int] | None) -> dict[int, set[int]]:
    """student id -> their class ids, for a school or some of its classes."""
    query = (
        select(class_membership.c.user_id, class_membership.c.class_id)
        .join(OrgUnit, OrgUnit.id == class_membership.c.class_id)
        .join(User, User.id == class_membership.c.user_id)
        .where(OrgUnit.school_id == school_id, OrgUnit.kind == UnitKind.CLASS, User.disabled.is_(False))
        .where(class_membership.c.user_id.in_(select(UserRole.user_id).where(UserRole.role == Role.STUDENT)))
    )
    if class_ids is not None:
        query = query.where(class_membership.c.class_id.in_(class_ids))
    result: dict[int, set[int]] = {}
    for user_id, class_id in db.session.execute(query):
        result.setdefault(user_id, set()).add(class_id)
    return result


def _active_since(school_id: int, student_ids: set[int], since: datetime) -> set[int]:
    """Students with any participation after `since`: one query per source of activity, each
    student once. Presence is "ended after since" or "still open and seen after since" (what
    coalesce(ended_at, last_seen_at) says, in a form the (session, user, ended_at) index answers)."""
    recent_sessions = select(LiveSession.id).where(
        LiveSession.school_id == school_id, LiveSession.ends_at >= since, LiveSession.starts_at <= utcnow()
    )
    in_recent = PresenceInterval.session_id.in_(recent_sessions)
    closed = select(PresenceInterval.user_id).where(in_recent, PresenceInterval.ended_at >= since)
    still_open = select(PresenceInterval.user_id).where(
        in_recent, PresenceInterval.ended_at.is_(None), PresenceInterval.last_seen_at >= since
    )
    active = set(db.session.scalars(union(closed, still_open)))
    active |= set(
        db.session.scalars(
            select(ResourceProgress.student_id)
            .where(or_(ResourceProgress.opened_at >= since, ResourceProgress.last_report_at >= since))
            .distinct()
        )
    )
    return active & student_ids


def last_participation(student_ids: list[int]) -> dict[int, datetime]:
    """student id -> their last sign of participation: one index seek per student and source
    (the latest closed presence, the latest open one, the latest resource report)."""
    result: dict[int, datetime] = {}
    latest_closed = select(func.max(PresenceInterval.ended_at)).where(PresenceInterval.user_id == User.id)
    latest_open = select(func.max(PresenceInterval.last_seen_at)).where(
        PresenceInterval.user_id == User.id, PresenceInterval.ended_at.is_(None)
    )
    latest_opened = select(func.max(ResourceProgress.opened_at)).where(ResourceProgress.student_id == User.id)
    latest_report = select(func.max(ResourceProgress.last_report_at)).where(ResourceProgress.student_id == User.id)
    columns = [q.scalar_subquery() for q in (latest_closed, latest_open, latest_opened, latest_report)]
    for part in chunks(student_ids):
        for user_id, *moments in db.session.execute(select(User.id, *columns).where(User.id.in_(part))):
            known = [m for m in moments if m is not None]
            if known:
                result[user_id] = max(m if m.tzinfo else m.replace(tzinfo=UTC) for m in known)
    return result


# How far back lesson days are looked for: a short look first, then a long one (a holiday).
LESSON_DAY_LOOKBACKS = (14, 62)


def window_first_day(school_id: int, last_day: date, days: int) -> date:
    """The first local day of the window a student must show participation in: the `days` most
    recent days with (not cancelled) lessons at the school, up to and including `last_day`, so a
    weekend or a holiday does not put the whole school on the list. Calendar days when the school
    had no lessons in the last two months."""
    timezone = school_timezone(school_id)
    local = zone(timezone)
    end = day_start(last_day + timedelta(days=1), timezone)
    for lookback in LESSON_DAY_LOOKBACKS:
        starts = db.session.scalars(
            select(LiveSession.starts_at)
            .where(
                LiveSession.school_id == school_id,
                LiveSession.status != SessionStatus.CANCELLED,
                LiveSession.starts_at >= end - timedelta(days=lookback),
                LiveSession.starts_at < end,
            )
            .distinct()
        )
        lesson_days = sorted({start.astimezone(local).date() for start in starts}, reverse=True)
        if len(lesson_days) >= days:
            return lesson_days[days - 1]
    if lesson_days:
        return lesson_days[-1]
    return last_day - timedelta(days=days - 1)


def not_reached(school_id: int, class_ids: set[int] | None = None, now: datetime | None = None, days=None):
    """The students to contact, longest silent first."""
    now = now or utcnow()
    days = int(days or setting("PARTICIPATION_NOT_REACHED_DAYS"))
    timezone = school_timezone(school_id)
    today = now.astimezone(zone(timezone)).date()
    since = day_start(window_first_day(school_id, today, days), timezone)
    classes_of = _students(school_id, class_ids)
    silent = sorted(set(classes_of) - _active_since(school_id, set(classes_of), since))
    if not silent:
        return []
    last_seen = last_participation(silent)
    contacts: dict[int, list[ContactLog]] = {}
    for part in chunks(silent):
        for log in db.session.scalars(
            select(ContactLog).where(ContactLog.student_id.in_(part)).order_by(ContactLog.contacted_at.desc())
        ):
            contacts.setdefault(log.student_id, []).append(log)
    users = {u.id: u for part in chunks(silent) for u in db.session.scalars(select(User).where(User.id.in_(part)))}
    names = dict(db.session.execute(select(OrgUnit.id, OrgUnit.name).where(OrgUnit.school_id == school_id)).all())
    result = []
    for student_id in silent:
        logs = contacts.get(student_id, [])
        reached = next((log.contacted_at for log in logs if log.outcome == ContactOutcome.REACHED), None)
        if reached is not None and reached >= since:
            continue
        seen = last_seen.get(student_id)
        class_names = sorted(names.get(c, "") for c in classes_of[student_id])
        result.append(NotReached(users[student_id], class_names, seen, logs[0] if logs else None))
    oldest = datetime.min.replace(tzinfo=now.tzinfo)
    result.sort(key=lambda item: (item.last_participation_at or oldest, item.student.username))
    return result


def log_contact(actor, student: User, data: dict, now: datetime | None = None) -> ContactLog:
    now = now or utcnow()
    log = ContactLog(school_id=student.school_id, student_id=student.id, by_id=actor.id)
    _apply(log, data, now)
    db.session.add(log)
    db.session.flush()
    audit.record(actor, "participation.contact_logged", log, school_id=student.school_id, student_id=student.id)
    return log


def update_contact(actor, log: ContactLog, data: dict, now: datetime | None = None) -> ContactLog:
    _apply(
        log, {"channel": log.channel, "outcome": log.outcome, "contacted_at": log.contacted_at, **data}, now or utcnow()
    )
    audit.record(actor, "participation.contact_updated", log, school_id=log.school_id, student_id=log.student_id)
    db.session.flush()
    return log


def delete_contact(actor, log: ContactLog) -> None:
    audit.record(actor, "participation.contact_deleted", log, school_id=log.school_id, student_id=log.student_id)
    db.session.delete(log)
    db.session.flush()


def _apply(log: ContactLog, data: dict, now: datetime) -> None:
    channel, outcome = str(data.get("channel") or ""), str(data.get("outcome") or "")
    if channel not in {str(c) for c in ContactChannel}:
        raise ContactError("channel", _("Choose how you contacted them."))
    if outcome not in {str(o) for o in ContactOutcome}:
        raise ContactError("outcome", _("Choose the outcome."))
    contacted_at = data.get("contacted_at") or now
    if contacted_at.tzinfo is None:
        raise ContactError("contacted_at", _("Give the time with its time zone."))
    if contacted_at > now + timedelta(minutes=5):
        raise ContactError("contacted_at", _("The contact cannot be in the future."))
    note = str(data.get("note") or "")
    if len(note) > NOTE_MAX:
        raise ContactError("note", _("Notes can be at most %(limit)d characters.", limit=NOTE_MAX))
    log.channel, log.outcome, log.contacted_at = channel, outcome, contacted_at
    log.note = str(sanitize(note, "plain"))


def contacts_of(student_id: int, limit: int = 50) -> list[ContactLog]:
    query = select(ContactLog).where(ContactLog.student_id == student_id).order_by(ContactLog.contacted_at.desc())
    return list(db.session.scalars(query.limit(limit)))
