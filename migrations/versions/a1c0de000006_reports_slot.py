"""reports: days whose rollups wait for a rebuild (report_stale_range)

Revision ID: a1c0de000006
Revises: a1c0de000005
Create Date: 2026-11-29 14:30:00

"""
import sqlalchemy as sa
from alembic import op

import app.core.models

# revision identifiers, used by Alembic.
revision = 'a1c0de000006'
down_revision = 'a1c0de000005'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('report_stale_range',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('first', sa.Date(), nullable=False),
    sa.Column('last', sa.Date(), nullable=False),
    sa.Column('marked_at', app.core.models.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['school_id'], ['org_unit.id'], name=op.f('fk_report_stale_range_school_id_org_unit'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_report_stale_range'))
    )
    with op.batch_alter_table('report_stale_range', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_report_stale_range_school_id'), ['school_id'], unique=False)


def downgrade():
    with op.batch_alter_table('report_stale_range', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_report_stale_range_school_id'))

    op.drop_table('report_stale_range')
