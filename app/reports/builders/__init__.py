"""One builder per report: Scope -> Report, reading the rollups."""

from app.reports.builders import at_risk, attendance, delivery, resources, study_time, teachers

BUILDERS = {
    "delivery": delivery.build,
    "attendance": attendance.build,
    "at-risk": at_risk.build,
    "study-time": study_time.build,
    "resources": resources.build,
    "teachers": teachers.build,
}

__all__ = ["BUILDERS"]
