"""Scheduled jobs: plain functions (a query, a domain call, one commit), wired to APScheduler."""

from __future__ import annotations

import logging

from sqlalchemy import select

from tourplanner.db import utcnow
from tourplanner.extensions import db
from tourplanner.mail.operations import deliver_pending
from tourplanner.tours.enums import TourStatus
from tourplanner.tours.models import Tour

log = logging.getLogger(__name__)


def deliver_outbox() -> int:
    """Send what waits in the outbox (retries included)."""
    return deliver_pending()


def close_bookings_at_deadline() -> int:
    """Close the published tours whose booking deadline has passed."""
    tours = db.session.scalars(
        select(Tour).where(Tour.status == TourStatus.PUBLISHED, Tour.booking_deadline_at <= utcnow())
    ).all()
    for tour in tours:
        tour.status = TourStatus.CLOSED
    db.session.commit()
    return len(tours)


def run_scheduler() -> None:
    """Run the jobs in this process until interrupted (one scheduler process per deployment)."""
    from apscheduler.schedulers.blocking import BlockingScheduler
    from flask import current_app

    app = current_app._get_current_object()  # type: ignore[attr-defined]

    def in_app(job):  # noqa: ANN001, ANN202
        def run() -> None:
            with app.app_context():
                try:
                    job()
                finally:
                    db.session.remove()

        run.__name__ = job.__name__
        return run

    scheduler = BlockingScheduler(timezone=app.config["TIMEZONE"])
    scheduler.add_job(in_app(deliver_outbox), "interval", seconds=30, id="deliver_outbox", max_instances=1, coalesce=True)
    scheduler.add_job(
        in_app(close_bookings_at_deadline), "interval", minutes=1, id="close_bookings", max_instances=1, coalesce=True
    )
    log.info("Scheduler started")
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        pass
