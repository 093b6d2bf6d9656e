"""prog: workshops with their registrations and reports; company visits' agenda and debriefing interest

Revision ID: 0007_prog
Revises: 0006_bilan
"""
from alembic import op
import sqlalchemy as sa

import tourplanner.db


# revision identifiers, used by Alembic.
revision = '0007_prog'
down_revision = '0006_bilan'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('agenda_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('tour_id', sa.Integer(), nullable=False),
    sa.Column('step', sa.Enum('briefing', 'visit', 'debriefing', name='agendastep', native_enum=False, length=32), nullable=False),
    sa.Column('start_at', tourplanner.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('place', sa.String(length=300), nullable=False),
    sa.ForeignKeyConstraint(['tour_id'], ['tours.id'], name=op.f('fk_agenda_items_tour_id_tours')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agenda_items')),
    sa.UniqueConstraint('tour_id', 'step', name=op.f('uq_agenda_items_tour_id_step'))
    )
    with op.batch_alter_table('agenda_items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_agenda_items_tour_id'), ['tour_id'], unique=False)

    op.create_table('workshops',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('tour_id', sa.Integer(), nullable=False),
    sa.Column('theme', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('capacity', sa.Integer(), nullable=False),
    sa.Column('start_at', tourplanner.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('end_at', tourplanner.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('report_text', sa.Text(), nullable=True),
    sa.Column('report_filename', sa.String(length=200), nullable=True),
    sa.Column('report_content_type', sa.String(length=100), nullable=True),
    sa.Column('report_file', sa.LargeBinary(), nullable=True),
    sa.Column('report_attached_at', tourplanner.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', tourplanner.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('capacity > 0', name=op.f('ck_workshops_capacity_positive')),
    sa.CheckConstraint('end_at > start_at', name=op.f('ck_workshops_time_order')),
    sa.ForeignKeyConstraint(['tour_id'], ['tours.id'], name=op.f('fk_workshops_tour_id_tours')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_workshops'))
    )
    with op.batch_alter_table('workshops', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_workshops_tour_id'), ['tour_id'], unique=False)

    op.create_table('workshop_registrations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('workshop_id', sa.Integer(), nullable=False),
    sa.Column('registered_by_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('created_at', tourplanner.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['registered_by_id'], ['users.id'], name=op.f('fk_workshop_registrations_registered_by_id_users')),
    sa.ForeignKeyConstraint(['workshop_id'], ['workshops.id'], name=op.f('fk_workshop_registrations_workshop_id_workshops')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_workshop_registrations'))
    )
    with op.batch_alter_table('workshop_registrations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_workshop_registrations_email'), ['email'], unique=False)
        batch_op.create_index(batch_op.f('ix_workshop_registrations_registered_by_id'), ['registered_by_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_workshop_registrations_workshop_id'), ['workshop_id'], unique=False)

    op.create_table('participant_interests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('participant_id', sa.Integer(), nullable=False),
    sa.Column('interest', sa.Enum('yes', 'maybe', 'no', name='interest', native_enum=False, length=32), nullable=False),
    sa.Column('recorded_at', tourplanner.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['participant_id'], ['participants.id'], name=op.f('fk_participant_interests_participant_id_participants')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_participant_interests_recorded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_participant_interests')),
    sa.UniqueConstraint('participant_id', name=op.f('uq_participant_interests_participant_id'))
    )


def downgrade():
    op.drop_table('participant_interests')
    with op.batch_alter_table('workshop_registrations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_workshop_registrations_workshop_id'))
        batch_op.drop_index(batch_op.f('ix_workshop_registrations_registered_by_id'))
        batch_op.drop_index(batch_op.f('ix_workshop_registrations_email'))

    op.drop_table('workshop_registrations')
    with op.batch_alter_table('workshops', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_workshops_tour_id'))

    op.drop_table('workshops')
    with op.batch_alter_table('agenda_items', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_agenda_items_tour_id'))

    op.drop_table('agenda_items')
