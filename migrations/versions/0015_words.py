"""words: a site's parking for the bus is has_bus_parking (one word per idea; the API still says has_coach_parking)

Revision ID: 0015_words
Revises: 0014_feedfast
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0015_words"
down_revision = "0014_feedfast"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("sites", schema=None) as batch_op:
        batch_op.alter_column(
            "has_coach_parking", new_column_name="has_bus_parking", existing_type=sa.Boolean(), existing_nullable=False
        )


def downgrade():
    with op.batch_alter_table("sites", schema=None) as batch_op:
        batch_op.alter_column(
            "has_bus_parking", new_column_name="has_coach_parking", existing_type=sa.Boolean(), existing_nullable=False
        )
