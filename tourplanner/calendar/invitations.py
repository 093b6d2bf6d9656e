"""Invitations (iTIP over mail) for the events of tours, visits and assignments.

Domain operations call these functions inside their transaction; each queues the mails
for the people concerned in the outbox. They are filled in by the calendar work.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tourplanner.bookings.models import Booking
    from tourplanner.tours.models import AmbassadorAssignment, Stop, Tour


def booking_confirmed(booking: Booking) -> None:
    """A booking's seats are confirmed (at once or from the waiting list): invite its people."""


def booking_cancelled(booking: Booking) -> None:
    """A confirmed booking is cancelled: send CANCEL to its people."""


def tour_changed(tour: Tour) -> None:
    """A tour's times or place changed: send an updated REQUEST to those concerned."""


def tour_cancelled(tour: Tour) -> None:
    """A tour is cancelled: send CANCEL to everyone concerned."""


def ambassador_assigned(assignment: AmbassadorAssignment) -> None:
    """An ambassador is assigned to a bus: invite that ambassador alone."""


def visit_scheduled(stop: Stop) -> None:
    """A company's visit is scheduled or moved: invite the company's contacts."""


def visit_cancelled(stop: Stop) -> None:
    """A company's visit is removed from the itinerary: send CANCEL to its contacts."""
