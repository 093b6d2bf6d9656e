"""The passeport by mail after the visit: a link to its online version and to its PDF, once per tour."""

from __future__ import annotations

from datetime import datetime, timedelta

from markupsafe import Markup, escape
from sqlalchemy import select

from tourplanner.bookings.enums import BookingStatus
from tourplanner.bookings.models import Booking
from tourplanner.extensions import db
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
            subject, text, html = _message(tour, name, url, is_referent)
            enqueue(address, subject, text, html)
            marker.mails += 1
    db.session.flush()
    return marker.mails


def _message(tour: Tour, name: str, url: str, is_referent: bool) -> tuple[str, str, str]:
    """Subject, text and HTML of a passeport mail."""
    day = to_local(tour.start_at).strftime("%d/%m/%Y")
    subject = f"Votre passeport métiers — {tour.title} du {day}"
    if is_referent:
        intro = (
            f"Bonjour {name},\n\nVoici le passeport métiers des personnes que vous avez inscrites au "
            f"tour « {tour.title} » du {day} : les entreprises visitées, leurs métiers (codes ROME), "
            "salaires, formations, postes ouverts et comment candidater, et la grille d'auto-évaluation "
            "à reprendre ensemble."
        )
    else:
        intro = (
            f"Bonjour {name},\n\nMerci d'être venu(e) au tour « {tour.title} » du {day}. Voici votre "
            "passeport métiers : les entreprises visitées, leurs métiers, comment candidater, et votre "
            "grille d'auto-évaluation à remplir et à montrer à votre référent."
        )
    text = f"{intro}\n\nEn ligne : {url}\nÀ imprimer (PDF) : {url}/pdf\n"
    paragraphs = "".join(f"<p>{escape(p).replace(chr(10), Markup('<br>'))}</p>" for p in intro.split("\n\n"))
    html = (
        f'{paragraphs}<p><a href="{escape(url)}">Voir le passeport en ligne</a> · '
        f'<a href="{escape(url)}/pdf">le télécharger en PDF pour l\'imprimer</a></p>'
    )
    return subject, text, html
