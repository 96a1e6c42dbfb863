"""Calendar feed addresses: issue, re-issue and revoke them, and serve /calendar/<token>.ics.

The feed itself needs no sign-in (calendar programs can't sign in): the secret address is the
permission, and a revoked or unknown one answers 404.
"""

from __future__ import annotations

from flask import Response, abort, current_app, flash, redirect, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.core.permissions import require
from app.extensions import db
from app.orgs.current import current_school
from app.orgs.models import OrgUnit, UnitKind
from app.schedule.calendar import build_calendar
from app.schedule.calendar_feeds import feed_for_secret, feed_name, feed_sessions, issue_feed, revoke_feed
from app.schedule.calendar_models import CalendarFeed
from app.schedule.loading import school_timezone
from app.schedule.views import bp


def _announce(secret: str) -> None:
    address = url_for("schedule_views.calendar_feed", token=secret, _external=True)
    flash(_("Subscribe to this address in your calendar app; it is shown only once: %(url)s", url=address), "token")


@bp.route("/calendar/feeds", methods=["POST"])
@login_required
def issue_my_feed():
    """A new address for my own lessons; the previous one stops working."""
    current_school()
    _feed, secret = issue_feed(current_user)
    _announce(secret)
    return redirect(url_for("schedule_views.my_week"))


@bp.route("/classes/<int:unit_id>/calendar-feed", methods=["POST"])
@login_required
def issue_class_feed(unit_id: int):
    unit = db.session.get(OrgUnit, unit_id)
    if unit is None or unit.kind != UnitKind.CLASS:
        abort(404)
    require(current_user, "calendar.class_feed", unit)
    _feed, secret = issue_feed(current_user, unit)
    _announce(secret)
    return redirect(url_for("schedule_views.class_week", unit_id=unit.id))


@bp.route("/calendar/feeds/<int:feed_id>/revoke", methods=["POST"])
@login_required
def revoke_my_feed(feed_id: int):
    feed = db.session.get(CalendarFeed, feed_id)
    if feed is None or feed.user_id != current_user.id:
        abort(404)
    revoke_feed(current_user, feed)
    flash(_("The calendar address has been revoked."), "success")
    if feed.class_id is not None:
        return redirect(url_for("schedule_views.class_week", unit_id=feed.class_id))
    return redirect(url_for("schedule_views.my_week"))


def calendar_response(token: str) -> Response:
    """The .ics for a secret address, in its owner's language; 404 when revoked or unknown.
    Shared by the page route and the API route."""
    feed = feed_for_secret(token)
    if feed is None:
        abort(404)
    owner = feed.user
    school_id = feed.unit.school_id if feed.unit is not None else owner.school_id
    with force_locale(owner.locale or current_app.config["BABEL_DEFAULT_LOCALE"]):
        body = build_calendar(feed_sessions(feed), school_timezone(school_id), feed_name(feed))
    response = Response(body, mimetype="text/calendar")
    response.headers["Content-Disposition"] = 'inline; filename="kexu.ics"'
    # The address is a secret: keep it out of shared caches.
    response.headers["Cache-Control"] = "private, max-age=300"
    return response


@bp.route("/calendar/<token>.ics")
def calendar_feed(token: str):
    return calendar_response(token)
