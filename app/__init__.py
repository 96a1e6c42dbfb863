"""Kexu (课续): teaching continues when classes are suspended."""

from pathlib import Path

from flask import Flask

from app import extensions as ext
from app.config import DEV_SECRET_KEY, load_config

# Domain modules whose permission rules and models must be registered with the app.
DOMAIN_MODULES = (
    "app.models",
    "app.orgs.permissions",
    "app.catalog.permissions",
    "app.catalog.search",
    "app.catalog.plan_permissions",
    "app.notify.permissions",
    "app.schedule.permissions",
    "app.schedule.view_permissions",
    "app.live.permissions",
    "app.participation.permissions",
    "app.reports.permissions",
)


def create_app(config=None, **overrides) -> Flask:
    """Application factory.

    `config` is a mapping (or object with upper-case attributes) applied over the
    environment; `overrides` win over both, which is how tests set their database.
    """
    app = Flask(__name__, static_folder=str(Path(__file__).parent.parent / "static"), static_url_path="/static")
    app.config.update(load_config())
    if config is not None:
        items = config.items() if hasattr(config, "items") else ((k, getattr(config, k)) for k in dir(config))
        app.config.update({k: v for k, v in items if k.isupper()})
    app.config.update(overrides)
    _check_production_settings(app)
    from app.core.routing import IdConverter

    # Before any blueprint adds its rules, so every `<int:...>` is bounded.
    app.url_map.converters["int"] = IdConverter
    Path(app.config["INSTANCE_DIR"]).mkdir(parents=True, exist_ok=True)

    from app.core import i18n

    ext.db.init_app(app)
    ext.migrate.init_app(app, ext.db, directory=str(Path(__file__).parent.parent / "migrations"), render_as_batch=True)
    ext.login.init_app(app)
    ext.csrf.init_app(app)
    ext.babel.init_app(app, locale_selector=i18n.select_locale, timezone_selector=i18n.select_timezone)
    ext.limiter.init_app(app)
    ext.api.init_app(app)

    import importlib

    for module in DOMAIN_MODULES:
        importlib.import_module(module)
    _register_blueprints(app)

    from app.live.server import init_socketio

    init_socketio(app)

    from app.core import errors, labels, security, text_input

    errors.init_app(app)
    text_input.init_app(app)
    labels.init_app(app)
    security.init_app(app)
    i18n.init_app(app)
    _register_cli(app)
    return app


def _check_production_settings(app: Flask) -> None:
    if app.config["KEXU_ENV"] != "production":
        return
    if not app.config.get("SECRET_KEY") or app.config["SECRET_KEY"] == DEV_SECRET_KEY:
        raise RuntimeError("SECRET_KEY must be set to a long random value in production (KEXU_ENV=production).")
    from app.orgs.demo import check_no_demo_passwords

    check_no_demo_passwords(app)


def _register_blueprints(app: Flask) -> None:
    from app.api import register_api
    from app.auth import bp as auth_bp
    from app.auth import routes as _auth_routes  # noqa: F401
    from app.catalog import bp as catalog_bp
    from app.catalog import plan_routes as _plan_routes  # noqa: F401
    from app.catalog import routes as _catalog_routes  # noqa: F401
    from app.catalog import source_routes as _source_routes  # noqa: F401
    from app.catalog import upload_routes as _upload_routes  # noqa: F401
    from app.core.files import bp as files_bp
    from app.home import bp as home_bp
    from app.home import routes as _home_routes  # noqa: F401
    from app.live import bp as live_bp
    from app.live import routes as _live_routes  # noqa: F401
    from app.notify import bp as notify_bp
    from app.notify import routes as _notify_routes  # noqa: F401
    from app.orgs import bp as orgs_bp
    from app.orgs import roster_routes as _roster_routes  # noqa: F401
    from app.orgs import routes as _orgs_routes  # noqa: F401
    from app.participation import bp as participation_bp
    from app.participation import progress_routes as _progress_routes  # noqa: F401
    from app.participation import reach_routes as _reach_routes  # noqa: F401
    from app.participation import routes as _participation_routes  # noqa: F401
    from app.reports import bp as reports_bp
    from app.reports import routes as _reports_routes  # noqa: F401
    from app.schedule import bp as schedule_bp
    from app.schedule import calendar_routes as _calendar_routes  # noqa: F401
    from app.schedule import policy_routes as _policy_routes  # noqa: F401
    from app.schedule import routes as _schedule_routes  # noqa: F401
    from app.schedule.views import bp as schedule_views_bp

    app.register_blueprint(auth_bp)
    app.register_blueprint(catalog_bp)
    app.register_blueprint(files_bp)
    app.register_blueprint(home_bp)
    app.register_blueprint(live_bp)
    app.register_blueprint(notify_bp)
    app.register_blueprint(orgs_bp)
    app.register_blueprint(participation_bp)
    app.register_blueprint(reports_bp)
    app.register_blueprint(schedule_bp)
    app.register_blueprint(schedule_views_bp)
    register_api(app)


def _register_cli(app: Flask) -> None:
    from app.auth.cli import register as register_auth_cli
    from app.catalog.cli import register as register_catalog_cli
    from app.core.translations import register as register_translations_cli
    from app.live.cli import register as register_live_cli
    from app.orgs.cli import register as register_orgs_cli
    from app.orgs.demo import register_cli as register_demo_cli
    from app.participation.cli import register as register_participation_cli
    from app.reports.cli import register as register_reports_cli
    from app.schedule.cli import register as register_schedule_cli

    register_auth_cli(app)
    register_catalog_cli(app)
    register_orgs_cli(app)
    register_demo_cli(app)
    register_schedule_cli(app)
    register_translations_cli(app)
    register_live_cli(app)
    register_participation_cli(app)
    register_reports_cli(app)
