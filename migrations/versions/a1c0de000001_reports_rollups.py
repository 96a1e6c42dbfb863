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

    op.create_table('report_daily',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('generated_at', app.core.models.UTCDateTime(), nullable=False),
    sa.Column('storage_key', sa.String(length=512), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['school_id'], ['org_unit.id'], name=op.f('fk_report_daily_school_id_org_unit'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_report_daily')),
    sa.UniqueConstraint('school_id', 'day', name=op.f('uq_report_daily_school_id_day'))
    )
    op.create_table('report_student_day',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('student_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('lessons', sa.Integer(), nullable=False),
    sa.Column('attended', sa.Integer(), nullable=False),
    sa.Column('present', sa.Integer(), nullable=False),
    sa.Column('late', sa.Integer(), nullable=False),
    sa.Column('left_early', sa.Integer(), nullable=False),
    sa.Column('absent', sa.Integer(), nullable=False),
    sa.Column('excused', sa.Integer(), nullable=False),
    sa.Column('made_up', sa.Integer(), nullable=False),
    sa.Column('live_minutes', sa.Double(), nullable=False),
    sa.Column('resource_minutes', sa.Double(), nullable=False),
    sa.Column('limit_minutes', sa.Integer(), nullable=True),
    sa.Column('over_limit', sa.Boolean(), nullable=False),
    sa.Column('refreshed_at', app.core.models.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['school_id'], ['org_unit.id'], name=op.f('fk_report_student_day_school_id_org_unit'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['student_id'], ['user.id'], name=op.f('fk_report_student_day_student_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_report_student_day')),
    sa.UniqueConstraint('student_id', 'day', name=op.f('uq_report_student_day_student_id_day'))
    )
    with op.batch_alter_table('report_student_day', schema=None) as batch_op:
        batch_op.create_index('ix_report_student_day_school_day', ['school_id', 'day'], unique=False)

    op.create_table('report_lesson',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('teacher_id', sa.Integer(), nullable=True),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('starts_at', app.core.models.UTCDateTime(), nullable=False),
    sa.Column('ends_at', app.core.models.UTCDateTime(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('scheduled_minutes', sa.Integer(), nullable=False),
    sa.Column('roster', sa.Integer(), nullable=False),
    sa.Column('present', sa.Integer(), nullable=False),
    sa.Column('late', sa.Integer(), nullable=False),
    sa.Column('left_early', sa.Integer(), nullable=False),
    sa.Column('absent', sa.Integer(), nullable=False),
    sa.Column('excused', sa.Integer(), nullable=False),
    sa.Column('made_up', sa.Integer(), nullable=False),
    sa.Column('minutes_present', sa.Double(), nullable=False),
    sa.Column('over_length', sa.Boolean(), nullable=False),
    sa.Column('short_break', sa.Boolean(), nullable=False),
    sa.Column('refreshed_at', app.core.models.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['course_id'], ['course.id'], name=op.f('fk_report_lesson_course_id_course'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['school_id'], ['org_unit.id'], name=op.f('fk_report_lesson_school_id_org_unit'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['session_id'], ['live_session.id'], name=op.f('fk_report_lesson_session_id_live_session'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['teacher_id'], ['user.id'], name=op.f('fk_report_lesson_teacher_id_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_report_lesson')),
    sa.UniqueConstraint('session_id', name=op.f('uq_report_lesson_session_id'))
    )
    with op.batch_alter_table('report_lesson', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_report_lesson_course_id'), ['course_id'], unique=False)
        batch_op.create_index('ix_report_lesson_school_day', ['school_id', 'day'], unique=False)
        batch_op.create_index(batch_op.f('ix_report_lesson_teacher_id'), ['teacher_id'], unique=False)

    op.create_table('report_lesson_class',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('class_id', sa.Integer(), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.ForeignKeyConstraint(['class_id'], ['org_unit.id'], name=op.f('fk_report_lesson_class_class_id_org_unit'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['school_id'], ['org_unit.id'], name=op.f('fk_report_lesson_class_school_id_org_unit'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['session_id'], ['live_session.id'], name=op.f('fk_report_lesson_class_session_id_live_session'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_report_lesson_class')),
    sa.UniqueConstraint('session_id', 'class_id', name=op.f('uq_report_lesson_class_session_id_class_id'))
    )
    with op.batch_alter_table('report_lesson_class', schema=None) as batch_op:
        batch_op.create_index('ix_report_lesson_class_class_day', ['class_id', 'day'], unique=False)


def downgrade():
    with op.batch_alter_table('report_lesson_class', schema=None) as batch_op:
        batch_op.drop_index('ix_report_lesson_class_class_day')

    op.drop_table('report_lesson_class')
    with op.batch_alter_table('report_lesson', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_report_lesson_teacher_id'))
        batch_op.drop_index('ix_report_lesson_school_day')
        batch_op.drop_index(batch_op.f('ix_report_lesson_course_id'))

    op.drop_table('report_lesson')
    with op.batch_alter_table('report_student_day', schema=None) as batch_op:
        batch_op.drop_index('ix_report_student_day_school_day')

    op.drop_table('report_student_day')
    op.drop_table('report_daily')
    with op.batch_alter_table('report_class_day', schema=None) as batch_op:
        batch_op.drop_index('ix_report_class_day_school_day')

    op.drop_table('report_class_day')
