"""territory: each tour is managed by its creator's organisation (several territories side by side); tour templates of the kit

Revision ID: 0011_territory
Revises: 0010_cohorts
"""
from alembic import op
import sqlalchemy as sa

import tourplanner.db


# revision identifiers, used by Alembic.
revision = '0011_territory'
down_revision = '0010_cohorts'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('tour_templates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=True),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('details', sa.JSON(), nullable=False),
    sa.Column('created_at', tourplanner.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', tourplanner.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_tour_templates_organisation_id_organisations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tour_templates')),
    sa.UniqueConstraint('organisation_id', 'name', name=op.f('uq_tour_templates_organisation_id_name'))
    )
    with op.batch_alter_table('tour_templates', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_tour_templates_organisation_id'), ['organisation_id'], unique=False)

    with op.batch_alter_table('tours', schema=None) as batch_op:
        batch_op.add_column(sa.Column('organisation_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_tours_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_tours_organisation_id_organisations'), 'organisations',
                                    ['organisation_id'], ['id'])
    # Existing tours go to their creator's organisation, as new ones do.
    op.execute(
        "UPDATE tours SET organisation_id = "
        "(SELECT users.organisation_id FROM users WHERE users.id = tours.created_by_id)"
    )


def downgrade():
    with op.batch_alter_table('tours', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_tours_organisation_id_organisations'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_tours_organisation_id'))
        batch_op.drop_column('organisation_id')
    with op.batch_alter_table('tour_templates', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_tour_templates_organisation_id'))
    op.drop_table('tour_templates')
