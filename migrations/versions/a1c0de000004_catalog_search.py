"""catalog: search and ingest

Revision ID: a1c0de000004
Revises: a1c0de000003
Create Date: 2026-11-29 12:00:00

"""
from alembic import op
import sqlalchemy as sa

import app.core.models  # noqa: F401  (custom column types)


# revision identifiers, used by Alembic.
revision = 'a1c0de000004'
down_revision = 'a1c0de000003'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
