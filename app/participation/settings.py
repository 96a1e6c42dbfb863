"""Participation settings with their defaults; `load(environ)` is merged into the app config by
app/config.py, and `setting(name)` reads the running app's value."""

from __future__ import annotations

from flask import current_app

DEFAULTS = {
    # Present for at least this share of the scheduled lesson counts as present.
    "ATTENDANCE_PRESENT_SHARE": 0.8,
    # Joining more than this many minutes after the start is late.
    "ATTENDANCE_LATE_MINUTES": 5.0,
    # A watched share of a video at which it counts as completed.
    "RESOURCE_COMPLETE_SHARE": 0.9,
    # Days without any participation before a student is listed as "not reached".
    "PARTICIPATION_NOT_REACHED_DAYS": 2,
    # Serving processes flag over-limit study days themselves (0: only `flask participation flag-over-limit`).
    "PARTICIPATION_FLAGS_IN_PROCESS": True,
    "XAPI_LRS_URL": None,
    "XAPI_LRS_USER": None,
    "XAPI_LRS_PASSWORD": None,
    "XAPI_BATCH_SIZE": 100,
    "XAPI_MAX_ATTEMPTS": 8,
    # Statements name people by an account on this home page, never by e-mail.
    "XAPI_ACCOUNT_HOMEPAGE": "https://kexu.example",
    "XAPI_ACTIVITY_BASE": "https://kexu.example/xapi",
}

_TYPES = {
    "ATTENDANCE_PRESENT_SHARE": float,
    "ATTENDANCE_LATE_MINUTES": float,
    "RESOURCE_COMPLETE_SHARE": float,
    "PARTICIPATION_NOT_REACHED_DAYS": int,
    "PARTICIPATION_FLAGS_IN_PROCESS": lambda value: str(value).strip().lower() not in ("0", "false", "no", "off", ""),
    "XAPI_BATCH_SIZE": int,
    "XAPI_MAX_ATTEMPTS": int,
}


def load(environ) -> dict:
    """The settings from environment variables (named as the keys), defaults otherwise."""
    values = {}
    for name, default in DEFAULTS.items():
        raw = environ.get(name)
        values[name] = default if raw in (None, "") else _TYPES.get(name, str)(raw)
    return values


def setting(name: str):
    value = current_app.config.get(name)
    return DEFAULTS[name] if value is None else _TYPES.get(name, lambda v: v)(value)
