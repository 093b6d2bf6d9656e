"""feedfast: participants found by address, so that a feed's validators cost one indexed lookup

Revision ID: 0014_feedfast
Revises: 0013_kit
"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "0014_feedfast"
down_revision = "0013_kit"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("participants", schema=None) as batch_op:
        batch_op.create_index("ix_participants_email", ["email"], unique=False)


def downgrade():
    with op.batch_alter_table("participants", schema=None) as batch_op:
        batch_op.drop_index("ix_participants_email")
