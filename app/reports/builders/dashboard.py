"""The dashboard: headline figures of every report and trends by day."""

from app.reports.report import Report


def build_dashboard(scope):
    from flask_babel import gettext as _

    return Report("dashboard", _("Reports"), scope)
