"""jobstore: the scheduler keeps its jobs in memory; drop APScheduler's former job store table

The scheduler process used to keep its jobs in `apscheduler_jobs`, a table APScheduler created
itself (no migration managed it). The code now schedules its jobs in memory at every start, so
the table is dropped where an earlier scheduler left it.

Revision ID: 0008_jobstore
Revises: 0007_prog
"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0008_jobstore'
down_revision = '0007_prog'
branch_labels = None
depends_on = None


def upgrade():
    op.execute("DROP TABLE IF EXISTS apscheduler_jobs")


def downgrade():
    # The table belonged to APScheduler, which recreates it itself when a former version runs.
    pass
