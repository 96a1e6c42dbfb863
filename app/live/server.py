"""The Socket.IO server: binding it to the app, and serving the whole app with gevent.

`python -m app.live.server [--host H] [--port P] [--config settings.json]` serves pages and the
live room from one process with gevent and gevent-websocket (the only Flask-SocketIO mode that
held 1,000 students a process in MEASUREMENTS.md). gevent must patch the standard library
before anything else is imported, so an unpatched start re-executes itself under
`python -m gevent.monkey`. With REDIS_URL set, processes share a Redis message queue
(docs/operations.md, "Several processes").
"""

from __future__ import annotations

import argparse
import gc
import json
import logging
import os
import random
import sys
import time

from flask import Flask

log = logging.getLogger(__name__)


def init_socketio(app: Flask) -> None:
    """Bind the unbound `socketio` extension to `app` and register the /live namespace."""
    from app.extensions import socketio
    from app.live.events import LiveNamespace

    options = {"async_mode": app.config["LIVE_ASYNC_MODE"]}
    if app.config.get("REDIS_URL"):
        options["message_queue"] = app.config["REDIS_URL"]
        options["channel"] = app.config["LIVE_REDIS_CHANNEL"]
    socketio.init_app(app, **options)
    namespace = LiveNamespace("/live")
    socketio.on_namespace(namespace)
    # The background ticker reads this process's connections from here.
    app.extensions["kexu_live"] = namespace


def _patched() -> bool:
    try:
        from gevent import monkey
    except ImportError:
        return False
    return monkey.is_module_patched("socket")


def _sqlite_settings(app: Flask) -> None:
    from app.extensions import db

    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        sqlite_transactions(db.engine)


def sqlite_transactions(engine) -> None:
    """SQLite under one gevent process, for pages and live events alike: WAL so readers never
    block the writer, and every transaction begun with BEGIN IMMEDIATE.

    pysqlite's own transactions begin at the first INSERT/UPDATE/DELETE (and a SAVEPOINT begins
    one of its own, whose RELEASE commits). A transaction that has read and then writes after
    another connection committed fails at once with "database is locked": SQLite cannot
    upgrade an outdated snapshot, and busy_timeout does not wait for that case. Taking the
    write lock at BEGIN makes a second writer wait its turn instead, and SQLAlchemy's
    savepoints nest inside a real transaction. In WAL mode plain reads never wait."""
    from sqlalchemy import event

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None  # no implicit BEGIN: _on_begin emits it
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_LOCK_WAIT_SECONDS * 1000}")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        _begin_immediate(connection.connection.dbapi_connection)

    # Pooled connections opened before the listeners (at start-up) would keep pysqlite's way.
    engine.dispose()


SQLITE_LOCK_WAIT_SECONDS = 30


def _begin_immediate(dbapi_connection) -> None:
    """BEGIN IMMEDIATE, waiting for the write lock in short sleeps rather than in SQLite's busy
    handler: that one sleeps in C, stopping every greenlet of the process, the lock's holder
    included when it is one of them."""
    import sqlite3

    deadline = time.monotonic() + SQLITE_LOCK_WAIT_SECONDS
    dbapi_connection.execute("PRAGMA busy_timeout=0")
    try:
        while True:
            try:
                dbapi_connection.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError as error:
                if "locked" not in str(error) or time.monotonic() >= deadline:
                    raise
            time.sleep(random.uniform(0.001, 0.01))  # gevent's sleep: the holder gets to run
    finally:
        dbapi_connection.execute(f"PRAGMA busy_timeout={SQLITE_LOCK_WAIT_SECONDS * 1000}")


def _check_gevent(app: Flask) -> None:
    """Under gevent, a blocking call that is not patched stops every student of the process:
    the whole standard library must be patched, and psycopg must wait through the patched
    `select` (psycopg 3 does when gevent patched it first) rather than its C wait."""
    from gevent import monkey

    modules = ("socket", "select", "threading", "time", "ssl")
    unpatched = [name for name in modules if not monkey.is_module_patched(name)]
    if unpatched:
        log.warning("gevent did not patch %s: blocking calls will stall the process", ", ".join(unpatched))
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        from psycopg import waiting

        if waiting.wait is getattr(waiting, "wait_c", None):
            log.warning("psycopg waits with its C function: queries will block the gevent loop")


def pool_options() -> dict:
    """The database pool of a live server. Every event holds a connection for a few short
    statements (never while sending); hundreds of greenlets or threads queue for it. 20 + 10
    per process keeps three processes under PostgreSQL's default 100 connections. Settings
    that name SQLALCHEMY_ENGINE_OPTIONS keep theirs."""
    size = int(os.environ.get("LIVE_DB_POOL_SIZE", "20"))
    return {"pool_pre_ping": True, "pool_size": size, "max_overflow": size // 2, "pool_timeout": 60}


def quiet_access_log() -> None:
    """No line per HTTP request: gevent-websocket's handler logs each one at INFO through its own
    logger, ignoring `log_output=False` (which silences only pywsgi's). The proxy in front keeps
    the access log (deploy/nginx.conf); the handler's warnings (refused upgrades) still show."""
    logging.getLogger("geventwebsocket.handler").setLevel(logging.WARNING)


def serve(app: Flask, host: str, port: int) -> None:
    """Serve `app` (pages and Socket.IO) until the process is stopped."""
    from app.extensions import socketio
    from app.live.ticker import start_ticker

    with app.app_context():
        _sqlite_settings(app)
    if socketio.async_mode == "gevent":
        _check_gevent(app)
    # The app's ~200,000 long-lived objects (mappers, routes, translations) out of the
    # collector's sight: a full collection scanned them all, pausing every student of the
    # process for most of a second whenever it ran (bench/README.md, live section).
    gc.collect()
    gc.freeze()
    start_ticker(app)
    quiet_access_log()
    log.info("Kexu serving on http://%s:%s (async mode %s)", host, port, socketio.async_mode)
    socketio.run(app, host=host, port=port, use_reloader=False, log_output=False, allow_unsafe_werkzeug=True)


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    parser = argparse.ArgumentParser(prog="python -m app.live.server", description=__doc__.split("\n")[0])
    parser.add_argument("--host", default=os.environ.get("KEXU_HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("KEXU_PORT", "5000")))
    parser.add_argument("--config", help="a JSON file of settings applied over the environment")
    args = parser.parse_args(argv)

    mode = os.environ.get("LIVE_ASYNC_MODE", "gevent")
    if mode == "gevent" and not _patched():
        try:
            import gevent  # noqa: F401
        except ImportError:
            os.environ["LIVE_ASYNC_MODE"] = "threading"
        else:
            command = [sys.executable, "-m", "gevent.monkey", "--module", "app.live.server", *argv]
            os.execv(sys.executable, command)

    from app import create_app

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    settings = {}
    if args.config:
        with open(args.config, encoding="utf-8") as handle:
            settings = json.load(handle)
    settings.setdefault("SQLALCHEMY_ENGINE_OPTIONS", pool_options())
    serve(create_app(settings), args.host, args.port)


if __name__ == "__main__":
    main()
