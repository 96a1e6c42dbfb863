"""The text of each notification kind, rendered at display time in the viewer's language and zone.

Stored params hold times as ISO UTC strings; they are shown in the request's time zone (the
viewer's own, see app.core.i18n.select_timezone) with the locale's own day and clock patterns.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from babel.dates import format_skeleton
from flask_babel import get_locale, get_timezone, ngettext
from flask_babel import gettext as _

SESSION_CANCELLED = "session_cancelled"
SESSION_MOVED = "session_moved"
SESSION_CREATED = "session_created"
STUDY_TIME_OVER_LIMIT = "study_time_over_limit"  # sent by app/participation/over_limit.py
KINDS = frozenset({SESSION_CANCELLED, SESSION_MOVED, SESSION_CREATED, STUDY_TIME_OVER_LIMIT})


def _when(value) -> str:
    if not value:
        return "?"
    try:
        moment = datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return str(value)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return format_when(moment)


def format_when(moment: datetime) -> str:
    """A day and a clock time in the viewer's zone and language: "Wed, Mar 4 09:00", "3月4日周三 09:00"."""
    zone, locale = get_timezone(), get_locale()
    day = format_skeleton("MMMEd", moment, tzinfo=zone, locale=locale)
    return f"{day} {format_skeleton('Hm', moment, tzinfo=zone, locale=locale)}"


def _day(value) -> str:
    try:
        day = date.fromisoformat(value)
    except (TypeError, ValueError):
        return str(value or "?")
    return format_skeleton("MMMEd", day, locale=get_locale())


def _lesson_name(params: dict) -> str:
    course, title = params.get("course") or "", params.get("title") or ""
    if course and title and title != course:
        return _("%(course)s: %(title)s", course=course, title=title)
    return course or title or _("A lesson")


def render(kind: str, params: dict | None) -> str:
    """The message a viewer reads for one notification."""
    params = params or {}
    lesson, when = _lesson_name(params), _when(params.get("starts_at"))
    if kind == SESSION_CANCELLED:
        count = int(params.get("occurrences") or 1)
        if count > 1:
            text = ngettext(
                "%(num)d lesson of %(lesson)s from %(when)s on has been cancelled.",
                "%(num)d lessons of %(lesson)s from %(when)s on have been cancelled.",
                count,
                lesson=lesson,
                when=when,
            )
        else:
            text = _("%(lesson)s on %(when)s has been cancelled.", lesson=lesson, when=when)
        if params.get("reason"):
            text += " " + _("Reason: %(reason)s", reason=params["reason"])
        return text
    if kind == SESSION_MOVED:
        return _(
            "%(lesson)s has moved from %(old)s to %(new)s.",
            lesson=lesson,
            old=_when(params.get("old_starts_at")),
            new=when,
        )
    if kind == SESSION_CREATED:
        if params.get("series"):
            return _("New weekly lessons: %(lesson)s, starting %(when)s.", lesson=lesson, when=when)
        return _("New lesson: %(lesson)s on %(when)s.", lesson=lesson, when=when)
    if kind == STUDY_TIME_OVER_LIMIT:
        return _(
            "%(student)s was online %(minutes)s minutes on %(day)s, over the daily limit of %(limit)s minutes.",
            student=params.get("student") or "?",
            minutes=params.get("minutes"),
            day=_day(params.get("day")),
            limit=params.get("limit"),
        )
    return _("You have a new notification.")
