"""Report settings with their defaults; `load(environ)` is merged into the app config when the
reports register with the app (app/reports/cli.py), and `setting(name)` reads the running value."""

from __future__ import annotations

from flask import current_app

DEFAULTS = {
    # A student whose attendance over the chosen days is below this share is at risk.
    "REPORTS_AT_RISK_ATTENDANCE": 0.8,
    # ... but only once they had at least this many lessons in the range.
    "REPORTS_AT_RISK_MIN_LESSONS": 3,
    # The local hour (school time) after which the previous day's report is generated.
    "REPORTS_DAILY_HOUR": 6,
    # Whether the server process generates the daily report itself (else: cron, docs/operations.md).
    "REPORTS_DAILY_IN_PROCESS": True,
    # Seconds between the in-process checks for a due daily report.
    "REPORTS_DAILY_CHECK_SECONDS": 600,
    # Attendance changes touching more student-days (students x days) than this are rolled up by
    # the next rebuild rather than inside the change's own call (app/reports/stale.py).
    "REPORTS_INLINE_REFRESH_STUDENT_DAYS": 20000,
}

_TYPES = {
    "REPORTS_AT_RISK_ATTENDANCE": float,
    "REPORTS_AT_RISK_MIN_LESSONS": int,
    "REPORTS_DAILY_HOUR": int,
    "REPORTS_DAILY_IN_PROCESS": lambda value: str(value).lower() not in ("0", "false", "no", "off", ""),
    "REPORTS_DAILY_CHECK_SECONDS": float,
    "REPORTS_INLINE_REFRESH_STUDENT_DAYS": int,
}


def load(environ) -> dict:
    values = {}
    for name, default in DEFAULTS.items():
        raw = environ.get(name)
        values[name] = default if raw in (None, "") else _TYPES[name](raw)
    return values


def setting(name: str):
    value = current_app.config.get(name)
    return DEFAULTS[name] if value is None else _TYPES[name](value)
