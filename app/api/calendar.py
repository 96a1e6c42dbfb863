"""/api/v1/calendar/{token}.ics: a secret calendar feed address, served through the API too.

Public on purpose: calendar programs send no bearer token, so the secret in the path is the
permission (the same rule as the page route /calendar/<token>.ics).
"""

from app.api.auth import public
from app.api.base import ApiBlueprint
from app.schedule.calendar_routes import calendar_response

blp = ApiBlueprint("api-calendar", __name__, url_prefix="/calendar", description="Calendar feeds (iCalendar)")

ICS_RESPONSE = {
    "description": "An RFC 5545 calendar: one VEVENT per one-off lesson, a VEVENT with RRULE and EXDATE "
    "per weekly series, and a VEVENT with RECURRENCE-ID for each moved occurrence.",
    "content": {"text/calendar": {"schema": {"type": "string"}}},
}


@blp.route("/<token>.ics")
@public
@blp.doc(responses={"200": ICS_RESPONSE})
@blp.alt_response(404, response="NOT_FOUND")
def calendar_feed(token):
    """Get a calendar feed

    The lessons behind a secret feed address issued on the timetable or class timetable page.
    No bearer token: the address is the permission. A revoked or unknown address answers 404.
    """
    return calendar_response(token)
