"""Business rules of live sessions: create, edit, move, cancel, approve exceptions, set the
policy. Every create and change runs `check_sessions` (app.schedule.checks); functions flush,
never commit. Series live in app.schedule.series and are re-exported here."""

from __future__ import annotations

from sqlalchemy import select

from app.core.audit import record
from app.core.models import utcnow
from app.extensions import db
from app.orgs.models import Course, class_membership, course_teacher
from app.schedule.checks import (
    InvalidSchedule,
    ScheduleRefused,
    accept,
    check_sessions,
    clean_join_url,
    course_class_ids,
    make_lesson,
    new_id,
)
from app.schedule.models import LiveSession, PolicyException, PolicySetting, SessionStatus
from app.schedule.policy import CheckResult
from app.schedule.policy_types import CONFIGURABLE_RULES, Mode, Rule, StagePolicy
from app.schedule.presets import get_preset

__all__ = [
    "InvalidSchedule",
    "ScheduleRefused",
    "approve_exception",
    "cancel_session",
    "check_sessions",
    "create_session",
    "edit_session",
    "move_session",
    "preview_session",
    "set_policy",
]


def _title(data: dict, course: Course) -> str:
    title = (data.get("title") or "").strip() or course.name
    if len(title) > 200:
        raise InvalidSchedule({"title": "At most 200 characters."})
    return title


def store_exceptions(actor, pairs, sessions_by_id: dict, reason: str) -> None:
    """One approved PolicyException per (session, rule), audited with the written reason."""
    for lesson_id, rule in pairs:
        session = sessions_by_id[lesson_id]
        if any(existing.rule == rule for existing in session.exceptions):
            continue
        session.exceptions.append(PolicyException(rule=rule, reason=reason.strip(), approved_by_id=actor.id))
        db.session.flush()
        record(actor, "policy.exception.approve", session, rule=rule, reason=reason.strip())


def drop_exceptions_for_new_time(session: LiveSession, minutes: int) -> None:
    """A new time drops the exceptions approved for the old one (the reason was given for that
    time); a lesson-length exception stays while the length does, as no move can change it.
    Called before the new time is checked, so a rule still broken needs a new approval."""
    keep_length = session.minutes == minutes
    for exception in list(session.exceptions):
        if not (keep_length and exception.rule == str(Rule.LESSON_LENGTH)):
            session.exceptions.remove(exception)
    db.session.flush()


def notify(session: LiveSession, kind: str, actor=None, **params) -> None:
    """Tell the session's students and teachers (not the one who made the change)."""
    from app.notify.operations import notify_users

    class_ids = [unit.id for unit in session.classes]
    students = select(class_membership.c.user_id).where(class_membership.c.class_id.in_(class_ids))
    teachers = select(course_teacher.c.user_id).where(course_teacher.c.course_id == session.course_id)
    user_ids = set(db.session.scalars(students)) | set(db.session.scalars(teachers))
    user_ids.discard(getattr(actor, "id", None))
    base = {"course": session.course.name, "title": session.title, "starts_at": session.starts_at}
    notify_users(user_ids, kind, {**base, **params}, link=f"/schedule/sessions/{session.id}")


def preview_session(course: Course, data: dict) -> CheckResult:
    """What creating this session would give, without storing anything (the API's /check)."""
    lesson = make_lesson(
        new_id(), course, course_class_ids(course, data.get("class_ids")), data["starts_at"], data["minutes"]
    )
    return check_sessions(course.school_id, [lesson])


