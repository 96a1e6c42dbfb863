"""The Alembic migrations build the whole schema from empty, and agree with the models."""

import os

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from app import create_app
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


def test_migrations_build_the_schema_the_models_describe(empty_database, test_settings):
    app = create_app(**{**test_settings, "SQLALCHEMY_DATABASE_URI": empty_database})
    with app.app_context():
        upgrade()
        with db.engine.connect() as connection:
            differences = compare_metadata(MigrationContext.configure(connection), db.metadata)
        assert differences == []
        downgrade(revision="base")
        db.engine.dispose()
