"""Language and time zone of each request.

A signed-in user's saved choice wins; otherwise the choice stored in the session by the
language switcher; otherwise the browser's Accept-Language. Times are shown in the
user's own zone (the school's default for visitors).
"""

from datetime import datetime
from zoneinfo import ZoneInfo, available_timezones

from flask import current_app, has_request_context, request, session
from flask_babel import format_datetime
from flask_login import current_user

LANGUAGES = {"zh_Hans_CN": "简体中文", "en": "English"}


def select_locale() -> str:
    if not has_request_context():  # CLI commands and tasks speak the deployment's default language
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    if getattr(current_user, "is_authenticated", False) and current_user.locale in LANGUAGES:
        return current_user.locale
    chosen = session.get("locale")
    if chosen in LANGUAGES:
        return chosen
    # Accept-Language says zh-CN or zh-Hans; Babel's identifier is zh_Hans_CN.
    best = request.accept_languages.best_match(["zh-CN", "zh-Hans", "zh", "en"])
    if best and best.startswith("en"):
        return "en"
    if best and best.startswith("zh"):
        return "zh_Hans_CN"
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def select_timezone() -> str:
    if getattr(current_user, "is_authenticated", False) and current_user.timezone:
        return current_user.timezone
    return current_app.config["KEXU_DEFAULT_TIMEZONE"]


def is_valid_timezone(name: str) -> bool:
    return name in _timezones()


_TIMEZONES: set[str] = set()


def _timezones() -> set[str]:
    if not _TIMEZONES:
        _TIMEZONES.update(available_timezones())
    return _TIMEZONES


def local_time(value: datetime, tz_name: str) -> datetime:
    return value.astimezone(ZoneInfo(tz_name))


def init_app(app) -> None:
    @app.context_processor
    def inject_languages():
        from flask_babel import get_locale

        return {"LANGUAGES": LANGUAGES, "current_locale": str(get_locale())}

    app.jinja_env.filters["datetime"] = lambda value, fmt="medium": format_datetime(value, fmt) if value else ""