def create_session(actor, course: Course, data: dict) -> tuple[LiveSession, CheckResult]:
    """A one-off session. Raises ScheduleRefused (nothing stored) when it breaks a blocking rule
    for any student or double-books a class or a teacher; returns it with its warnings."""
    title, join_url = _title(data, course), clean_join_url(data.get("join_url"))
    class_ids = course_class_ids(course, data.get("class_ids"))
    lesson = make_lesson(new_id(), course, class_ids, data["starts_at"], data["minutes"])
    result = check_sessions(course.school_id, [lesson])
    excepted = accept(result, [lesson], data.get("exception_reason"))
    session = LiveSession(
        school_id=course.school_id,
        course_id=course.id,
        course=course,
        title=title,
        starts_at=lesson.start,
        ends_at=lesson.end,
        original_starts_at=lesson.start,
        join_url=join_url,
        created_by_id=actor.id if actor else None,
    )
    session.classes = [unit for unit in course.classes if unit.id in class_ids]
    db.session.add(session)
    db.session.flush()
    store_exceptions(actor, excepted, {lesson.id: session}, data.get("exception_reason") or "")
    record(actor, "session.create", session, starts_at=lesson.start.isoformat(), minutes=data["minutes"])
    notify(session, "session_created", actor)
    return session, result


def edit_session(actor, session: LiveSession, data: dict) -> CheckResult:
    """Change one session (one occurrence of a series): title, link, classes, start, length.
    A change of time or classes is checked again; a new time drops approved exceptions given
    for the old time (drop_exceptions_for_new_time) and tells everyone the lesson moved."""
    if session.is_cancelled:
        raise InvalidSchedule({"status": "A cancelled lesson cannot be changed."})
    course = session.course
    starts_at = data.get("starts_at") or session.starts_at
    minutes = data.get("minutes") or session.minutes
    class_ids = (
        course_class_ids(course, data["class_ids"])
        if data.get("class_ids")
        else frozenset(u.id for u in session.classes)
    )
    old_start, old_end, old_classes = session.starts_at, session.ends_at, {u.id for u in session.classes}
    lesson = make_lesson(session.id, course, class_ids, starts_at, minutes)
    retimed = (lesson.start, lesson.end) != (old_start, old_end)
    result = CheckResult()
    if retimed or set(class_ids) != old_classes:
        if retimed:
            drop_exceptions_for_new_time(session, minutes)
        result = check_sessions(session.school_id, [lesson])
        excepted = accept(result, [lesson], data.get("exception_reason"))
        store_exceptions(actor, excepted, {session.id: session}, data.get("exception_reason") or "")
    if "title" in data:
        session.title = _title(data, course)
    if "join_url" in data:
        session.join_url = clean_join_url(data.get("join_url"))
    session.starts_at, session.ends_at = lesson.start, lesson.end
    session.classes = [unit for unit in course.classes if unit.id in class_ids]
    session.sequence += 1
    db.session.flush()
    record(actor, "session.edit", session, starts_at=lesson.start.isoformat(), old_starts_at=old_start.isoformat())
    if retimed:
        notify(session, "session_moved", actor, old_starts_at=old_start)
    return result


def move_session(actor, session: LiveSession, data: dict) -> CheckResult:
    """Move one session (or one occurrence) to a new start, optionally with a new length."""
    return edit_session(
        actor, session, {key: data[key] for key in ("starts_at", "minutes", "exception_reason") if key in data}
    )


def cancel_session(actor, session: LiveSession, data: dict | None = None) -> None:
    """Cancel one session or occurrence. It stays stored (calendars show it as cancelled)."""
    if session.is_cancelled:
        return
    session.status = SessionStatus.CANCELLED
    session.cancel_reason = ((data or {}).get("reason") or "").strip() or None
    session.sequence += 1
    db.session.flush()
    record(actor, "session.cancel", session, reason=session.cancel_reason)
    notify(session, "session_cancelled", actor, reason=session.cancel_reason)


def approve_exception(actor, session: LiveSession, data: dict) -> PolicyException:
    """Let an existing session break one rule, with a written reason (audited)."""
    rule, reason = data.get("rule"), (data.get("reason") or "").strip()
    if rule not in {str(r) for r in CONFIGURABLE_RULES}:
        raise InvalidSchedule({"rule": "Choose one of the policy's rules."})
    if not reason:
        raise InvalidSchedule({"reason": "Write why this exception is approved."})
    store_exceptions(actor, [(session.id, rule)], {session.id: session}, reason)
    return next(item for item in session.exceptions if item.rule == rule)


