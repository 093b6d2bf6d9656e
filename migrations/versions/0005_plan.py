"""plan: boarding margin, coach departures, pending notifications, superseded mail

Revision ID: 0005_plan
Revises: 0004_pages
"""
from alembic import op
import sqlalchemy as sa

import tourplanner.db


revision = "0005_plan"
down_revision = '0004_pages'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("tours", schema=None) as batch_op:
        batch_op.add_column(sa.Column("boarding_minutes", sa.Integer(), server_default="0", nullable=False))
        batch_op.add_column(sa.Column("notify_after_at", tourplanner.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("cancellation_reason", sa.String(length=500), nullable=True))
        batch_op.create_index(batch_op.f("ix_tours_notify_after_at"), ["notify_after_at"], unique=False)
        batch_op.create_check_constraint("boarding_range", "boarding_minutes BETWEEN 0 AND 30")
    with op.batch_alter_table("buses", schema=None) as batch_op:
        batch_op.add_column(sa.Column("departure_at", tourplanner.db.UTCDateTime(timezone=True), nullable=True))
    with op.batch_alter_table("outbox_mails", schema=None) as batch_op:
        batch_op.add_column(sa.Column("event_uid", sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column("event_sequence", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("superseded_at", tourplanner.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f("ix_outbox_mails_event_uid"), ["event_uid"], unique=False)


def downgrade():
    with op.batch_alter_table("outbox_mails", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_outbox_mails_event_uid"))
        batch_op.drop_column("superseded_at")
        batch_op.drop_column("event_sequence")
        batch_op.drop_column("event_uid")
    with op.batch_alter_table("buses", schema=None) as batch_op:
        batch_op.drop_column("departure_at")
    with op.batch_alter_table("tours", schema=None) as batch_op:
        batch_op.drop_constraint("boarding_range", type_="check")
        batch_op.drop_index(batch_op.f("ix_tours_notify_after_at"))
        batch_op.drop_column("cancellation_reason")
        batch_op.drop_column("notify_after_at")
        batch_op.drop_column("boarding_minutes")
