"""Weekly series: expansion into LiveSession rows (wall time in the school's zone, so DST moves
the UTC instant, not the lesson), and edits of this-and-following or all occurrences."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from dateutil.rrule import WEEKLY, rrule

from app.core.audit import record
from app.core.models import utcnow
from app.extensions import db
from app.orgs.models import Course
from app.schedule.checks import (
    InvalidSchedule,
    accept,
    check_sessions,
    clean_join_url,
    course_class_ids,
    make_lesson,
    new_id,
)
from app.schedule.loading import course_teacher_ids, school_timezone
from app.schedule.models import LiveSeries, LiveSession, SessionStatus
from app.schedule.operations import (
    _title,
    cancel_session,
    drop_exceptions_for_new_time,
    edit_session,
    notify,
    store_exceptions,
)
from app.schedule.policy import CheckResult
from app.schedule.policy_index import zone

MAX_OCCURRENCES = 400
ICAL_DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
SCOPES = ("one", "following", "all")


def expand(
    weekdays, start_time: time, tz: str, starts_on: date, until: date | None, count: int | None
) -> list[datetime]:
    """Occurrence starts in UTC. A wall time skipped by a spring-forward change lands an hour
    later (zoneinfo's fold=0), as calendar programs do."""
    if until is None and count is None:
        raise InvalidSchedule({"until": "Give an end date or a number of lessons."})
    if not weekdays or any(not 0 <= int(day) <= 6 for day in weekdays):
        raise InvalidSchedule({"weekdays": "Choose at least one day of the week."})
    if until is not None and until < starts_on:
        raise InvalidSchedule({"until": "The end date is before the first day."})
    if count is not None and not 1 <= count <= MAX_OCCURRENCES:
        raise InvalidSchedule({"count": f"Between 1 and {MAX_OCCURRENCES} lessons."})
    rule = rrule(
        WEEKLY,
        byweekday=sorted({int(day) for day in weekdays}),
        dtstart=datetime.combine(starts_on, start_time),
        until=datetime.combine(until, time(23, 59, 59)) if until else None,
        count=count,
    )
    local_zone = zone(tz)
    starts = []
    for naive in rule:
        starts.append(naive.replace(tzinfo=local_zone).astimezone(UTC))
        if len(starts) > MAX_OCCURRENCES:
            raise InvalidSchedule({"until": f"A series has at most {MAX_OCCURRENCES} lessons."})
    if not starts:
        raise InvalidSchedule({"weekdays": "No lesson falls between these dates on these days."})
    return starts


def rrule_text(weekdays, tz: str, until: date | None, count: int | None) -> str:
    """The RRULE value for iCalendar; UNTIL in UTC as RFC 5545 requires with a TZID start."""
    text = "FREQ=WEEKLY;WKST=MO;BYDAY=" + ",".join(ICAL_DAYS[day] for day in sorted({int(d) for d in weekdays}))
    if count is not None:
        return text + f";COUNT={count}"
    last = datetime.combine(until, time(23, 59, 59), tzinfo=zone(tz)).astimezone(UTC)
    return text + ";UNTIL=" + last.strftime("%Y%m%dT%H%M%SZ")


def _params(data: dict, course: Course, base: LiveSeries | None = None) -> dict:
    def pick(key, default):
        value = data.get(key)
        return default if value in (None, "", []) else value

    params = {
        "title": _title({"title": pick("title", base.title if base else None)}, course),
        "weekdays": sorted({int(day) for day in pick("weekdays", base.weekdays if base else [])}),
        "start_time": pick("start_time", base.start_time if base else None),
        "minutes": int(pick("minutes", base.duration_minutes if base else 0)),
        "join_url": clean_join_url(data.get("join_url", base.join_url if base else None)),
        "class_ids": course_class_ids(course, pick("class_ids", [u.id for u in base.classes] if base else None)),
    }
    if params["start_time"] is None:
        raise InvalidSchedule({"start_time": "Enter the lessons' start time."})
    return params


def create_series(actor, course: Course, data: dict) -> tuple[LiveSeries, CheckResult]:
    """A weekly series, every occurrence stored and checked in one batch (conflicts inside the
    series count too). Without an end date or count it runs to the end of the course's term."""
    params = _params(data, course)
    tz = school_timezone(course.school_id)
    until, count = data.get("until"), data.get("count")
    if until is None and count is None and course.term is not None:
        until = course.term.ends_on
    starts_on = data.get("starts_on") or (course.term.starts_on if course.term else None)
    if starts_on is None:
        raise InvalidSchedule({"starts_on": "Enter the first day."})
    starts = expand(params["weekdays"], params["start_time"], tz, starts_on, until, count)
    teachers = course_teacher_ids(course.id)
    lessons = [
        make_lesson(new_id(i), course, params["class_ids"], start, params["minutes"], teachers)
        for i, start in enumerate(starts)
    ]
    result = check_sessions(course.school_id, lessons)
    excepted = accept(result, lessons, data.get("exception_reason"))
    series = LiveSeries(
        school_id=course.school_id,
        course_id=course.id,
        course=course,
        title=params["title"],
        weekdays=params["weekdays"],
        start_time=params["start_time"],
        duration_minutes=params["minutes"],
        timezone=tz,
        starts_on=starts_on,
        until=until if count is None else None,
        count=count,
        rrule=rrule_text(params["weekdays"], tz, until, count),
        join_url=params["join_url"],
        created_by_id=actor.id if actor else None,
    )
    series.classes = [unit for unit in course.classes if unit.id in params["class_ids"]]
    db.session.add(series)
    by_lesson = {}
    for lesson in lessons:
        by_lesson[lesson.id] = _new_session(series, course, lesson, params, actor)
    db.session.flush()
    store_exceptions(actor, excepted, by_lesson, data.get("exception_reason") or "")
    record(actor, "series.create", series, occurrences=len(lessons), rrule=series.rrule)
    notify(by_lesson[lessons[0].id], "session_created", actor, series=len(lessons))
    return series, result


def _new_session(series, course, lesson, params, actor) -> LiveSession:
    session = LiveSession(
        school_id=course.school_id,
        course_id=course.id,
        course=course,
        series=series,
        title=params["title"],
        starts_at=lesson.start,
        ends_at=lesson.end,
        original_starts_at=lesson.start,
        join_url=params["join_url"],
        created_by_id=actor.id if actor else None,
    )
    session.classes = list(series.classes)
    db.session.add(session)
    return session


def _local_date(moment: datetime, tz: str) -> date:
    return moment.astimezone(zone(tz)).date()


def edit_series(actor, session: LiveSession, data: dict, scope: str) -> CheckResult:
    """Edit one occurrence, this and the following ones (the series splits in two, as RFC 5545
    clients do), or all. Occurrences are matched by their original local date: a matched one
    keeps its row (and id), a cancelled one stays cancelled, one moved on its own keeps its time
    unless the days, time or length change, dates no longer in the rule go. Lessons that have
    begun are never changed (_first_open_day)."""
    if scope not in SCOPES:
        raise InvalidSchedule({"scope": "Choose one, following or all."})
    series = session.series
    if scope == "one" or series is None:
        return edit_session(actor, session, data)
    course, tz = session.course, series.timezone
    params = _params(data, course, series)
    pivot = series.starts_on if scope == "all" else _local_date(session.original_starts_at, tz)
    pivot = max(pivot, _first_open_day(series))
    members = [s for s in series.sessions if _local_date(s.original_starts_at, tz) >= pivot]
    earlier = [s for s in series.sessions if _local_date(s.original_starts_at, tz) < pivot]
    count = series.count - len(earlier) if series.count else None
    starts = expand(params["weekdays"], params["start_time"], tz, pivot, series.until, count)
    by_day = {_local_date(s.original_starts_at, tz): s for s in members}
    teachers = course_teacher_ids(course.id)
    same_times = (params["weekdays"], params["start_time"], params["minutes"]) == (
        sorted(series.weekdays),
        series.start_time,
        series.duration_minutes,
    )
    plan, lessons = [], []
    for index, start in enumerate(starts):
        stored = by_day.pop(_local_date(start, tz), None)
        # A lesson moved on its own keeps its time while the series' days, time and length stay.
        own = stored is not None and same_times and stored.starts_at != stored.original_starts_at
        when, minutes = (stored.starts_at, stored.minutes) if own else (start, params["minutes"])
        lesson = make_lesson(
            stored.id if stored else new_id(index), course, params["class_ids"], when, minutes, teachers
        )
        plan.append((stored, lesson, start))
        if stored is None or not stored.is_cancelled:
            lessons.append(lesson)
        if stored is not None and (stored.starts_at, stored.ends_at) != (lesson.start, lesson.end):
            drop_exceptions_for_new_time(stored, params["minutes"])  # before the check, not after it
    dropped = list(by_day.values())
    result = check_sessions(session.school_id, lessons, replaces=[s.id for s in dropped])
    excepted = accept(result, lessons, data.get("exception_reason"))
    target = series if not earlier else _split(series, pivot, params, count, actor)
    _apply_params(target, params, tz, pivot if earlier else series.starts_on, count)
    stored_by_lesson, moved = {}, None
    for stored, lesson, slot in plan:
        if stored is None:
            stored = _new_session(target, course, lesson, params, actor)
        else:
            if (stored.starts_at, stored.ends_at) != (lesson.start, lesson.end):
                moved = moved or (stored, stored.starts_at)
            stored.series, stored.title, stored.join_url = target, params["title"], params["join_url"]
            stored.starts_at, stored.ends_at, stored.original_starts_at = lesson.start, lesson.end, slot
            stored.classes = list(target.classes)
            stored.sequence += 1
        stored_by_lesson[lesson.id] = stored
    for gone in dropped:
        db.session.delete(gone)
    db.session.flush()
    store_exceptions(actor, excepted, stored_by_lesson, data.get("exception_reason") or "")
    record(actor, "series.edit", target, scope=scope, occurrences=len(plan), removed=len(dropped), rrule=target.rrule)
    if moved:
        notify(moved[0], "session_moved", actor, old_starts_at=moved[1])
    return result


def _first_open_day(series: LiveSeries) -> date:
    """The first day a series edit may change: past lessons are history (their attendance
    belongs to them), so "all" and "following" start after the last lesson that has begun."""
    now = utcnow()
    if not any(s.starts_at > now for s in series.sessions):
        raise InvalidSchedule({"scope": "Every lesson of this series has begun; change them one at a time."})
    started = [_local_date(s.original_starts_at, series.timezone) for s in series.sessions if s.starts_at <= now]
    return max(started) + timedelta(days=1) if started else series.starts_on


def _split(series: LiveSeries, pivot: date, params: dict, count, actor) -> LiveSeries:
    """End the old series the day before `pivot`; the following occurrences get a new series."""
    new = LiveSeries(
        school_id=series.school_id,
        course_id=series.course_id,
        course=series.course,
        timezone=series.timezone,
        starts_on=pivot,
        until=series.until,
        count=count,
        rrule="",
        sequence=0,
        title=params["title"],
        weekdays=params["weekdays"],
        start_time=params["start_time"],
        duration_minutes=params["minutes"],
        created_by_id=actor.id if actor else None,
    )
    db.session.add(new)
    series.until, series.count = pivot - timedelta(days=1), None
    series.rrule = rrule_text(series.weekdays, series.timezone, series.until, None)
    series.sequence += 1
    return new


def _apply_params(series: LiveSeries, params: dict, tz: str, starts_on: date, count) -> None:
    series.title, series.weekdays, series.start_time = params["title"], params["weekdays"], params["start_time"]
    series.duration_minutes, series.join_url, series.starts_on = params["minutes"], params["join_url"], starts_on
    series.classes = [unit for unit in series.course.classes if unit.id in params["class_ids"]]
    series.count = count
    series.rrule = rrule_text(series.weekdays, tz, series.until, count)
    series.sequence += 1


def cancel_series(actor, session: LiveSession, data: dict | None, scope: str) -> int:
    """Cancel one occurrence, this and the following ones, or all; returns how many."""
    if scope not in SCOPES:
        raise InvalidSchedule({"scope": "Choose one, following or all."})
    if scope == "one" or session.series is None:
        was = session.is_cancelled
        cancel_session(actor, session, data)
        return 0 if was else 1
    now = utcnow()
    targets = [  # lessons that have begun are history and stay as they were
        s
        for s in session.series.sessions
        if s.status == SessionStatus.SCHEDULED
        and s.starts_at > now
        and (scope == "all" or s.original_starts_at >= session.original_starts_at)
    ]
    reason = ((data or {}).get("reason") or "").strip() or None
    for target in targets:
        target.status, target.cancel_reason = SessionStatus.CANCELLED, reason
        target.sequence += 1
    db.session.flush()
    record(actor, "series.cancel", session.series, scope=scope, cancelled=len(targets), reason=reason)
    if targets:
        notify(targets[0], "session_cancelled", actor, reason=reason, occurrences=len(targets))
    return len(targets)
