"""Mail rounds about a tour beyond invitations: the reminder before it and the follow-up after."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select

from tourplanner.calendar.events import PersonalEvent, tour_events, visit_events
from tourplanner.calendar.messages import follow_up_text, reminder_text
from tourplanner.extensions import db
from tourplanner.mail.compose import MailText
from tourplanner.mail.enums import MailRound
from tourplanner.mail.models import TourMailRound
from tourplanner.mail.operations import enqueue
from tourplanner.tours.models import Tour


def queue_reminder(tour: Tour) -> int:
    """Queue the reminder to everyone concerned by the tour, unless already done; returns the mails queued."""
    return _queue_round(tour, MailRound.REMINDER, reminder_text)


def queue_follow_up(tour: Tour) -> int:
    """Queue the follow-up to everyone concerned by the tour, unless already done; returns the mails queued."""
    return _queue_round(tour, MailRound.FOLLOW_UP, follow_up_text)


def round_done(tour: Tour, kind: MailRound) -> bool:
    """Whether this round of mails was already queued for the tour."""
    return (
        db.session.scalar(select(TourMailRound.id).where(TourMailRound.tour_id == tour.id, TourMailRound.kind == kind))
        is not None
    )


def _queue_round(tour: Tour, kind: MailRound, compose: Callable[[PersonalEvent], MailText]) -> int:
    if round_done(tour, kind):
        return 0
    # The unique (tour, kind) key stops a second scheduler at its commit.
    marker = TourMailRound(tour_id=tour.id, kind=kind)
    db.session.add(marker)
    db.session.flush()
    for event in tour_events(tour) + visit_events(tour):
        mail = compose(event)
        enqueue(event.recipient, mail.subject, mail.text, mail.html)
        marker.mails += 1
    db.session.flush()
    return marker.mails
