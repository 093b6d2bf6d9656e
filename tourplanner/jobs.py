"""Scheduled jobs: plain functions (a query, a domain call, one commit), wired to APScheduler."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from tourplanner.calendar import reminders
from tourplanner.db import utcnow
from tourplanner.extensions import db
from tourplanner.mail.enums import MailRound
from tourplanner.mail.models import TourMailRound
from tourplanner.mail.operations import deliver_pending
from tourplanner.timeutil import to_local
from tourplanner.tours.enums import TourStatus
from tourplanner.tours.models import Tour

log = logging.getLogger(__name__)

#: The reminder goes this long before a tour starts.
REMINDER_BEFORE = timedelta(days=2)
#: Rounds are mailed between these local hours only (no mail at night).
MAIL_HOURS = range(8, 20)
#: Follow-ups of tours that ended longer ago than this are not sent any more.
FOLLOW_UP_WITHIN = timedelta(days=7)


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


def send_reminders(now: datetime | None = None) -> int:
    """Queue the reminder of the tours starting within two days, once per tour; returns the mails queued."""
    now = now or utcnow()
    if to_local(now).hour not in MAIL_HOURS:
        return 0
    tours = db.session.scalars(
        select(Tour)
        .where(
            Tour.status.in_((TourStatus.PUBLISHED, TourStatus.CLOSED)),
            Tour.start_at > now,
            Tour.start_at <= now + REMINDER_BEFORE,
            ~Tour.id.in_(select(TourMailRound.tour_id).where(TourMailRound.kind == MailRound.REMINDER)),
        )
        .order_by(Tour.start_at)
    ).all()
    return _commit_round(sum(reminders.queue_reminder(tour) for tour in tours))


def send_follow_ups(now: datetime | None = None) -> int:
    """Queue the follow-up of the tours that ended before today, once per tour; returns the mails queued."""
    now = now or utcnow()
    local = to_local(now)
    if local.hour not in MAIL_HOURS:
        return 0
    start_of_today = local.replace(hour=0, minute=0, second=0, microsecond=0)
    tours = db.session.scalars(
        select(Tour)
        .where(
            Tour.status.not_in((TourStatus.DRAFT, TourStatus.CANCELLED)),
            Tour.end_at < start_of_today,
            Tour.end_at >= now - FOLLOW_UP_WITHIN,
            ~Tour.id.in_(select(TourMailRound.tour_id).where(TourMailRound.kind == MailRound.FOLLOW_UP)),
        )
        .order_by(Tour.end_at)
    ).all()
    return _commit_round(sum(reminders.queue_follow_up(tour) for tour in tours))


def _commit_round(queued: int) -> int:
    try:
        db.session.commit()
    except IntegrityError:  # another scheduler queued the same round first
        db.session.rollback()
        log.warning("A mail round was already queued by another process; nothing queued here")
        return 0
    return queued


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
    scheduler.add_job(in_app(send_reminders), "interval", minutes=15, id="send_reminders", max_instances=1, coalesce=True)
    scheduler.add_job(in_app(send_follow_ups), "interval", minutes=15, id="send_follow_ups", max_instances=1, coalesce=True)
    log.info("Scheduler started")
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        pass
