"""Students at risk: attendance below REPORTS_AT_RISK_ATTENDANCE over the chosen days (once they
had REPORTS_AT_RISK_MIN_LESSONS lessons), or not reached (app/participation/reach: no
participation for PARTICIPATION_NOT_REACHED_DAYS days and nobody reached them since), as of the
end of the range."""

from __future__ import annotations

from datetime import timedelta

from flask_babel import gettext as _

from app.core.models import utcnow
from app.participation import reach
from app.reports import queries as q
from app.reports import scopes
from app.reports.builders.common import class_names_of_students, names_of_users
from app.reports.report import Chart, Column, Figure, Report, Scope, Series, Table
from app.reports.settings import setting
from app.schedule.loading import school_timezone
from app.schedule.policy_index import day_start

BUCKETS = (0.2, 0.4, 0.6, 0.8, 1.0001)


def _not_reached(scope: Scope) -> dict[int, object]:
    """student id -> NotReached, for the scope's students, as of the end of its last day."""
    now = min(utcnow(), day_start(scope.last + timedelta(days=1), school_timezone(scope.school_id)))
    if scope.kind in ("course", "teacher", "student"):
        from sqlalchemy import select

        from app.extensions import db
        from app.orgs.models import class_membership, course_class

        if scope.kind == "student":
            query = select(class_membership.c.class_id).where(class_membership.c.user_id == scope.id)
        else:
            query = select(course_class.c.class_id).where(
                course_class.c.course_id.in_(scopes.course_ids(scope) or [-1])
            )
        class_ids = set(db.session.scalars(query))
        if not class_ids:
            return {}
    else:
        class_ids = scopes.class_ids(scope)
    found = reach.not_reached(scope.school_id, class_ids, now=now)
    wanted = scopes.student_ids(scope) if scope.kind in ("course", "teacher", "student") else None
    return {item.student.id: item for item in found if wanted is None or item.student.id in wanted}


def _assess(scope: Scope):
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
    per_student, rates, low, silent, threshold = assessed or _assess(scope)
    return [
        Figure("at_risk", _("Students at risk"), len(low | set(silent)), "int", "students"),
        Figure(
            "low_attendance", _("Attendance below %(share)s", share=f"{threshold:.0%}"), len(low), "int", "students"
        ),
        Figure("not_reached", _("Not reached"), len(silent), "int", "students"),
    ]


def students_table(scope: Scope, assessed) -> Table:
    per_student, rates, low, silent, threshold = assessed
    ids = low | set(silent)
    names = names_of_users(ids)
    classes = class_names_of_students(scope.school_id, ids)
    rows = []
    for student_id in ids:
        row = per_student.get(student_id, {})
        item = silent.get(student_id)
        reasons = []
        if student_id in low:
            reasons.append(_("Low attendance"))
        if item is not None:
            reasons.append(_("Not reached"))
        last_seen = item.last_participation_at if item is not None else None
        rows.append(
            {
                "name": names.get(student_id, ""),
                "class": classes.get(student_id, ""),
                "slots": int(row.get("slots") or 0),
                "attended": int(row.get("attended") or 0),
                "absent": int(row.get("absent") or 0),
                "rate": rates.get(student_id),
                "last_seen": last_seen.date() if last_seen else None,
                "reason": "、".join(reasons),
                "_drill": scope.with_kind("student", student_id),
                "_label": names.get(student_id, ""),
            }
        )
    rows.sort(key=lambda r: (r["rate"] if r["rate"] is not None else -1, r["class"], r["name"]))
    cols = [
        Column("name", _("Student"), "text"),
        Column("class", _("Class"), "text"),
        Column("slots", _("Lessons"), "int"),
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
    assessed = _assess(scope)
    table, chart = distribution(assessed)
    return Report(
        "at-risk",
        _("Students at risk"),
        scope,
        headline(scope, assessed),
        [students_table(scope, assessed), table],
        [chart],
    )
