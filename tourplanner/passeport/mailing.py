"""The passeport by mail after the visit: a link to its online version and to its PDF, once per tour."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from tourplanner.bookings.enums import BookingStatus
from tourplanner.bookings.models import Booking
from tourplanner.extensions import db
from tourplanner.mail.compose import MailText, compose
from tourplanner.mail.enums import MailRound
from tourplanner.mail.models import TourMailRound
from tourplanner.mail.operations import enqueue
from tourplanner.passeport.operations import online_url
from tourplanner.timeutil import to_local
from tourplanner.tours.enums import TourStatus
from tourplanner.tours.models import Tour

#: Passeports of tours that ended longer ago than this are not mailed any more.
MAIL_WITHIN = timedelta(days=7)
#: Passeports are mailed between these local hours only (no mail at night).
MAIL_HOURS = range(8, 20)


def tours_due(now: datetime) -> list[Tour]:
    """Tours held (not drafts nor cancelled) that ended in the last week and whose passeports are not mailed yet."""
    return list(
        db.session.scalars(
            select(Tour)
            .where(
                Tour.status.not_in((TourStatus.DRAFT, TourStatus.CANCELLED)),
                Tour.end_at <= now,
                Tour.end_at >= now - MAIL_WITHIN,
                ~Tour.id.in_(select(TourMailRound.tour_id).where(TourMailRound.kind == MailRound.PASSEPORT)),
            )
            .order_by(Tour.end_at, Tour.id)
        )
    )


def queue_passeports(tour: Tour) -> int:
    """Mail each confirmed booking's passeport to its prescriber and its participants with an address, once.

    Returns the mails queued; 0 when the tour's passeports were already mailed.
    """
    if (
        db.session.scalar(
            select(TourMailRound.id).where(TourMailRound.tour_id == tour.id, TourMailRound.kind == MailRound.PASSEPORT)
        )
        is not None
    ):
        return 0
    # The unique (tour, kind) key stops a second scheduler at its commit.
    marker = TourMailRound(tour_id=tour.id, kind=MailRound.PASSEPORT)
    db.session.add(marker)
    db.session.flush()
    bookings = db.session.scalars(
        select(Booking)
        .where(Booking.tour_id == tour.id, Booking.status == BookingStatus.CONFIRMED)
        .order_by(Booking.id)
    )
    for booking in bookings:
        url = online_url(booking)
        recipients = [(booking.prescriber.email, booking.prescriber.name, True)]
        recipients += [(p.email, p.name, False) for p in booking.participants if p.email]
        for address, name, is_referent in recipients:
            mail = _message(tour, name, url, is_referent)
            enqueue(address, mail.subject, mail.text, mail.html)
            marker.mails += 1
    db.session.flush()
    return marker.mails


def _message(tour: Tour, name: str, url: str, is_referent: bool) -> MailText:
    """The passeport mail to the prescriber who booked (`is_referent`) or to a participant."""
    day = to_local(tour.start_at).strftime("%d/%m/%Y")
    subject = f"Votre passeport métiers — {tour.title} du {day}"
    return compose("passeport", subject, name=name, tour=tour, url=url, is_referent=is_referent)
