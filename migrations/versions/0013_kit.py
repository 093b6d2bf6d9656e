"""kit: each organisation's perception questionnaires (one per audience) and their questions

Revision ID: 0013_kit
Revises: 0012_feed
"""
from alembic import op
import sqlalchemy as sa

import tourplanner.db


# revision identifiers, used by Alembic.
revision = '0013_kit'
down_revision = '0012_feed'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('questionnaires',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=True),
    sa.Column('respondent', sa.Enum('prescriber', 'company', name='respondent', native_enum=False, length=32), nullable=False),
    sa.Column('updated_at', tourplanner.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_questionnaires_organisation_id_organisations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_questionnaires')),
    sa.UniqueConstraint('organisation_id', 'respondent', name=op.f('uq_questionnaires_organisation_id_respondent'))
    )
    with op.batch_alter_table('questionnaires', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_questionnaires_organisation_id'), ['organisation_id'], unique=False)

    op.create_table('questionnaire_questions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('questionnaire_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=40), nullable=False),
    sa.Column('text', sa.String(length=300), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['questionnaire_id'], ['questionnaires.id'], name=op.f('fk_questionnaire_questions_questionnaire_id_questionnaires'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_questionnaire_questions')),
    sa.UniqueConstraint('questionnaire_id', 'key', name=op.f('uq_questionnaire_questions_questionnaire_id_key'))
    )
    with op.batch_alter_table('questionnaire_questions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_questionnaire_questions_questionnaire_id'), ['questionnaire_id'], unique=False)


def downgrade():
    with op.batch_alter_table('questionnaire_questions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_questionnaire_questions_questionnaire_id'))
    op.drop_table('questionnaire_questions')
    with op.batch_alter_table('questionnaires', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_questionnaires_organisation_id'))
    op.drop_table('questionnaires')
