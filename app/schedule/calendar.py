"""RFC 5545 feeds of live sessions, built with the icalendar library.

A series is one VEVENT with DTSTART;TZID (the zone its rule is written in, with its VTIMEZONE)
and the stored RRULE; its occurrences that are cancelled, or not the reader's, become EXDATEs;
an occurrence that was moved or edited is a second VEVENT with the same UID and a RECURRENCE-ID
(its original start). One-off sessions are plain VEVENTs. UIDs are stable (per series or
session) and SEQUENCE comes from the stored rows, so calendar programs update in place.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import UTC, datetime, time, timedelta

from dateutil.rrule import rrulestr
from flask_babel import gettext as _
from icalendar import Calendar, Event, vRecur

from app.core.models import utcnow
from app.schedule.models import LiveSeries, LiveSession
from app.schedule.policy_index import zone

PRODID = "-//Kexu//Kexu timetable//EN"
# A series is expanded only this far to match its stored occurrences (a term is ~20 weeks).
MAX_EXPANDED = 1000


def summary_of(session: LiveSession | LiveSeries) -> str:
    course_name, title = session.course.name, session.title
    return course_name if not title or title == course_name else f"{course_name}: {title}"


def _describe(event: Event, item: LiveSession | LiveSeries) -> None:
    event.add("summary", summary_of(item))
    lines = []
    teachers = "、".join(teacher.name for teacher in item.course.teachers)
    if teachers:
        lines.append(_("Teachers: %(names)s", names=teachers))
    if item.join_url:
        event.add("url", item.join_url)
        lines.append(_("Join: %(link)s", link=item.join_url))
    if lines:
        event.add("description", "\n".join(lines))


def _event(uid: str, start: datetime, end: datetime, tz: str, sequence: int, stamp: datetime) -> Event:
    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", stamp)
    event.add("dtstart", start.astimezone(zone(tz)))
    event.add("dtend", end.astimezone(zone(tz)))
    event.add("sequence", sequence)
    return event


def series_occurrences(series: LiveSeries) -> list[datetime]:
    """The UTC starts the stored RRULE gives, from the series' first day at its wall time."""
    local_zone = zone(series.timezone)
    anchor = datetime.combine(series.starts_on, series.start_time or time(0), tzinfo=local_zone)
    rule = rrulestr(series.rrule, dtstart=anchor)
    starts = []
    for local in rule:
        # Wall time in the series' zone: a lesson stays at 09:00 across a DST change.
        starts.append(local.replace(tzinfo=local_zone).astimezone(UTC))
        if len(starts) >= MAX_EXPANDED:
            break
    return starts


def _differs(session: LiveSession, series: LiveSeries, expected_start: datetime) -> bool:
    return (
        session.starts_at != expected_start
        or session.ends_at - session.starts_at != timedelta(minutes=series.duration_minutes)
        or session.title != series.title
        or (session.join_url or None) != (series.join_url or None)
    )


def _one_off(session: LiveSession, tz: str, stamp: datetime) -> Event:
    event = _event(f"session-{session.id}@kexu", session.starts_at, session.ends_at, tz, session.sequence, stamp)
    _describe(event, session)
    if session.is_cancelled:
        event.add("status", "CANCELLED")
    return event


def _series_events(series: LiveSeries, mine: list[LiveSession], stamp: datetime) -> list[Event]:
    """The master VEVENT, its EXDATEs and RECURRENCE-ID overrides for the sessions in `mine`."""
    tz = series.timezone
    expected = series_occurrences(series)
    by_original = {session.original_starts_at: session for session in mine}
    if not expected or not any(not s.is_cancelled for s in mine):
        # Nothing of this series is left for this reader: leaving it out removes it on refresh.
        return [_one_off(s, tz, stamp) for s in mine if not s.is_cancelled]
    first = expected[0]
    master = _event(
        series.ical_uid, first, first + timedelta(minutes=series.duration_minutes), tz, series.sequence, stamp
    )
    master.add("rrule", vRecur.from_ical(series.rrule))
    _describe(master, series)
    excluded, overrides, sequences = [], [], [series.sequence]
    for start in expected:
        session = by_original.pop(start, None)
        if session is None or session.is_cancelled:
            excluded.append(start.astimezone(zone(tz)))
            if session is not None:
                sequences.append(session.sequence)
        elif _differs(session, series, start):
            override = _event(series.ical_uid, session.starts_at, session.ends_at, tz, session.sequence, stamp)
            override.add("recurrence-id", start.astimezone(zone(tz)))
            _describe(override, session)
            overrides.append(override)
        else:
            sequences.append(session.sequence)
    if excluded:
        master.add("exdate", excluded)
    # A cancellation changes the master (a new EXDATE): its SEQUENCE follows the latest change.
    master["sequence"] = max(sequences)
    # Rows the rule no longer produces (should not happen) still reach the reader, on their own.
    strays = [_one_off(s, tz, stamp) for s in by_original.values() if not s.is_cancelled]
    return [master, *overrides, *strays]


def build_calendar(sessions: Iterable[LiveSession], school_tz: str, name: str, now: datetime | None = None) -> bytes:
    """The feed for these sessions (cancelled ones included: they become EXDATEs or CANCELLED)."""
    stamp = (now or utcnow()).astimezone(UTC)
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    # Subscribed calendars poll; hourly keeps a moved lesson from going unnoticed for a day.
    calendar.add("refresh-interval", timedelta(hours=1), parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", "PT1H")
    by_series: dict[int, list[LiveSession]] = defaultdict(list)
    series_of: dict[int, LiveSeries] = {}
    for session in sorted(sessions, key=lambda s: (s.starts_at, s.id)):
        if session.series_id is None:
            calendar.add_component(_one_off(session, school_tz, stamp))
        else:
            by_series[session.series_id].append(session)
            series_of[session.series_id] = session.series
    for series_id, mine in by_series.items():
        for event in _series_events(series_of[series_id], mine, stamp):
            calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical()
