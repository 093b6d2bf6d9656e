"""pages: the meeting point's address, the lunch place, each site's contact for the day

Revision ID: 0004_pages
Revises: 0003_passeport
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0004_pages"
down_revision = "0003_passeport"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("tours", schema=None) as batch_op:
        batch_op.add_column(sa.Column("meeting_address", sa.String(length=300), nullable=True))
        batch_op.add_column(sa.Column("lunch_place", sa.String(length=300), nullable=True))
    with op.batch_alter_table("sites", schema=None) as batch_op:
        batch_op.add_column(sa.Column("contact_name", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("contact_phone", sa.String(length=40), nullable=True))


def downgrade():
    with op.batch_alter_table("sites", schema=None) as batch_op:
        batch_op.drop_column("contact_phone")
        batch_op.drop_column("contact_name")
    with op.batch_alter_table("tours", schema=None) as batch_op:
        batch_op.drop_column("lunch_place")
        batch_op.drop_column("meeting_address")
