"""Timetable pages: a student's day, anyone's own week, a class's week, and academic affairs'
week overview of the school with compliance flags. Every time is shown in the viewer's zone."""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, abort, current_app, render_template, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from app.core.permissions import can, require
from app.extensions import db
from app.orgs.current import current_school
from app.orgs.models import OrgUnit, UnitKind
from app.orgs.queries import units_of_school
from app.schedule.calendar_feeds import active_feeds
from app.schedule.calendar_models import FeedKind
from app.schedule.queries import sessions_between
from app.schedule.view_data import (
    Week,
    by_local_day,
    compliance_flags,
    local_midnight,
    local_text,
    requested_week,
    today_in,
    viewer_zone,
)

bp = Blueprint("schedule_views", __name__, template_folder="templates")

# The live room (app/live) registers this endpoint when it is built; until then, the join
# button opens the lesson's external link only.
LIVE_ROOM_ENDPOINT = "live.room"


@bp.app_template_filter("local_clock")
def local_clock(moment) -> str:
    return local_text(moment, "Hm")


@bp.app_template_filter("local_day")
def local_day(moment) -> str:
    return local_text(moment, "MMMEd")


@bp.app_template_global()
def live_room_url(session) -> str | None:
    if LIVE_ROOM_ENDPOINT not in current_app.view_functions:
        return None
    return url_for(LIVE_ROOM_ENDPOINT, session_id=session.id)


@bp.app_template_global()
def session_detail_url(session) -> str | None:
    """The session's own page (app/schedule/routes.py), when the viewer may open it."""
    if "schedule.session_detail" not in current_app.view_functions:
        return None
    return url_for("schedule.session_detail", session_id=session.id)


def _week_context(week: Week, sessions) -> dict:
    return {
        "week": week,
        "days": by_local_day(sessions, week.tz, week.days),
        "today": today_in(week.tz),
        "zone_name": week.tz.key,
    }


@bp.route("/today")
@login_required
def today():
    """The viewer's lessons today, phone first: time, course, teachers, a join button."""
    tz = viewer_zone()
    day = today_in(tz)
    start = local_midnight(day, tz)
    end = local_midnight(day + timedelta(days=1), tz)
    sessions = sessions_between(current_user, start, end, include_cancelled=True)
    sessions = [s for s in sessions if s.starts_at.astimezone(tz).date() == day]
    return render_template("schedule/views/today.html", day=day, sessions=sessions, zone_name=tz.key)


@bp.route("/timetable")
@login_required
def my_week():
    """The viewer's own week: a student's lessons, a teacher's sessions (cancelled struck through)."""
    week = requested_week(viewer_zone())
    sessions = sessions_between(current_user, week.start_utc, week.end_utc, include_cancelled=True)
    feeds = [feed for feed in active_feeds(current_user) if feed.kind == FeedKind.USER]
    return render_template("schedule/views/week.html", feeds=feeds, **_week_context(week, sessions))


@bp.route("/classes/<int:unit_id>/timetable")
@login_required
def class_week(unit_id: int):
    unit = db.session.get(OrgUnit, unit_id)
    if unit is None or unit.kind != UnitKind.CLASS:
        abort(404)
    require(current_user, "unit.view", unit)
    week = requested_week(viewer_zone())
    sessions = sessions_between(unit, week.start_utc, week.end_utc, include_cancelled=True)
    may_share = can(current_user, "calendar.class_feed", unit)
    feeds = [f for f in active_feeds(current_user) if f.class_id == unit.id] if may_share else []
    return render_template(
        "schedule/views/class_week.html", unit=unit, may_share=may_share, feeds=feeds, **_week_context(week, sessions)
    )


@bp.route("/schedule/overview")
@login_required
def overview():
    """The school's week for academic affairs: per class and day, lessons, minutes and flags."""
    school = current_school()
    require(current_user, "schedule.overview", school)
    week = requested_week(viewer_zone())
    sessions = sessions_between(school, week.start_utc, week.end_utc, include_cancelled=True)
    classes = db.session.scalars(units_of_school(school.id, UnitKind.CLASS)).all()
    cells: dict[tuple[int, object], list] = {}
    for session in sessions:
        day = session.starts_at.astimezone(week.tz).date()
        for unit in session.classes:
            cells.setdefault((unit.id, day), []).append(session)
    flags = compliance_flags(school.id, sessions, week.tz)
    sessions_by_id = {session.id: session for session in sessions}
    class_names = dict(db.session.execute(select(OrgUnit.id, OrgUnit.name).where(OrgUnit.school_id == school.id)).all())
    return render_template(
        "schedule/views/overview.html",
        school=school,
        classes=classes,
        cells=cells,
        flags=flags,
        sessions_by_id=sessions_by_id,
        class_names=class_names,
        may_import=can(current_user, "timetable.import", school),
        counts={
            "sessions": sum(1 for s in sessions if not s.is_cancelled),
            "cancelled": sum(1 for s in sessions if s.is_cancelled),
            "blocking": sum(1 for found in flags.values() for f in found if f.severity == "block"),
            "warnings": sum(1 for found in flags.values() for f in found if f.severity == "warn"),
        },
        **_week_context(week, sessions),
    )
