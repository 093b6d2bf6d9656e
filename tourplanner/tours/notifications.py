"""Telling the people concerned when a tour changes."""

from __future__ import annotations

from flask import current_app

from tourplanner.bookings.enums import BookingStatus
from tourplanner.mail.operations import enqueue
from tourplanner.timeutil import to_local
from tourplanner.tours.models import Tour


def people_concerned(tour: Tour) -> dict[str, str]:
    """E-mail → name of everyone concerned by a tour: bookers, participants, ambassadors."""
    people: dict[str, str] = {}
    for booking in tour.bookings:
        if booking.status is BookingStatus.CANCELLED:
            continue
        people.setdefault(booking.prescriber.email, booking.prescriber.name)
        for participant in booking.participants:
            if participant.email:
                people.setdefault(participant.email.lower(), participant.name)
    for assignment in tour.ambassadors:
        people.setdefault(assignment.user.email, assignment.user.name)
    return people


def tour_cancelled(tour: Tour, reason: str | None) -> None:
    """Queue a cancellation notice to each person concerned, once."""
    when = to_local(tour.start_at).strftime("%d/%m/%Y à %H:%M")
    url = f"{current_app.config['BASE_URL']}/tours/{tour.id}"
    for email, name in sorted(people_concerned(tour).items()):
        text = (
            f"Bonjour {name},\n\n"
            f"Le tour « {tour.title} » prévu le {when} ({tour.meeting_point_name}) est annulé."
            + (f"\nMotif : {reason}" if reason else "")
            + f"\n\nDétails : {url}\n\n— tourplanner\n"
        )
        enqueue(email, f"Annulé : {tour.title}", text)
