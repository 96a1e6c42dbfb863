"""reports: days whose rollups wait for a rebuild (report_stale_range); report_class_day dropped

Unit figures now count distinct students from report_student_day; nothing reads the class-day
rows any more.

Revision ID: a1c0de000005
Revises: a1c0de000004
Create Date: 2026-11-29 14:30:00

"""
import sqlalchemy as sa
from alembic import op

import app.core.models

# revision identifiers, used by Alembic.
revision = 'a1c0de000005'
down_revision = 'a1c0de000004'
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

    with op.batch_alter_table('report_class_day', schema=None) as batch_op:
        batch_op.drop_index('ix_report_class_day_school_day')

    op.drop_table('report_class_day')


def downgrade():
    op.create_table('report_class_day',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('class_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('students', sa.Integer(), nullable=False),
    sa.Column('lessons', sa.Integer(), nullable=False),
    sa.Column('held', sa.Integer(), nullable=False),
    sa.Column('cancelled', sa.Integer(), nullable=False),
    sa.Column('over_length', sa.Integer(), nullable=False),
    sa.Column('short_break', sa.Integer(), nullable=False),
    sa.Column('slots', sa.Integer(), nullable=False),
    sa.Column('attended', sa.Integer(), nullable=False),
    sa.Column('present', sa.Integer(), nullable=False),
    sa.Column('late', sa.Integer(), nullable=False),
    sa.Column('left_early', sa.Integer(), nullable=False),
    sa.Column('absent', sa.Integer(), nullable=False),
    sa.Column('excused', sa.Integer(), nullable=False),
    sa.Column('made_up', sa.Integer(), nullable=False),
    sa.Column('live_minutes', sa.Double(), nullable=False),
    sa.Column('resource_minutes', sa.Double(), nullable=False),
    sa.Column('over_limit_students', sa.Integer(), nullable=False),
    sa.Column('refreshed_at', app.core.models.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['class_id'], ['org_unit.id'], name=op.f('fk_report_class_day_class_id_org_unit'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['school_id'], ['org_unit.id'], name=op.f('fk_report_class_day_school_id_org_unit'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_report_class_day')),
    sa.UniqueConstraint('class_id', 'day', name=op.f('uq_report_class_day_class_id_day'))
    )
    with op.batch_alter_table('report_class_day', schema=None) as batch_op:
        batch_op.create_index('ix_report_class_day_school_day', ['school_id', 'day'], unique=False)

    with op.batch_alter_table('report_stale_range', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_report_stale_range_school_id'))

    op.drop_table('report_stale_range')