def _validated_rules(data: dict) -> dict:
    """StagePolicy.as_dict() of the submitted numbers; every problem by field name."""
    errors = {}
    for name in ("max_lesson_minutes", "max_daily_minutes", "min_break_minutes", "max_lessons_per_day"):
        value = data.get(name)
        if value not in (None, "") and (not str(value).isdigit() or not 0 < int(value) <= 24 * 60):
            errors[name] = "Enter a whole number of minutes (or lessons) between 1 and 1440, or leave it empty."
    weekdays = data.get("allowed_weekdays", list(range(7)))
    if not isinstance(weekdays, list | tuple) or not all(str(day).isdigit() and int(day) < 7 for day in weekdays):
        errors["allowed_weekdays"] = "Weekdays are numbers 0 (Monday) to 6 (Sunday)."
    modes = data.get("modes") or {}
    if any(rule not in {str(r) for r in CONFIGURABLE_RULES} or mode not in set(Mode) for rule, mode in modes.items()):
        errors["modes"] = "Each rule is block, warn or off."
    try:
        policy = StagePolicy.from_dict(
            {
                **data,
                **{
                    k: int(data[k]) if data.get(k) not in (None, "") else None
                    for k in ("max_lesson_minutes", "max_daily_minutes", "min_break_minutes", "max_lessons_per_day")
                },
                "allowed_start": data.get("allowed_start") or None,
                "allowed_end": data.get("allowed_end") or None,
                "allowed_weekdays": [int(day) for day in weekdays],
                "modes": {**{str(r): "block" for r in CONFIGURABLE_RULES}, **modes},
            }
        )
    except (TypeError, ValueError):
        errors.setdefault("allowed_start", "Enter times as HH:MM.")
    if errors:
        raise InvalidSchedule(errors)
    return policy.as_dict()


def set_policy(actor, school, data: dict) -> PolicySetting:
    """Academic affairs set one stage's policy: from a preset (`preset`), edited numbers
    (`rules`, StagePolicy.as_dict() form, each rule block/warn/off), or a preset then edits."""
    stage = data.get("stage")
    from app.orgs.models import Stage

    if stage not in set(Stage):
        raise InvalidSchedule({"stage": "Choose a stage."})
    preset_key = data.get("preset") or None
    base = None
    if preset_key:
        try:
            base = get_preset(preset_key).stages.get(stage)
        except KeyError:
            base = None
        if base is None:
            raise InvalidSchedule({"preset": "This preset does not cover this stage."})
    rules = _validated_rules({**(base.as_dict() if base else {}), **(data.get("rules") or {})})
    if base is not None and rules != base.as_dict():
        preset_key = None  # edited by hand: no longer the preset's numbers
    setting = db.session.scalar(
        select(PolicySetting).where(PolicySetting.school_id == school.id, PolicySetting.stage == stage)
    )
    old = setting.rules if setting else None
    if setting is None:
        setting = PolicySetting(school_id=school.id, stage=stage)
        db.session.add(setting)
    setting.rules, setting.preset_key, setting.updated_by_id = rules, preset_key, actor.id
    setting.updated_at = utcnow()
    db.session.flush()
    record(actor, "policy.set", setting, school_id=school.id, stage=stage, preset=preset_key, old=old, new=rules)
    return setting


# Series (app.schedule.series) build on the helpers above; imported at call time so either
# module can be imported first.
def create_series(actor, course: Course, data: dict):
    from app.schedule import series

    return series.create_series(actor, course, data)


def edit_series(actor, session: LiveSession, data: dict, scope: str = "one") -> CheckResult:
    from app.schedule import series

    return series.edit_series(actor, session, data, scope)


def cancel_series(actor, session: LiveSession, data: dict | None = None, scope: str = "one") -> int:
    from app.schedule import series

    return series.cancel_series(actor, session, data, scope)


__all__ += ["cancel_series", "create_series", "edit_series"]
