"""Students at risk: attendance below REPORTS_AT_RISK_ATTENDANCE over the chosen days (once they
had REPORTS_AT_RISK_MIN_LESSONS lessons), or not reached as of the range's last day.

"Not reached" is the participation rule (app/participation/reach.py: no participation over the
school's last PARTICIPATION_NOT_REACHED_DAYS lesson days, and no contact that reached them since) read from the
student-day rollups, so it can be asked of any past day and costs one small query; the
participation page's live list remains the place to act on it.
"""

from __future__ import annotations

from datetime import date

from flask_babel import format_percent, pgettext
from flask_babel import gettext as _
from sqlalchemy import func, or_, select

from app.extensions import db
from app.orgs.models import OrgUnit, class_membership
from app.participation.models import ContactLog, ContactOutcome
from app.participation.reach import window_first_day
from app.participation.settings import setting as participation_setting
from app.reports import queries as q
from app.reports import scopes
from app.reports.builders.common import class_names_of_students, names_of_users
from app.reports.models import StudentDayRollup
from app.reports.report import Chart, Column, Figure, Report, Scope, Series, Table
from app.reports.settings import setting
from app.schedule.loading import school_timezone
from app.schedule.policy_index import day_start

BUCKETS = (0.2, 0.4, 0.6, 0.8, 1.0001)
R = StudentDayRollup
ACTIVE = or_(R.attended > 0, R.live_minutes > 0, R.resource_minutes > 0)


def _scope_students(scope: Scope) -> set[int]:
    found = scopes.student_ids(scope)
    if found is not None:
        return found
    classes = select(OrgUnit.id).where(OrgUnit.school_id == scope.school_id, OrgUnit.kind == "class")
    return set(db.session.scalars(select(class_membership.c.user_id).where(class_membership.c.class_id.in_(classes))))


def _not_reached(scope: Scope) -> dict[int, date | None]:
    """student id -> their last day with participation (None: none on record), for the scope's
    students silent over the N lesson days ending on its last day and not reached by a contact since."""
    days = int(participation_setting("PARTICIPATION_NOT_REACHED_DAYS"))
    window_first = window_first_day(scope.school_id, scope.last, days)
    students = _scope_students(scope)
    active = set(
        db.session.scalars(
            select(R.student_id)
            .where(R.school_id == scope.school_id, R.day >= window_first, R.day <= scope.last, ACTIVE)
            .distinct()
        )
    )
    silent = students - active
    if not silent:
        return {}
    since = day_start(window_first, school_timezone(scope.school_id))
    reached = set(
        db.session.scalars(
            select(ContactLog.student_id).where(
                ContactLog.school_id == scope.school_id,
                ContactLog.outcome == ContactOutcome.REACHED,
                ContactLog.contacted_at >= since,
            )
        )
    )
    return {student_id: None for student_id in silent - reached}


def _last_active_days(student_ids, before: date) -> dict[int, date]:
    result = {}
    ids = sorted(student_ids)
    for index in range(0, len(ids), 500):
        result.update(
            db.session.execute(
                select(R.student_id, func.max(R.day))
                .where(R.student_id.in_(ids[index : index + 500]), R.day <= before, ACTIVE)
                .group_by(R.student_id)
            ).all()
        )
    return result


def assess(scope: Scope):
    threshold = float(setting("REPORTS_AT_RISK_ATTENDANCE"))
    minimum = int(setting("REPORTS_AT_RISK_MIN_LESSONS"))
    per_student = {row["key"]: row for row in q.attendance(scope, "student")}
    rates = {key: q.attendance_rate(row) for key, row in per_student.items()}
    low = {
        key
        for key, rate in rates.items()
        if rate is not None and rate < threshold and int(per_student[key]["slots"] or 0) >= minimum
    }
    silent = _not_reached(scope)
    return per_student, rates, low, silent, threshold


def headline(scope: Scope, assessed=None) -> list[Figure]:
    per_student, rates, low, silent, threshold = assessed or assess(scope)
    return [
        Figure("at_risk", _("Students at risk"), len(low | set(silent)), "int", "students"),
        Figure(
            "low_attendance",
            _("Attendance below %(share)s", share=format_percent(threshold)),
            len(low),
            "int",
            "students",
        ),
        Figure("not_reached", pgettext("at risk", "Not reached"), len(silent), "int", "students"),
    ]


def students_table(scope: Scope, assessed) -> Table:
    per_student, rates, low, silent, threshold = assessed
    ids = low | set(silent)
    last_days = _last_active_days(ids, scope.last)
    names = names_of_users(ids)
    classes = class_names_of_students(scope.school_id, ids)
    rows = []
    for student_id in ids:
        row = per_student.get(student_id, {})
        reasons = []
        if student_id in low:
            reasons.append(_("Low attendance"))
        if student_id in silent:
            reasons.append(pgettext("at risk", "Not reached"))
        last_seen = last_days.get(student_id)
        rows.append(
            {
                "name": names.get(student_id, ""),
                "class": classes.get(student_id, ""),
                "slots": int(row.get("slots") or 0),
                "attended": int(row.get("attended") or 0),
                "absent": int(row.get("absent") or 0),
                "rate": rates.get(student_id),
                "last_seen": last_seen,
                "reason": "、".join(reasons),
                "_drill": scope.with_kind("student", student_id),
                "_label": names.get(student_id, ""),
            }
        )
    rows.sort(key=lambda r: (r["rate"] if r["rate"] is not None else -1, r["class"], r["name"]))
    cols = [
        Column("name", _("Student"), "text"),
        Column("class", _("Class"), "text"),
        Column("slots", pgettext("lesson count", "Lessons"), "int"),
        Column("attended", _("Attended"), "int"),
        Column("absent", _("Absent"), "int"),
        Column("rate", _("Attendance rate"), "percent"),
        Column("last_seen", _("Last participation"), "date"),
        Column("reason", _("Why"), "text"),
    ]
    return Table("students", _("Students at risk"), cols, rows, None)


def distribution(assessed) -> tuple[Table, Chart]:
    _per_student, rates, _low, _silent, _threshold = assessed
    labels = ["0-20%", "20-40%", "40-60%", "60-80%", "80-100%"]
    counts = [0] * len(BUCKETS)
    for rate in rates.values():
        if rate is None:
            continue
        index = next(i for i, bound in enumerate(BUCKETS) if rate < bound)
        counts[index] += 1
    rows = [{"bucket": label, "students": count} for label, count in zip(labels, counts, strict=True)]
    table = Table(
        "distribution",
        _("Students by attendance rate"),
        [Column("bucket", _("Attendance rate"), "text"), Column("students", _("Students"), "int")],
        rows,
        {"bucket": _("Total"), "students": sum(counts)},
    )
    chart = Chart(
        "attendance_distribution",
        _("Students by attendance rate"),
        "bar",
        labels,
        [Series(_("Students"), counts)],
        table.name,
    )
    return table, chart


def build(scope: Scope) -> Report:
    assessed = assess(scope)
    table, chart = distribution(assessed)
    return Report(
        "at-risk",
        _("Students at risk"),
        scope,
        headline(scope, assessed),
        [students_table(scope, assessed), table],
        [chart],
    )
