"""indexes: drop two indexes that a covering index starting with the same column makes redundant

ix_bookings_prescriber_id is the first column of ix_bookings_feed, ix_calendar_event_states_recipient
of ix_calendar_event_states_feed: each lookup they served is served by the wider index, and every
booking and every sent state paid for writing them. Plain DROP INDEX (no batch: on SQLite a table
rebuild would drop the feed stamp's triggers, see calendar/feed_stamp.py).

Revision ID: 0018_indexes
Revises: 0017_feedstamp
"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "0018_indexes"
down_revision = "0017_feedstamp"
branch_labels = None
depends_on = None


def upgrade():
    op.drop_index("ix_bookings_prescriber_id", table_name="bookings")
    op.drop_index("ix_calendar_event_states_recipient", table_name="calendar_event_states")


def downgrade():
    op.create_index("ix_calendar_event_states_recipient", "calendar_event_states", ["recipient"], unique=False)
    op.create_index("ix_bookings_prescriber_id", "bookings", ["prescriber_id"], unique=False)
