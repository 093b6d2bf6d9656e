"""The tour's booking lock, and the seats read under it.

Every verb that reads free seats first takes the tour's lock (`lock_tour`), so that two
requests — in two threads or two server processes — never both see the same free seat.
(Elsewhere, `tours.seats` is the one home of free seats for every other reader.)
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from sqlalchemy import Select, TextClause, bindparam, func, select, text
from sqlalchemy.orm import joinedload, load_only

from tourplanner.accounts.models import User
from tourplanner.bookings.enums import BookingStatus
from tourplanner.bookings.models import Booking
from tourplanner.errors import NotFound
from tourplanner.extensions import db
from tourplanner.tours.models import Bus, Tour


def lock_tour(tour_id: int, *, for_booking: bool = False) -> Tour:
    """Take the tour's booking lock for the rest of the transaction and reload the tour.

    PostgreSQL: `SELECT … FOR NO KEY UPDATE` on the tour row; concurrent bookings of the
    same tour wait for each other, other tours go on. (NO KEY: rows that merely refer to
    the tour, inserted by other transactions, need not wait.) SQLite has one writer at a time: a no-op
    UPDATE as the transaction's first statement takes the database's write lock before
    anything is read (waiting up to the engine's busy timeout), so no other process can
    change seats between our reading and our writing them.

    The tour comes with its buses, pickup points and quotas in the same statement: every
    booking reads them (a tour has a few of each, so the join stays a handful of rows).
    `for_booking`: only the tour's columns a new booking reads (`BOOKING_COLUMNS`) are loaded,
    any other is read on access; for a tour not yet in the session.
    """
    sqlite_lock, locked_tour, locked_tour_for_update = _locking_statements(for_booking)
    if is_sqlite():
        db.session.execute(sqlite_lock, {"tour_id": tour_id})
        query = locked_tour
    else:
        query = locked_tour_for_update
    tour = db.session.scalars(query, {"tour_id": tour_id}, execution_options=_POPULATE).unique().one_or_none()
    if tour is None:
        raise NotFound(f"aucun tour n°{tour_id}")
    return tour


def is_sqlite() -> bool:
    """Whether the session's database is SQLite (one writer at a time) rather than PostgreSQL."""
    return db.session.get_bind().dialect.name == "sqlite"


#: The tour's columns a new booking reads (its rules, its deadline) or writes (the calendar's mark).
BOOKING_COLUMNS = (
    "id",
    "kind",
    "status",
    "booking_deadline_at",
    "max_seats_per_booking",
    "host_organisation_id",
    "organisation_id",
    "notify_after_at",
    "notify_first_at",
    "revision",
)


@functools.cache
def _locking_statements(for_booking: bool) -> tuple[TextClause, Select[tuple[Tour]], Select[tuple[Tour]]]:
    """The statements of `lock_tour`, built once per process on first use (once every model is
    mapped): a statement object keeps its cache key, so executing it again skips constructing
    and hashing it, a good part of a statement's cost in the ORM."""
    sqlite_lock = text("UPDATE tours SET id = id WHERE id = :tour_id")
    locked_tour = (
        select(Tour)
        .where(Tour.id == bindparam("tour_id"))
        .options(joinedload(Tour.buses), joinedload(Tour.pickup_points), joinedload(Tour.quotas))
    )
    if for_booking:
        locked_tour = locked_tour.options(load_only(*(getattr(Tour, name) for name in BOOKING_COLUMNS)))
    return sqlite_lock, locked_tour, locked_tour.with_for_update(of=Tour, key_share=True)


_POPULATE = {"populate_existing": True}


def lock_prescriber(prescriber: User) -> None:
    """Serialise one prescriber's keyed requests, so a key is looked up and used atomically.

    NO KEY UPDATE: a booking inserted elsewhere for this prescriber (its foreign key takes
    KEY SHARE on the user row) must not wait for us, or two requests could deadlock.
    """
    if not is_sqlite():  # SQLite's write lock already covers it
        db.session.execute(select(User.id).where(User.id == prescriber.id).with_for_update(key_share=True))


# --- reading seats under the lock ----------------------------------------------------------


@dataclass
class SeatState:
    """What a booking needs to know of a tour's seats, read in one statement under the tour's lock.

    The booking's hot path reads free seats together with the waiting list's size in one
    statement; `tours.seats` answers the same free seats for every other reader."""

    #: Bus id → seats not held by a confirmed booking.
    free: dict[int, int]
    #: Bookings on the waiting list.
    waiting: int
    #: Seats of the smallest waiting booking (None when nobody waits).
    smallest_waiting: int | None


def seat_state(tour: Tour) -> SeatState:
    """Free seats per bus, and how many bookings wait and the smallest of them, in one statement."""
    held: dict[int, int] = {}
    waiting, smallest = 0, None
    for status, bus_id, seats, count, fewest in db.session.execute(_SEAT_STATE, {"tour_id": tour.id}):
        if status is BookingStatus.CONFIRMED and bus_id is not None:
            held[bus_id] = held.get(bus_id, 0) + int(seats)
        elif status is BookingStatus.WAITLISTED:
            waiting += int(count)
            smallest = int(fewest) if smallest is None else min(smallest, int(fewest))
    return SeatState({bus.id: bus.seats - held.get(bus.id, 0) for bus in tour.buses}, waiting, smallest)


_BOOKINGS = Booking.__table__.c
#: Core, not ORM: plain rows, no entities to build.
_SEAT_STATE = (
    select(_BOOKINGS.status, _BOOKINGS.bus_id, func.sum(_BOOKINGS.seats), func.count(), func.min(_BOOKINGS.seats))
    .where(
        _BOOKINGS.tour_id == bindparam("tour_id"),
        _BOOKINGS.status.in_([BookingStatus.CONFIRMED, BookingStatus.WAITLISTED]),
    )
    .group_by(_BOOKINGS.status, _BOOKINGS.bus_id)
)


def first_bus_with_room(tour: Tour, free: dict[int, int], seats: int) -> Bus | None:
    """The first bus, in the tour's order, with room for all `seats`; None if none has."""
    for bus in tour.buses:
        if free.get(bus.id, 0) >= seats:
            return bus
    return None


def waiting_list(tour: Tour, at_most_seats: int | None = None) -> list[Booking]:
    """The tour's waiting bookings, first come first; only those of at most `at_most_seats` seats if given."""
    query = select(Booking).where(Booking.tour_id == tour.id, Booking.status == BookingStatus.WAITLISTED)
    if at_most_seats is not None:
        query = query.where(Booking.seats <= at_most_seats)
    return list(db.session.scalars(query.order_by(Booking.id).execution_options(populate_existing=True)))


def waiting_position(booking: Booking) -> int | None:
    """1 for the first booking of the waiting list, 2 for the next…; None unless waiting."""
    if booking.status is not BookingStatus.WAITLISTED:
        return None
    ahead = db.session.scalar(
        select(func.count())
        .select_from(Booking)
        .where(
            Booking.tour_id == booking.tour_id,
            Booking.status == BookingStatus.WAITLISTED,
            Booking.id < booking.id,
        )
    )
    return int(ahead or 0) + 1
