"""Configuration, read from environment variables when `create_app` runs (never at import)."""

import os
from pathlib import Path

DEV_SECRET_KEY = "kexu-development-key-not-for-production"
ROOT = Path(__file__).resolve().parent.parent


def _env_bool(environ, name, default=False):
    value = environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def load_config(environ=None):
    """Build the configuration dict from the environment.

    Every setting Kexu reads is listed here, so a deployer finds them all in one place
    (README.md explains each).
    """
    environ = os.environ if environ is None else environ
    mode = environ.get("KEXU_ENV", "development")
    instance = Path(environ.get("KEXU_INSTANCE_DIR", ROOT / "instance"))
    redis_url = environ.get("REDIS_URL") or None
    https = _env_bool(environ, "KEXU_HTTPS", mode == "production")
    return {
        "KEXU_ENV": mode,
        "INSTANCE_DIR": str(instance),
        "SECRET_KEY": environ.get("SECRET_KEY") or (None if mode == "production" else DEV_SECRET_KEY),
        "SQLALCHEMY_DATABASE_URI": environ.get("DATABASE_URL") or f"sqlite:///{instance / 'kexu.db'}",
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "REDIS_URL": redis_url,
        "RATELIMIT_STORAGE_URI": redis_url or "memory://",
        "RATELIMIT_HEADERS_ENABLED": True,
        "KEXU_LOGIN_LIMIT_PER_ADDRESS": environ.get("KEXU_LOGIN_LIMIT_PER_ADDRESS", "20 per minute"),
        "KEXU_LOGIN_LIMIT_PER_ACCOUNT": environ.get("KEXU_LOGIN_LIMIT_PER_ACCOUNT", "5 per minute"),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": https,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SECURE": https,
        "PREFERRED_URL_SCHEME": "https" if https else "http",
        "WTF_CSRF_TIME_LIMIT": None,
        "MAX_CONTENT_LENGTH": int(environ.get("KEXU_MAX_UPLOAD_MB", "200")) * 1024 * 1024,
        # One catalog file (a recorded lesson); below MAX_CONTENT_LENGTH so the form's other fields fit.
        "KEXU_UPLOAD_MAX_MB": int(environ.get("KEXU_UPLOAD_MAX_MB", "150")),
        # One timetable file on the import page (/schedule/import).
        "KEXU_TIMETABLE_MAX_KB": int(environ.get("KEXU_TIMETABLE_MAX_KB", "2048")),
        # Off: a source URL must not reach the server's own or internal services (docs/catalog-search.md).
        "CATALOG_SOURCES_ALLOW_PRIVATE": _env_bool(environ, "CATALOG_SOURCES_ALLOW_PRIVATE"),
        "BABEL_DEFAULT_LOCALE": "zh_Hans_CN",
        "BABEL_DEFAULT_TIMEZONE": "Asia/Shanghai",
        "BABEL_TRANSLATION_DIRECTORIES": str(ROOT / "app" / "translations"),
        "KEXU_DEFAULT_TIMEZONE": environ.get("KEXU_DEFAULT_TIMEZONE", "Asia/Shanghai"),
        "KEXU_API_TOKEN_DAYS": int(environ.get("KEXU_API_TOKEN_DAYS", "30")),
        "STORAGE_BACKEND": environ.get("STORAGE_BACKEND", "local"),
        "STORAGE_LOCAL_DIR": environ.get("STORAGE_LOCAL_DIR", str(instance / "files")),
        "S3_BUCKET": environ.get("S3_BUCKET"),
        "S3_ENDPOINT_URL": environ.get("S3_ENDPOINT_URL"),
        "S3_REGION": environ.get("S3_REGION", "us-east-1"),
        "S3_ACCESS_KEY_ID": environ.get("S3_ACCESS_KEY_ID"),
        "S3_SECRET_ACCESS_KEY": environ.get("S3_SECRET_ACCESS_KEY"),
        "S3_ADDRESSING_STYLE": environ.get("S3_ADDRESSING_STYLE", "auto"),
        "S3_SIGNATURE_VERSION": environ.get("S3_SIGNATURE_VERSION", "s3v4"),
        "STORAGE_URL_EXPIRES": int(environ.get("STORAGE_URL_EXPIRES", "3600")),
        "API_TITLE": "Kexu API",
        "API_VERSION": "v1",
        "OPENAPI_VERSION": "3.0.3",
        "OPENAPI_URL_PREFIX": "/api/v1",
        "OPENAPI_JSON_PATH": "openapi.json",
        "OPENAPI_REDOC_PATH": None,
        "OPENAPI_SWAGGER_UI_PATH": None,
        **_live_settings(environ),
        **_participation_settings(environ),
    }


def _gevent_available() -> bool:
    try:
        import gevent  # noqa: F401
        import geventwebsocket  # noqa: F401
    except ImportError:
        return False
    return True


def _live_settings(environ) -> dict:
    """The live room (Socket.IO): see docs/live-protocol.md and docs/operations.md."""
    number = float
    return {
        "LIVE_ASYNC_MODE": environ.get("LIVE_ASYNC_MODE") or ("gevent" if _gevent_available() else "threading"),
        "LIVE_REDIS_CHANNEL": environ.get("LIVE_REDIS_CHANNEL", "kexu-live"),
        "LIVE_JOIN_EARLY_MINUTES": number(environ.get("LIVE_JOIN_EARLY_MINUTES", "15")),
        "LIVE_CLOSE_GRACE_MINUTES": number(environ.get("LIVE_CLOSE_GRACE_MINUTES", "15")),
        "LIVE_HEARTBEAT_SECONDS": number(environ.get("LIVE_HEARTBEAT_SECONDS", "15")),
        "LIVE_RECONNECT_GRACE_SECONDS": number(environ.get("LIVE_RECONNECT_GRACE_SECONDS", "60")),
        "LIVE_TICK_SECONDS": number(environ.get("LIVE_TICK_SECONDS", "1")),
        "LIVE_PRESENCE_BATCH_SECONDS": number(environ.get("LIVE_PRESENCE_BATCH_SECONDS", "0.3")),
        "LIVE_ROOM_CACHE_SECONDS": number(environ.get("LIVE_ROOM_CACHE_SECONDS", "30")),
        "LIVE_CHAT_MAX_LENGTH": int(environ.get("LIVE_CHAT_MAX_LENGTH", "500")),
        "LIVE_CHAT_HISTORY": int(environ.get("LIVE_CHAT_HISTORY", "100")),
        "LIVE_CHAT_RATE_COUNT": int(environ.get("LIVE_CHAT_RATE_COUNT", "5")),
        "LIVE_CHAT_RATE_SECONDS": number(environ.get("LIVE_CHAT_RATE_SECONDS", "10")),
        "LIVE_CHECKIN_STEP_SECONDS": number(environ.get("LIVE_CHECKIN_STEP_SECONDS", "10")),
        "LIVE_CHECKIN_GRACE_SECONDS": number(environ.get("LIVE_CHECKIN_GRACE_SECONDS", "5")),
        "LIVE_CONFUSED_WINDOW_SECONDS": number(environ.get("LIVE_CONFUSED_WINDOW_SECONDS", "300")),
    }


def _participation_settings(environ) -> dict:
    """Attendance thresholds, the "not reached" days and the xAPI LRS: see docs/participation.md."""
    from app.participation.settings import load

    return load(environ)
