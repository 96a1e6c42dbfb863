"""live room: one open presence interval per student and lesson

Revision ID: a1c0de000002
Revises: a1c0de000001
Create Date: 2026-11-29 12:00:00

"""

import sqlalchemy as sa
from alembic import op

import app.core.models  # noqa: F401  (custom column types)

# revision identifiers, used by Alembic.
revision = "a1c0de000002"
down_revision = "a1c0de000001"
branch_labels = None
depends_on = None


def upgrade():
    # Rooms opened before the index may hold two open intervals of one user (two processes
    # joining at the same instant): end all but the newest at their last sign of life.
    op.execute(
        """
        UPDATE live_presence_interval SET ended_at = last_seen_at
        WHERE ended_at IS NULL AND id < (
            SELECT max(newer.id) FROM live_presence_interval AS newer
            WHERE newer.session_id = live_presence_interval.session_id
              AND newer.user_id = live_presence_interval.user_id
              AND newer.ended_at IS NULL
        )
        """
    )
    op.create_index(
        "uq_live_presence_one_open",
        "live_presence_interval",
        ["session_id", "user_id"],
        unique=True,
        sqlite_where=sa.text("ended_at IS NULL"),
        postgresql_where=sa.text("ended_at IS NULL"),
    )


def downgrade():
    op.drop_index("uq_live_presence_one_open", table_name="live_presence_interval")
