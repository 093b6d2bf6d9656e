"""The seats of tours: the one home of confirmed, waiting and free seats, for one tour or many at once.

Every page, API answer, verb and job that needs to know how many seats a tour holds reads
them here, so that they all agree. One SQL statement counts the seats of any number of
tours; the buses come from the tours when already loaded, else from one more statement for
all of them (never one per tour).

A caller about to write bookings holds the tour's lock first (bookings.operations.lock_tour):
this module only reads.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import func, inspect, select

from tourplanner.bookings.enums import BookingStatus
from tourplanner.bookings.models import Booking
from tourplanner.extensions import db
from tourplanner.tours.models import Bus, Tour


@dataclass(frozen=True)
class TourSeats:
    """How a tour's seats stand: its total, the seats of its bookings per status, and what each bus has free."""

    total: int
    #: Seats of the tour's bookings, per status (every status present, 0 when none).
    by_status: dict[BookingStatus, int]
    #: Bus id → seats not held by a confirmed booking, for every bus of the tour.
    free_by_bus: dict[int, int] = field(default_factory=dict)
    #: Bus id → seats held by confirmed bookings (buses with none are absent; None: confirmed without a bus).
    confirmed_by_bus: dict[int | None, int] = field(default_factory=dict)

    @property
    def confirmed(self) -> int:
        """Seats of confirmed bookings."""
        return self.by_status[BookingStatus.CONFIRMED]

    @property
    def waitlisted(self) -> int:
        """Seats of bookings on the waiting list."""
        return self.by_status[BookingStatus.WAITLISTED]

    @property
    def free(self) -> int:
        """Seats still free on the whole tour (never below zero, even when buses were made smaller)."""
        return max(self.total - self.confirmed, 0)

    @property
    def largest_free_block(self) -> int:
        """Most seats one booking can have confirmed now: a booking rides one bus."""
        return max(self.free_by_bus.values(), default=0)


def seats_of_tours(tours: Sequence[Tour]) -> dict[int, TourSeats]:
    """Tour id → its seats, for all these tours in one SQL statement."""
    ids = [tour.id for tour in tours]
    by_status = {tour_id: {status: 0 for status in BookingStatus} for tour_id in ids}
    confirmed_by_bus: dict[int, dict[int | None, int]] = {tour_id: {} for tour_id in ids}
    if ids:
        rows = db.session.execute(
            select(Booking.tour_id, Booking.bus_id, Booking.status, func.coalesce(func.sum(Booking.seats), 0))
            .where(Booking.tour_id.in_(ids))
            .group_by(Booking.tour_id, Booking.bus_id, Booking.status)
        ).all()
        for tour_id, bus_id, status, seats in rows:
            by_status[tour_id][status] += int(seats)
            if status is BookingStatus.CONFIRMED:
                confirmed_by_bus[tour_id][bus_id] = confirmed_by_bus[tour_id].get(bus_id, 0) + int(seats)
    buses = _buses(tours)
    return {
        tour.id: TourSeats(
            total=sum(bus.seats for bus in buses[tour.id]),
            by_status=by_status[tour.id],
            free_by_bus={bus.id: bus.seats - confirmed_by_bus[tour.id].get(bus.id, 0) for bus in buses[tour.id]},
            confirmed_by_bus=confirmed_by_bus[tour.id],
        )
        for tour in tours
    }


def _buses(tours: Sequence[Tour]) -> dict[int, list[Bus]]:
    """Tour id → its buses: those already loaded, the others' in one statement for all."""
    buses: dict[int, list[Bus]] = {}
    missing: list[int] = []
    for tour in tours:
        if "buses" in inspect(tour).unloaded:
            missing.append(tour.id)
            buses[tour.id] = []
        else:
            buses[tour.id] = list(tour.buses)
    if missing:
        for bus in db.session.scalars(select(Bus).where(Bus.tour_id.in_(missing)).order_by(Bus.position)):
            buses[bus.tour_id].append(bus)
    return buses


def seats_of_tour(tour: Tour) -> TourSeats:
    """The seats of one tour (one SQL statement, and one more for its buses if not loaded yet)."""
    return seats_of_tours([tour])[tour.id]


def free_seats_by_bus(tour: Tour) -> dict[int, int]:
    """Bus id → seats not held by a confirmed booking, for each bus of the tour."""
    return seats_of_tour(tour).free_by_bus
