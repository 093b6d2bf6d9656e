"""Scheduled jobs: plain functions (a query, a domain call, one commit), wired to APScheduler."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from tourplanner.accounts.models import LoginRequest
from tourplanner.accounts.operations import send_login_link
from tourplanner.calendar import feed_stamp, reminders
from tourplanner.calendar.updates import send_due_updates
from tourplanner.db import utcnow
from tourplanner.extensions import db
from tourplanner.impact.jobs import (  # noqa: F401  (the impact loop's jobs, wired in tourplanner.scheduler)
    anonymise_personal_data,
    ask_outcomes,
    send_perception_questionnaires,
)
from tourplanner.mail.enums import MailRound
from tourplanner.mail.models import TourMailRound
from tourplanner.mail.operations import deliver_pending
from tourplanner.passeport.jobs import send_passeports  # noqa: F401  (a job body, wired in scheduler.JOBS)
from tourplanner.sites.series import expand_all_series
from tourplanner.timeutil import to_local
from tourplanner.tours import operations as tour_ops
from tourplanner.tours.enums import TourStatus
from tourplanner.tours.models import Tour
from tourplanner.tours.operations import cancel_if_under_minimum

log = logging.getLogger(__name__)

#: The reminder goes this long before a tour starts.
REMINDER_BEFORE = timedelta(days=2)
#: Rounds are mailed between these local hours only (no mail at night).
MAIL_HOURS = range(8, 20)
#: Follow-ups of tours that ended longer ago than this are not sent any more.
FOLLOW_UP_WITHIN = timedelta(days=7)


def send_login_links() -> int:
    """Handle the queued sign-in requests, one commit each; returns how many mails were queued."""
    request_ids = db.session.scalars(select(LoginRequest.id).order_by(LoginRequest.id)).all()
    db.session.commit()
    sent = 0
    for request_id in request_ids:
        sent += send_login_link(request_id)
        db.session.commit()
    return sent


def deliver_outbox() -> int:
    """Send what waits in the outbox (retries included)."""
    return deliver_pending()


def send_calendar_updates() -> int:
    """Bring the calendars of the tours changed a little while ago up to date (their mails are queued)."""
    return send_due_updates()


def close_bookings_at_deadline() -> int:
    """Close the published tours whose booking deadline has passed."""
    tours = db.session.scalars(
        select(Tour).where(Tour.status == TourStatus.PUBLISHED, Tour.booking_deadline_at <= utcnow())
    ).all()
    closed = sum(tour_ops.close_bookings(tour) for tour in tours)
    db.session.commit()
    return closed


def go_no_go(now: datetime | None = None) -> int:
    """At their go/no-go date, cancel the tours with too few confirmed seats (the others go ahead); returns how many."""
    now = (now or utcnow()).astimezone(UTC)  # real hours: Paris-aware + timedelta is wall-clock time
    tours = db.session.scalars(
        select(Tour)
        .where(
            Tour.status.in_((TourStatus.PUBLISHED, TourStatus.CLOSED)),
            Tour.min_participants.is_not(None),
            Tour.go_confirmed_at.is_(None),
            Tour.go_no_go_at <= now,
            Tour.start_at > now,
        )
        .order_by(Tour.go_no_go_at, Tour.id)
    ).all()
    cancelled = sum(cancel_if_under_minimum(tour, now) for tour in tours)
    db.session.commit()
    return cancelled


def send_reminders(now: datetime | None = None) -> int:
    """Queue the reminder of the tours starting within two days, once per tour; returns the mails queued."""
    now = (now or utcnow()).astimezone(UTC)  # real hours: Paris-aware + timedelta is wall-clock time
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
    now = (now or utcnow()).astimezone(UTC)  # real hours: Paris-aware + timedelta is wall-clock time
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


def extend_slot_series() -> int:
    """Extend every recurring availability to the horizon, so its slots keep coming."""
    created = expand_all_series()
    db.session.commit()
    return created


#: A person's feed changes are folded into one row once they are this many.
FEED_CHANGES_KEPT = 32


def compact_feed_stamps() -> int:
    """Fold the feed changes of each person who has many into one row (their stamp unchanged), one commit each, so
    that a feed's 304 sums a few rows; returns how many people's rows were folded."""
    crowded = feed_stamp.crowded(db.session.connection(), FEED_CHANGES_KEPT)
    db.session.commit()
    for user_id in crowded:
        feed_stamp.compact(db.session.connection(), user_id)
        db.session.commit()
    return len(crowded)
