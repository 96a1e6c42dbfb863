"""reports: rollups per lesson, student-day and class-day; stored daily reports

Revision ID: a1c0de000001
Revises: 6fc3cfdb5b91
Create Date: 2026-11-29 12:00:00

"""
from alembic import op
import sqlalchemy as sa

import app.core.models  # noqa: F401  (custom column types)


# revision identifiers, used by Alembic.
revision = 'a1c0de000001'
down_revision = '6fc3cfdb5b91'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
