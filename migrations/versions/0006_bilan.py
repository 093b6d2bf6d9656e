"""impact: perception answers and requests, outcomes and their requests, company assessments, settings

Revision ID: 0006_bilan
Revises: 0005_plan
Create Date: 2026-11-30 00:40:25.043460

"""
from alembic import op
import sqlalchemy as sa

import tourplanner.db


# revision identifiers, used by Alembic.
revision = '0006_bilan'
down_revision = '0005_plan'
branch_labels = None
depends_on = None


def upgrade():

    op.create_table('impact_settings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('retention_months', sa.Integer(), nullable=False),
    sa.Column('updated_at', tourplanner.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('retention_months BETWEEN 1 AND 120', name=op.f('ck_impact_settings_retention_range')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_impact_settings'))
    )
    op.create_table('company_assessments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('tour_id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('went_as_planned', sa.Boolean(), nullable=False),
    sa.Column('visitors', sa.Integer(), nullable=True),
    sa.Column('profiles_spotted', sa.Integer(), nullable=True),
    sa.Column('intends_to_recruit', sa.Boolean(), nullable=False),
    sa.Column('intends_immersion', sa.Boolean(), nullable=False),
    sa.Column('comment', sa.Text(), nullable=True),
    sa.Column('created_at', tourplanner.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('profiles_spotted >= 0', name=op.f('ck_company_assessments_profiles_not_negative')),
    sa.CheckConstraint('visitors >= 0', name=op.f('ck_company_assessments_visitors_not_negative')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_company_assessments_organisation_id_organisations')),
    sa.ForeignKeyConstraint(['tour_id'], ['tours.id'], name=op.f('fk_company_assessments_tour_id_tours')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_company_assessments_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_company_assessments')),
    sa.UniqueConstraint('tour_id', 'organisation_id', name=op.f('uq_company_assessments_tour_id_organisation_id'))
    )
    with op.batch_alter_table('company_assessments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_company_assessments_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_company_assessments_tour_id'), ['tour_id'], unique=False)

    op.create_table('outcome_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('tour_id', sa.Integer(), nullable=False),
    sa.Column('prescriber_id', sa.Integer(), nullable=False),
    sa.Column('months', sa.Integer(), nullable=False),
    sa.Column('sent_at', tourplanner.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['prescriber_id'], ['users.id'], name=op.f('fk_outcome_requests_prescriber_id_users')),
    sa.ForeignKeyConstraint(['tour_id'], ['tours.id'], name=op.f('fk_outcome_requests_tour_id_tours')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outcome_requests')),
    sa.UniqueConstraint('tour_id', 'prescriber_id', 'months', name=op.f('uq_outcome_requests_tour_id_prescriber_id_months'))
    )
    with op.batch_alter_table('outcome_requests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_outcome_requests_prescriber_id'), ['prescriber_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_outcome_requests_tour_id'), ['tour_id'], unique=False)

    op.create_table('perception_answers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('tour_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('respondent', sa.Enum('prescriber', 'company', name='respondent', native_enum=False, length=32), nullable=False),
    sa.Column('moment', sa.Enum('before', 'after', name='moment', native_enum=False, length=32), nullable=False),
    sa.Column('score', sa.Integer(), nullable=False),
    sa.Column('scores', sa.JSON(), nullable=False),
    sa.Column('comment', sa.Text(), nullable=True),
    sa.Column('answered_at', tourplanner.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('score BETWEEN 1 AND 5', name=op.f('ck_perception_answers_score_range')),
    sa.ForeignKeyConstraint(['tour_id'], ['tours.id'], name=op.f('fk_perception_answers_tour_id_tours')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_perception_answers_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_perception_answers')),
    sa.UniqueConstraint('tour_id', 'user_id', 'moment', name=op.f('uq_perception_answers_tour_id_user_id_moment'))
    )
    with op.batch_alter_table('perception_answers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_perception_answers_tour_id'), ['tour_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_perception_answers_user_id'), ['user_id'], unique=False)

    op.create_table('perception_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('tour_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('moment', sa.Enum('before', 'after', name='moment', native_enum=False, length=32), nullable=False),
    sa.Column('sent_at', tourplanner.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('reminded_at', tourplanner.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['tour_id'], ['tours.id'], name=op.f('fk_perception_requests_tour_id_tours')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_perception_requests_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_perception_requests')),
    sa.UniqueConstraint('tour_id', 'user_id', 'moment', name=op.f('uq_perception_requests_tour_id_user_id_moment'))
    )
    with op.batch_alter_table('perception_requests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_perception_requests_tour_id'), ['tour_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_perception_requests_user_id'), ['user_id'], unique=False)

    op.create_table('outcomes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('participant_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('recruitment', 'training', 'internship', 'searching', name='outcomekind', native_enum=False, length=32), nullable=False),
    sa.Column('contract', sa.Enum('cdi', 'cdd', 'interim', 'apprentissage', 'professionnalisation', name='contract', native_enum=False, length=32), nullable=True),
    sa.Column('occurred_on', sa.Date(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', tourplanner.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['participant_id'], ['participants.id'], name=op.f('fk_outcomes_participant_id_participants')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_outcomes_recorded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outcomes'))
    )
    with op.batch_alter_table('outcomes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_outcomes_kind'), ['kind'], unique=False)
        batch_op.create_index(batch_op.f('ix_outcomes_participant_id'), ['participant_id'], unique=False)
    # Covering indexes for the bilan's aggregate queries.
    op.create_index('ix_participants_booking_attendance', 'participants', ['booking_id', 'attendance'])
    op.create_index('ix_bookings_tour_status_people', 'bookings',
                    ['tour_id', 'status', 'prescriber_id', 'organisation_id', 'seats'])
    op.create_index('ix_outcomes_participant_kind', 'outcomes', ['participant_id', 'kind'])


def downgrade():
    op.drop_index('ix_outcomes_participant_kind', table_name='outcomes')
    op.drop_index('ix_bookings_tour_status_people', table_name='bookings')
    op.drop_index('ix_participants_booking_attendance', table_name='participants')

    with op.batch_alter_table('outcomes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outcomes_participant_id'))
        batch_op.drop_index(batch_op.f('ix_outcomes_kind'))

    op.drop_table('outcomes')
    with op.batch_alter_table('perception_requests', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_perception_requests_user_id'))
        batch_op.drop_index(batch_op.f('ix_perception_requests_tour_id'))

    op.drop_table('perception_requests')
    with op.batch_alter_table('perception_answers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_perception_answers_user_id'))
        batch_op.drop_index(batch_op.f('ix_perception_answers_tour_id'))

    op.drop_table('perception_answers')
    with op.batch_alter_table('outcome_requests', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outcome_requests_tour_id'))
        batch_op.drop_index(batch_op.f('ix_outcome_requests_prescriber_id'))

    op.drop_table('outcome_requests')
    with op.batch_alter_table('company_assessments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_company_assessments_tour_id'))
        batch_op.drop_index(batch_op.f('ix_company_assessments_organisation_id'))

    op.drop_table('company_assessments')
    op.drop_table('impact_settings')

