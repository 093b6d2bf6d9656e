"""feed: a tour's first pending change (capped debounce of updates) and its revision counter

Revision ID: 0012_feed
Revises: 0011_territory
"""
from alembic import op
import sqlalchemy as sa

import tourplanner.db


# revision identifiers, used by Alembic.
revision = '0012_feed'
down_revision = '0011_territory'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('tours', schema=None) as batch_op:
        batch_op.add_column(sa.Column('notify_first_at', tourplanner.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('revision', sa.Integer(), server_default='0', nullable=False))


def downgrade():
    with op.batch_alter_table('tours', schema=None) as batch_op:
        batch_op.drop_column('revision')
        batch_op.drop_column('notify_first_at')
