"""Moving a confirmed booking to another bus of its tour.

A booking moves whole (all or nothing, like booking itself): only when all its seats fit
on the bus asked for. Seats it frees on its old bus go at once to the waiting list,
as when a booking is cancelled. The booking's people get their updated invitation
(their copy shows their bus's schedule). Only organisers move bookings.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select

from tourplanner.accounts.models import User
from tourplanner.audit.operations import record
from tourplanner.bookings.enums import BookingStatus
from tourplanner.bookings.models import Booking
from tourplanner.bookings.operations import fill_from_waiting_list, lock_tour
from tourplanner.errors import Conflict, InvalidInput, NotFound
from tourplanner.extensions import db
from tourplanner.formatting import counted
from tourplanner.tours.enums import TourStatus
from tourplanner.tours.models import Bus, Tour
from tourplanner.tours.notices import plan_changed
from tourplanner.tours.queries import check_manages
from tourplanner.tours.seats import free_seats_by_bus

#: Tours whose bookings may still change bus.
MOVABLE_STATUSES = (TourStatus.PUBLISHED, TourStatus.CLOSED)


def may_move_bookings(tour: Tour) -> bool:
    """Whether a booking of `tour` may change bus at all: the tour still open to changes, and a second bus."""
    return tour.status in MOVABLE_STATUSES and len(tour.buses) > 1


@dataclass(frozen=True)
class MoveOutcome:
    """The booking after the move, whether it moved, and the waiting bookings its old seats went to."""

    booking: Booking
    moved: bool
    promoted: list[Booking] = field(default_factory=list)


def move_booking(booking: Booking, bus_id: int, organiser: User) -> MoveOutcome:
    """Put a confirmed booking on the bus `bus_id` of its tour if all its seats fit there.

    Conflict when the booking is not confirmed, the tour is no longer open to changes, or
    the bus lacks room; InvalidInput when `bus_id` is no bus of the tour. Asking for
    the bus the booking is already on changes nothing.
    """
    check_manages(organiser, booking.tour)
    tour = lock_tour(booking.tour_id)
    booking = db.session.scalars(
        select(Booking).where(Booking.id == booking.id).execution_options(populate_existing=True)
    ).one_or_none()
    if booking is None:
        raise NotFound("cette réservation n'existe plus")
    target = next((bus for bus in tour.buses if bus.id == bus_id), None)
    if target is None:
        raise InvalidInput.one("bus", f"ce tour n'a pas de car n°{bus_id}")
    if tour.status not in MOVABLE_STATUSES:
        raise Conflict(f"ce tour est {tour.status.label.lower()} : ses réservations ne changent plus de car")
    if booking.status is not BookingStatus.CONFIRMED:
        raise Conflict(f"seule une réservation confirmée change de car (celle-ci est {booking.status.label.lower()})")
    if booking.bus_id == target.id:
        return MoveOutcome(booking, moved=False)
    free = free_seats_by_bus(tour).get(target.id, 0)
    if free < booking.seats:
        raise Conflict(
            f"{target.name} n'a pas la place : {counted(booking.seats, 'place demandée')}, "
            f"{counted(max(free, 0), 'place libre')}"
        )
    source: Bus | None = booking.bus
    booking.bus = target
    db.session.flush()
    record(
        organiser,
        "booking.move",
        booking,
        tour_id=tour.id,
        seats=booking.seats,
        from_bus=source.name if source is not None else None,
        to_bus=target.name,
    )
    # The people's schedule follows their bus: open or closed to bookings, the tour will
    # take place (the other states were refused above).
    plan_changed(tour)
    promoted = fill_from_waiting_list(tour, organiser)
    return MoveOutcome(booking, moved=True, promoted=promoted)
