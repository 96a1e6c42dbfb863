"""Shared fixtures.

The database is chosen by KEXU_TEST_DATABASE: `sqlite` (default, a temporary file) or
`postgresql` (a fresh database created on KEXU_TEST_POSTGRES_URL for this run and
dropped afterwards). Tables are created once per run and emptied after every test, so
servers started in other threads or processes see the same committed data.
"""

from __future__ import annotations

import os
import uuid

import pytest
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from app import create_app
from app.extensions import db

pytest_plugins = ["tests.factories"]

POSTGRES_URL = os.environ.get("KEXU_TEST_POSTGRES_URL", "postgresql+psycopg://root@127.0.0.1:5432/test")


def _create_postgres_database() -> tuple[str, callable]:
    admin_url = make_url(POSTGRES_URL)
    name = f"kexu_test_{uuid.uuid4().hex[:10]}"
    engine = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))

    def drop():
        with engine.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        engine.dispose()

    return admin_url.set(database=name).render_as_string(hide_password=False), drop


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    kind = os.environ.get("KEXU_TEST_DATABASE", "sqlite")
    if kind == "postgresql":
        url, drop = _create_postgres_database()
        yield url
        drop()
    else:
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'kexu-test.db'}"


@pytest.fixture(scope="session")
def test_settings(database_url, tmp_path_factory):
    """Settings every test app gets; a test adds its own with `make_app(**overrides)`."""
    return {
        "TESTING": True,
        "KEXU_ENV": "testing",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "INSTANCE_DIR": str(tmp_path_factory.mktemp("instance")),
        "STORAGE_LOCAL_DIR": str(tmp_path_factory.mktemp("files")),
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
        "KEXU_PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        "SERVER_NAME": None,
        # Tests read English text; tests of the Chinese catalog ask for it explicitly.
        "BABEL_DEFAULT_LOCALE": "en",
    }


@pytest.fixture(scope="session")
def _schema(test_settings):
    app = create_app(**test_settings)
    with app.app_context():
        db.create_all()
    yield
    with app.app_context():
        db.drop_all()
        db.engine.dispose()


def _empty_tables():
    for table in reversed(db.metadata.sorted_tables):
        db.session.execute(table.delete())
    db.session.commit()


class IsolatedClient(FlaskClient):
    """A test client whose every request runs in its own app context, as in production.

    Tests keep an app context pushed for their factories; without this, requests would
    share its `g` (Flask-Login's cached user) and database session with the test and with
    each other.
    """

    def open(self, *args, **kwargs):
        with self.application.app_context():
            return super().open(*args, **kwargs)


@pytest.fixture
def make_app(_schema, test_settings):
    """Create an app with extra settings; its context is pushed for the test."""
    contexts = []

    def make(**overrides):
        app = create_app(**{**test_settings, **overrides})
        app.test_client_class = IsolatedClient
        ctx = app.app_context()
        ctx.push()
        contexts.append(ctx)
        return app

    yield make
    for ctx in reversed(contexts):
        db.session.rollback()
        _empty_tables()
        db.session.remove()
        # Each test's app has its own engine; close its pooled connections now rather than at
        # garbage collection, or a long run holds one PostgreSQL connection per test.
        db.engine.dispose()
        ctx.pop()


@pytest.fixture
def app(make_app):
    return make_app()


@pytest.fixture
def client(app):
    return app.test_client()
