"""Read-side queries for live sessions, scoped to a viewer or to a unit.

`sessions_between` is the stable entry point the pages, the calendar feeds and the API use.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Select, false, or_, select
from sqlalchemy.orm import selectinload

from app.auth.models import Role, User, UserRole
from app.extensions import db
from app.orgs.models import Course, OrgUnit, UnitKind, class_membership, course_teacher
from app.schedule.models import LiveSession, PolicySetting, SessionStatus, live_session_class


def _scope_clause(viewer_or_scope):
    """Which sessions a viewer (a User) or a scope (a school, grade or class OrgUnit) covers.

    Staff see their school; a teacher the sessions of the courses they teach and of the classes
    they lead; a student (or anyone in a class) the sessions of their classes.
    """
    if isinstance(viewer_or_scope, OrgUnit):
        unit = viewer_or_scope
        if unit.kind == UnitKind.SCHOOL:
            return LiveSession.school_id == unit.id
        if unit.kind == UnitKind.CLASS:
            class_ids = select(OrgUnit.id).where(OrgUnit.id == unit.id)
        else:
            class_ids = select(OrgUnit.id).where(OrgUnit.parent_id == unit.id, OrgUnit.kind == UnitKind.CLASS)
        in_classes = select(live_session_class.c.session_id).where(live_session_class.c.class_id.in_(class_ids))
        return LiveSession.id.in_(in_classes)
    viewer: User = viewer_or_scope
    if viewer.school_id is None:
        return false()
    if viewer.has_role(Role.ADMIN, Role.ACADEMIC_AFFAIRS):
        return LiveSession.school_id == viewer.school_id
    own_classes = select(class_membership.c.class_id).where(class_membership.c.user_id == viewer.id)
    led_classes = select(UserRole.unit_id).where(UserRole.user_id == viewer.id, UserRole.role == Role.CLASS_TEACHER)
    taught = select(course_teacher.c.course_id).where(course_teacher.c.user_id == viewer.id)
    via_class = select(live_session_class.c.session_id).where(
        or_(live_session_class.c.class_id.in_(own_classes), live_session_class.c.class_id.in_(led_classes))
    )
    return (LiveSession.school_id == viewer.school_id) & or_(
        LiveSession.course_id.in_(taught), LiveSession.id.in_(via_class)
    )


def sessions_query(
    viewer_or_scope,
    start_utc: datetime | None = None,
    end_utc: datetime | None = None,
    course_ids=None,
    class_ids=None,
    include_cancelled: bool = False,
) -> Select:
    """The select behind `sessions_between`, for callers that paginate."""
    query = (
        select(LiveSession)
        .where(_scope_clause(viewer_or_scope))
        .options(
            selectinload(LiveSession.course).selectinload(Course.teachers),
            selectinload(LiveSession.classes),
            selectinload(LiveSession.series),
        )
        .order_by(LiveSession.starts_at, LiveSession.id)
    )
    if start_utc is not None:
        query = query.where(LiveSession.ends_at > start_utc)
    if end_utc is not None:
        query = query.where(LiveSession.starts_at < end_utc)
    if course_ids is not None:
        query = query.where(LiveSession.course_id.in_(list(course_ids)))
    if class_ids is not None:
        in_classes = select(live_session_class.c.session_id).where(live_session_class.c.class_id.in_(list(class_ids)))
        query = query.where(LiveSession.id.in_(in_classes))
    if not include_cancelled:
        query = query.where(LiveSession.status == SessionStatus.SCHEDULED)
    return query


def sessions_between(
    viewer_or_scope,
    start_utc: datetime,
    end_utc: datetime,
    course_ids=None,
    class_ids=None,
    include_cancelled: bool = False,
) -> list[LiveSession]:
    """Sessions overlapping [start_utc, end_utc) that the viewer (a User) or scope (an OrgUnit:
    school, grade or class) covers, ordered by start, with course, teachers, classes and series
    loaded. Cancelled sessions are left out unless `include_cancelled` (calendar feeds want them,
    to send STATUS:CANCELLED)."""
    query = sessions_query(viewer_or_scope, start_utc, end_utc, course_ids, class_ids, include_cancelled)
    return list(db.session.scalars(query))


def policy_settings(school_id: int) -> dict[str, PolicySetting]:
    """The school's stored policy per stage (stages never set fall back to the default preset)."""
    rows = db.session.scalars(select(PolicySetting).where(PolicySetting.school_id == school_id))
    return {row.stage: row for row in rows}
