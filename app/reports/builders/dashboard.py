"""The dashboard: the headline figures of all six reports and the trends by day.

On the dashboard a figure's `drill` names the report it opens (e.g. "attendance"), not a table.
"""

from __future__ import annotations

from dataclasses import replace

from flask_babel import gettext as _

from app.reports.builders import at_risk, attendance, delivery, resources, study_time, teachers
from app.reports.report import Report, Scope


def _pointing_to(report_name: str, figures):
    return [replace(figure, drill=report_name) for figure in figures]


def build_dashboard(scope: Scope) -> Report:
    delivery_days = delivery.day_table(scope)
    delivery_days.name, delivery_days.title = "delivery_by_day", _("Lessons by day")
    # One pass over the student-day rows gives attendance by day and the days over the limit.
    attendance_rows = attendance.day_rows(scope)
    over_by_day = study_time.over_limit_by_day(scope, attendance_rows)
    attendance_days = attendance.day_table(scope, attendance_rows)
    attendance_days.name, attendance_days.title = "attendance_by_day", _("Attendance by day")
    study_days = study_time.day_table(scope, over_by_day)
    study_days.name, study_days.title = "study_time_by_day", _("Study-time compliance by day")
    assessed = at_risk.assess(scope)
    figures = [
        *_pointing_to("delivery", delivery.headline(scope)),
        *_pointing_to("attendance", attendance.headline(scope, attendance_rows)),
        *_pointing_to("at-risk", at_risk.headline(scope, assessed)),
        *_pointing_to("study-time", study_time.headline(scope, over_by_day, assessed[0])),
        *_pointing_to("resources", resources.headline(scope)),
        *_pointing_to("teachers", teachers.headline(scope)),
    ]
    charts = [
        delivery.trend_chart(delivery_days),
        attendance.trend_chart(attendance_days),
        study_time.trend_chart(study_days),
    ]
    return Report("dashboard", _("Reports"), scope, figures, [delivery_days, attendance_days, study_days], charts)
