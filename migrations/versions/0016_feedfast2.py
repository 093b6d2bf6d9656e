"""feedfast2: covering indexes of bookings and sent states for a feed's validators and per-tour stamps

Revision ID: 0016_feedfast2
Revises: 0015_words
"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "0016_feedfast2"
down_revision = "0015_words"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("bookings", schema=None) as batch_op:
        batch_op.create_index("ix_bookings_feed", ["prescriber_id", "status", "tour_id"], unique=False)
    with op.batch_alter_table("calendar_event_states", schema=None) as batch_op:
        batch_op.create_index(
            "ix_calendar_event_states_feed",
            ["recipient", "tour_id", "uid", "updated_at", "sequence", "cancelled_at"],
            unique=False,
        )


def downgrade():
    with op.batch_alter_table("calendar_event_states", schema=None) as batch_op:
        batch_op.drop_index("ix_calendar_event_states_feed")
    with op.batch_alter_table("bookings", schema=None) as batch_op:
        batch_op.drop_index("ix_bookings_feed")
