"""participation: indexes for term recomputation and the not-reached list

Revision ID: a1c0de000003
Revises: a1c0de000002
Create Date: 2026-11-29 12:00:00

"""
from alembic import op
import sqlalchemy as sa

import app.core.models  # noqa: F401  (custom column types)


# revision identifiers, used by Alembic.
revision = 'a1c0de000003'
down_revision = 'a1c0de000002'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('study_time_flag',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('student_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('total_minutes', sa.Double(), nullable=False),
    sa.Column('limit_minutes', sa.Integer(), nullable=False),
    sa.Column('notified', sa.Integer(), nullable=False),
    sa.Column('flagged_at', app.core.models.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['school_id'], ['org_unit.id'], name=op.f('fk_study_time_flag_school_id_org_unit'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['student_id'], ['user.id'], name=op.f('fk_study_time_flag_student_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_study_time_flag')),
    sa.UniqueConstraint('student_id', 'day', name=op.f('uq_study_time_flag_student_id_day'))
    )
    with op.batch_alter_table('study_time_flag', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_study_time_flag_school_id'), ['school_id'], unique=False)
    with op.batch_alter_table('live_presence_interval', schema=None) as batch_op:
        batch_op.create_index('ix_presence_user_ended', ['user_id', 'ended_at'], unique=False)


def downgrade():
    with op.batch_alter_table('live_presence_interval', schema=None) as batch_op:
        batch_op.drop_index('ix_presence_user_ended')
    with op.batch_alter_table('study_time_flag', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_study_time_flag_school_id'))
    op.drop_table('study_time_flag')
