"""cohorts: weekly series, sessions, attendance and absence alerts

Revision ID: 0010_cohorts
Revises: 0009_legs


"""
from alembic import op
import sqlalchemy as sa

import tourplanner.db


# revision identifiers, used by Alembic.
revision = '0010_cohorts'
down_revision = '0009_legs'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('cohort_series',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('tour_id', sa.Integer(), nullable=False),
    sa.Column('weekday', sa.Integer(), nullable=False),
    sa.Column('start_minute', sa.Integer(), nullable=False),
    sa.Column('end_minute', sa.Integer(), nullable=False),
    sa.Column('first_day', sa.Date(), nullable=False),
    sa.Column('last_day', sa.Date(), nullable=False),
    sa.Column('school_zone', sa.Enum('A', 'B', 'C', name='schoolzone', native_enum=False, length=32), nullable=False),
    sa.Column('created_at', tourplanner.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('end_minute > start_minute', name=op.f('ck_cohort_series_time_order')),
    sa.CheckConstraint('last_day >= first_day', name=op.f('ck_cohort_series_day_order')),
    sa.CheckConstraint('weekday BETWEEN 0 AND 6', name=op.f('ck_cohort_series_weekday_range')),
    sa.ForeignKeyConstraint(['tour_id'], ['tours.id'], name=op.f('fk_cohort_series_tour_id_tours')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cohort_series')),
    sa.UniqueConstraint('tour_id', name=op.f('uq_cohort_series_tour_id'))
    )
    op.create_table('cohort_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('series_id', sa.Integer(), nullable=False),
    sa.Column('tour_id', sa.Integer(), nullable=False),
    sa.Column('planned_start_at', tourplanner.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('start_at', tourplanner.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('end_at', tourplanner.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('status', sa.Enum('scheduled', 'skipped', 'cancelled', name='sessionstatus', native_enum=False, length=32), nullable=False),
    sa.Column('reason', sa.String(length=300), nullable=True),
    sa.Column('place', sa.String(length=300), nullable=True),
    sa.CheckConstraint('end_at > start_at', name=op.f('ck_cohort_sessions_time_order')),
    sa.ForeignKeyConstraint(['series_id'], ['cohort_series.id'], name=op.f('fk_cohort_sessions_series_id_cohort_series')),
    sa.ForeignKeyConstraint(['tour_id'], ['tours.id'], name=op.f('fk_cohort_sessions_tour_id_tours')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cohort_sessions')),
    sa.UniqueConstraint('series_id', 'planned_start_at', name=op.f('uq_cohort_sessions_series_id_planned_start_at'))
    )
    with op.batch_alter_table('cohort_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cohort_sessions_series_id'), ['series_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_cohort_sessions_tour_id'), ['tour_id'], unique=False)

    op.create_table('cohort_absence_alerts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('participant_id', sa.Integer(), nullable=False),
    sa.Column('first_session_id', sa.Integer(), nullable=False),
    sa.Column('sent_at', tourplanner.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['first_session_id'], ['cohort_sessions.id'], name=op.f('fk_cohort_absence_alerts_first_session_id_cohort_sessions')),
    sa.ForeignKeyConstraint(['participant_id'], ['participants.id'], name=op.f('fk_cohort_absence_alerts_participant_id_participants')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cohort_absence_alerts')),
    sa.UniqueConstraint('participant_id', 'first_session_id', name=op.f('uq_cohort_absence_alerts_participant_id_first_session_id'))
    )
    with op.batch_alter_table('cohort_absence_alerts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cohort_absence_alerts_participant_id'), ['participant_id'], unique=False)

    op.create_table('cohort_attendance',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('participant_id', sa.Integer(), nullable=False),
    sa.Column('attendance', sa.Enum('present', 'absent', name='attendance', native_enum=False, length=32), nullable=False),
    sa.Column('recorded_at', tourplanner.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['participant_id'], ['participants.id'], name=op.f('fk_cohort_attendance_participant_id_participants')),
    sa.ForeignKeyConstraint(['session_id'], ['cohort_sessions.id'], name=op.f('fk_cohort_attendance_session_id_cohort_sessions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cohort_attendance')),
    sa.UniqueConstraint('session_id', 'participant_id', name=op.f('uq_cohort_attendance_session_id_participant_id'))
    )
    with op.batch_alter_table('cohort_attendance', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cohort_attendance_participant_id'), ['participant_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_cohort_attendance_session_id'), ['session_id'], unique=False)



def downgrade():
    with op.batch_alter_table('cohort_attendance', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cohort_attendance_session_id'))
        batch_op.drop_index(batch_op.f('ix_cohort_attendance_participant_id'))

    op.drop_table('cohort_attendance')
    with op.batch_alter_table('cohort_absence_alerts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cohort_absence_alerts_participant_id'))

    op.drop_table('cohort_absence_alerts')
    with op.batch_alter_table('cohort_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cohort_sessions_tour_id'))
        batch_op.drop_index(batch_op.f('ix_cohort_sessions_series_id'))

    op.drop_table('cohort_sessions')
    op.drop_table('cohort_series')
