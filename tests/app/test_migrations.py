"""The Alembic migrations build the whole schema from empty, and agree with the models."""

import os

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from app import create_app
from app.catalog.search import is_search_index_object
from app.extensions import db
from tests.conftest import _create_postgres_database


@pytest.fixture
def empty_database(tmp_path):
    if os.environ.get("KEXU_TEST_DATABASE", "sqlite") == "postgresql":
        url, drop = _create_postgres_database()
        yield url
        drop()
    else:
        yield f"sqlite:///{tmp_path / 'migrated.db'}"


def _described_by_models(object, name, type_, reflected, compare_to):
    return not (reflected and compare_to is None and is_search_index_object(name, type_))


def test_migrations_build_the_schema_the_models_describe(empty_database, test_settings):
    app = create_app(**{**test_settings, "SQLALCHEMY_DATABASE_URI": empty_database})
    with app.app_context():
        upgrade()
        with db.engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"include_object": _described_by_models})
            differences = compare_metadata(context, db.metadata)
        assert differences == []
        inspector = inspect(db.engine)
        objects = inspector.get_table_names() + [index["name"] for index in inspector.get_indexes("resource")]
        assert any(
            is_search_index_object(name, "table" if name in inspector.get_table_names() else "index")
            for name in objects
        ), "the catalog's full-text index was not created"
        downgrade(revision="base")
        db.engine.dispose()
