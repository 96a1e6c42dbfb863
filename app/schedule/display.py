"""Violations and slots as the pages show them: translated rule names, limits, values, the
students' local day, and the names of the sampled students."""

from __future__ import annotations

from babel.dates import get_day_names
from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import select

from app.auth.models import User
from app.extensions import db
from app.schedule.policy_index import zone
from app.schedule.policy_types import RULE_NAMES, Rule


def weekday_choices() -> list[tuple[str, str]]:
    """("0", "Monday") ... ("6", "Sunday") in the viewer's language, from the locale data (the
    policy stores 0 = Monday, as Python and Babel count)."""
    names = get_day_names("wide", locale=get_locale())
    return [(str(day), names[day]) for day in range(7)]


def _weekday_names(days) -> str:
    names = get_day_names("wide", locale=get_locale())
    listed = days if isinstance(days, list | tuple | set | frozenset) else [days]
    return ", ".join(names[int(day)] if str(day).isdigit() and int(day) < 7 else str(day) for day in listed)


def rule_value_text(rule, value) -> str:
    """A violation's limit or reached value in words: weekday names, minutes, a count or hours."""
    if value in (None, ""):
        return ""
    if rule in (Rule.ALLOWED_DAYS, Rule.ALLOWED_DAYS_ABROAD):
        return _weekday_names(sorted(value) if isinstance(value, set | frozenset) else value)
    if rule in (Rule.LESSON_LENGTH, Rule.DAILY_TOTAL, Rule.BREAK):
        return _("%(minutes)s min", minutes=value)
    return str(value)


def describe(result) -> list[dict]:
    """One row per violation or conflict, blocking first, with the names of every student concerned."""
    ids = {student_id for v in result.violations for student_id in v.student_ids}
    names = dict(db.session.execute(select(User.id, User.name).where(User.id.in_(ids))).all()) if ids else {}
    rows = []
    for conflict in result.conflicts:
        rows.append({"rule": _(RULE_NAMES[conflict.kind]), "blocking": True, "conflict": True, "start": conflict.start})
    for v in result.violations:
        rows.append(
            {
                "rule": _(RULE_NAMES[v.rule]),
                "code": str(v.rule),
                "blocking": v.severity == "block",
                "conflict": False,
                "limit": rule_value_text(v.rule, v.limit),
                "value": rule_value_text(v.rule, v.value),
                "day": v.day,
                "count": v.student_count,
                "names": [names.get(student_id, str(student_id)) for student_id in v.student_ids],
            }
        )
    return rows


def local(moment, tz_name: str):
    return moment.astimezone(zone(tz_name))
