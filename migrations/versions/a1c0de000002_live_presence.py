"""live room: one open presence interval per student and lesson

Revision ID: a1c0de000002
Revises: a1c0de000001
Create Date: 2026-11-29 12:00:00

"""
from alembic import op
import sqlalchemy as sa

import app.core.models  # noqa: F401  (custom column types)


# revision identifiers, used by Alembic.
revision = 'a1c0de000002'
down_revision = 'a1c0de000001'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
