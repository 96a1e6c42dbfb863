"""Placeholder builders (empty reports) until each report is implemented."""

from app.reports.report import REPORT_TITLES, Report


def _empty(name):
    def build(scope):
        return Report(name, str(REPORT_TITLES[name]), scope)

    return build


BUILDERS = {name: _empty(name) for name in REPORT_TITLES}
