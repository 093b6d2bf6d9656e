"""The scheduler's own table: the lease that lets one `tourplanner scheduler` process run the jobs."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from tourplanner.db import Base


class SchedulerLease(Base):
    """The right to run the scheduled jobs, held by one process at a time until it expires."""

    __tablename__ = "scheduler_leases"

    #: What the lease guards; one row per name ("scheduler").
    name: Mapped[str] = mapped_column(String(50), primary_key=True)
    #: The holding process: host, pid and a random part.
    holder: Mapped[str] = mapped_column(String(200))
    #: When the current holder took the lease.
    acquired_at: Mapped[datetime]
    #: Free for another process from this time on, unless the holder renews it before.
    expires_at: Mapped[datetime]
