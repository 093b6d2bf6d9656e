"""Read-only queries of bookings for lists: a tour's bookings, a page at a time, in a constant number of statements."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Select, case, func, select
from sqlalchemy.orm import joinedload, selectinload

from tourplanner.accounts.enums import Role
from tourplanner.accounts.models import User
from tourplanner.accounts.permissions import require_role
from tourplanner.bookings import rules
from tourplanner.bookings.enums import BookingStatus
from tourplanner.bookings.models import Booking
from tourplanner.extensions import db
from tourplanner.pagination import Page, PageRequest, keyset_page
from tourplanner.tours.models import Tour
from tourplanner.tours.queries import check_manages

#: Confirmed bookings first, then the waiting list, then cancelled ones.
STATUS_RANK = {BookingStatus.CONFIRMED: 0, BookingStatus.WAITLISTED: 1, BookingStatus.CANCELLED: 2}
#: The rank as SQL, for ordering and for the keyset of a page.
status_rank = case(STATUS_RANK, value=Booking.status, else_=3)

#: What a list shows of each booking, loaded for the whole list (never one statement per booking).
BOOKING_LIST_LOADS = (
    joinedload(Booking.bus),
    joinedload(Booking.pickup_point),
    joinedload(Booking.prescriber),
    joinedload(Booking.organisation),
    selectinload(Booking.participants),
)


def tour_bookings_query(tour: Tour, user: User) -> Select[tuple[Booking]]:
    """The statement of a tour's bookings for `user`: all of them for organisers and the hosting structure,
    their own for a booker (others: 403). Confirmed first, then the waiting list in its order, then
    cancelled ones; each by id. An organiser of another territory is refused (see tours.queries)."""
    if user.role is Role.ORGANISER:
        check_manages(user, tour)
    sees_all = user.role is Role.ORGANISER or rules.is_host(tour, user)
    if not sees_all:
        require_role(user, Role.ORGANISER, rules.booking_role(tour))
    query = select(Booking).where(Booking.tour_id == tour.id).options(*BOOKING_LIST_LOADS)
    if not sees_all:
        query = query.where(Booking.prescriber_id == user.id)
    return query.order_by(status_rank, Booking.id)


def tour_bookings_page(tour: Tour, user: User, page: PageRequest) -> Page[Booking]:
    """One page of a tour's bookings for `user`, keyset on (status rank, id)."""
    return keyset_page(
        tour_bookings_query(tour, user),
        [(status_rank, int), (Booking.id, int)],
        lambda booking: (STATUS_RANK.get(booking.status, 3), booking.id),
        page,
        lambda statement: list(db.session.scalars(statement).unique()),
    )


def waiting_positions(tour_ids: set[int] | list[int]) -> dict[int, int]:
    """Booking id → its place on its tour's waiting list (1 for the first), for these tours, in one statement."""
    positions: dict[int, int] = {}
    if not tour_ids:
        return positions
    counters: dict[int, int] = {}
    rows = db.session.execute(
        select(Booking.id, Booking.tour_id)
        .where(Booking.tour_id.in_(set(tour_ids)), Booking.status == BookingStatus.WAITLISTED)
        .order_by(Booking.tour_id, Booking.id)
    )
    for booking_id, tour_id in rows:
        counters[tour_id] = counters.get(tour_id, 0) + 1
        positions[booking_id] = counters[tour_id]
    return positions


@dataclass(frozen=True)
class BookingCounts:
    """A tour's totals for a page of its bookings: seats confirmed per bus, bookings per status."""

    seats_by_bus: dict[int, int]
    bookings_by_status: dict[BookingStatus, int]


def tour_booking_counts(tour: Tour) -> BookingCounts:
    """Confirmed seats per bus and bookings per status of a tour, in one statement (the page shows a part)."""
    seats_by_bus: dict[int, int] = {}
    by_status: dict[BookingStatus, int] = dict.fromkeys(BookingStatus, 0)
    rows = db.session.execute(
        select(Booking.bus_id, Booking.status, func.count(), func.coalesce(func.sum(Booking.seats), 0))
        .where(Booking.tour_id == tour.id)
        .group_by(Booking.bus_id, Booking.status)
    )
    for bus_id, status, bookings, seats in rows:
        by_status[status] += bookings
        if status is BookingStatus.CONFIRMED and bus_id is not None:
            seats_by_bus[bus_id] = seats_by_bus.get(bus_id, 0) + int(seats)
    return BookingCounts(seats_by_bus, by_status)
