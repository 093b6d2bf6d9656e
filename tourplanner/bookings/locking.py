"""The tour's booking lock, and the seats read under it.

Every verb that reads free seats first takes the tour's lock (`lock_tour`), so that two
requests — in two threads or two server processes — never both see the same free seat.
(Elsewhere, `tours.seats` is the one home of free seats for every other reader.)
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, Select, bindparam, func, or_, select, text, update
from sqlalchemy.orm import joinedload

from tourplanner.accounts.enums import OrganisationKind
from tourplanner.accounts.models import User
from tourplanner.bookings.enums import BookingStatus
from tourplanner.bookings.models import Booking
from tourplanner.db import take_sqlite_writer_lock
from tourplanner.errors import NotFound
from tourplanner.extensions import db
from tourplanner.tours.enums import TourKind, TourStatus
from tourplanner.tours.models import Bus, Tour, TourPickupPoint, TourQuota


def lock_tour(tour_id: int) -> Tour:
    """Take the tour's booking lock for the rest of the transaction and reload the tour.

    PostgreSQL: `SELECT … FOR NO KEY UPDATE` on the tour row; concurrent bookings of the
    same tour wait for each other, other tours go on. (NO KEY: rows that merely refer to
    the tour, inserted by other transactions, need not wait.) SQLite has one writer at a time:
    the database's write lock is taken before anything is read (`take_sqlite_write_lock`), so
    no other process can change seats between our reading and our writing them.

    The tour comes with its buses, pickup points and quotas in the same statement: every
    booking reads them (a tour has a few of each, so the join stays a handful of rows).
    A new booking reads the same under the same lock as plain rows: `lock_tour_for_booking`.
    """
    locked_tour, locked_tour_for_update = _locking_statements()
    if is_sqlite():
        take_sqlite_write_lock(db.session.connection())
        query = locked_tour
    else:
        query = locked_tour_for_update
    tour = db.session.scalars(query, {"tour_id": tour_id}, execution_options=_POPULATE).unique().one_or_none()
    if tour is None:
        raise NotFound(f"aucun tour n°{tour_id}")
    return tour


def take_sqlite_write_lock(connection: Connection) -> None:
    """SQLite: hold the database's write lock from now until the transaction ends (waiting for it).

    The writers' file lock (`db.take_sqlite_writer_lock`) when the database has one: no statement,
    and the writer's turn is shorter by one. Else SQLite's own write lock, taken by an UPDATE that
    matches no row. Neither touches the tour's row: its feed-stamp trigger does not run for a lock
    (it did when the lock was `UPDATE tours SET id = id WHERE id = :tour_id`)."""
    if not take_sqlite_writer_lock(connection):
        connection.execute(_SQLITE_LOCK)


def is_sqlite() -> bool:
    """Whether the session's database is SQLite (one writer at a time) rather than PostgreSQL."""
    return db.session.get_bind().dialect.name == "sqlite"


@functools.cache
def _locking_statements() -> tuple[Select[tuple[Tour]], Select[tuple[Tour]]]:
    """The statements of `lock_tour`, built once per process on first use (once every model is
    mapped): a statement object keeps its cache key, so executing it again skips constructing
    and hashing it, a good part of a statement's cost in the ORM."""
    locked_tour = (
        select(Tour)
        .where(Tour.id == bindparam("tour_id"))
        .options(joinedload(Tour.buses), joinedload(Tour.pickup_points), joinedload(Tour.quotas))
    )
    return locked_tour, locked_tour.with_for_update(of=Tour, key_share=True)


_POPULATE = {"populate_existing": True}


def lock_prescriber(prescriber: User) -> None:
    """Serialise one prescriber's keyed requests, so a key is looked up and used atomically.

    NO KEY UPDATE: a booking inserted elsewhere for this prescriber (its foreign key takes
    KEY SHARE on the user row) must not wait for us, or two requests could deadlock.
    """
    if not is_sqlite():  # SQLite's write lock already covers it
        db.session.execute(select(User.id).where(User.id == prescriber.id).with_for_update(key_share=True))


# --- a new booking's tour: plain rows, no ORM instance -------------------------------------


@dataclass(slots=True)
class BusRow:
    """A tour's bus as a new booking reads it."""

    id: int
    position: int
    label: str | None
    seats: int

    #: The same rule as `Bus.name` ("Car 1" when it has no label).
    name = property(Bus.name.fget)


@dataclass(slots=True)
class PickupPointRow:
    """A tour's pickup point as a new booking reads it."""

    id: int
    position: int
    name: str


@dataclass(slots=True)
class QuotaRow:
    """A tour's quota as a new booking reads it (the fields `rules.check_quotas` uses)."""

    id: int
    tour_id: int
    organisation_id: int | None
    organisation_kind: OrganisationKind | None
    seats: int
    released_at: datetime | None


@dataclass(slots=True)
class BookingTour:
    """The tour a new booking is made on, read under its lock: the columns its rules read and
    the calendar's mark it writes, with its buses, pickup points and quotas in the tour's order.

    Plain values rather than ORM instances: building and tracking those cost a booking more
    CPU than its SQL. The rules (`rules`, `_check_request`, `seat_state`…) read the same
    attribute names on a `Tour`; `plan_changed` sets the mark, `write_booking_mark` writes it."""

    id: int
    kind: TourKind
    status: TourStatus
    booking_deadline_at: datetime
    max_seats_per_booking: int | None
    host_organisation_id: int | None
    organisation_id: int | None
    notify_after_at: datetime | None
    notify_first_at: datetime | None
    updated_at: datetime
    revision: int
    buses: list[BusRow]
    pickup_points: list[PickupPointRow]
    quotas: list[QuotaRow]
    #: On SQLite, the seats, read in the same statement (None: read them with `seat_state`).
    seats: SeatState | None = None


#: The calendar's mark that `tours.notices.plan_changed` moves on a tour.
MARK_COLUMNS = ("notify_after_at", "notify_first_at", "updated_at", "revision")


def lock_tour_for_booking(connection: Connection, tour_id: int) -> BookingTour:
    """Take the tour's booking lock (as `lock_tour`) and read what a new booking needs of it, as plain rows.

    One statement (SQLite's write lock comes first, without one), on the session's connection:
    the tour joined with its buses, pickup points and quotas (a tour has a few of each).

    On SQLite the seats come in the same statement (`BookingTour.seats`): the write lock is
    held before it starts, so it sees every booking committed. Not on PostgreSQL, where a
    statement reads what was committed when it started, before it waited for the tour's row
    lock: the seats are read by a second statement once the lock is held (`seat_state`)."""
    with_seats = connection.dialect.name == "sqlite"
    if with_seats:
        take_sqlite_write_lock(connection)
        query = _BOOKING_TOUR_WITH_SEATS
    else:
        query = _BOOKING_TOUR_FOR_UPDATE
    rows = connection.execute(query, {"tour_id": tour_id}).all()
    if not rows:
        raise NotFound(f"aucun tour n°{tour_id}")
    rows_by_bus: dict[int, BusRow] = {}
    held: dict[int, int] = {}
    points: dict[int, PickupPointRow] = {}
    quotas: dict[int, QuotaRow] = {}
    width = len(_TOUR_COLUMNS)
    for row in rows:
        bus_id, position, label, seats = row[width : width + 4]
        if bus_id is not None and bus_id not in rows_by_bus:
            rows_by_bus[bus_id] = BusRow(bus_id, position, label, seats)
            if with_seats:
                held[bus_id] = int(row[width + 13])
        point_id, point_position, point_name = row[width + 4 : width + 7]
        if point_id is not None and point_id not in points:
            points[point_id] = PickupPointRow(point_id, point_position, point_name)
        quota = row[width + 7 : width + 13]
        if quota[0] is not None and quota[0] not in quotas:
            quotas[quota[0]] = QuotaRow(*quota)
    first = rows[0]
    buses = list(rows_by_bus.values())
    state = None
    if with_seats:
        waiting, smallest = first[width + 14 : width + 16]
        state = SeatState({bus.id: bus.seats - held[bus.id] for bus in buses}, int(waiting), smallest)
    # The rows come ordered by bus, then pickup point, then quota: first seen is the tour's order.
    return BookingTour(
        *first[:width],
        buses=buses,
        pickup_points=sorted(points.values(), key=lambda point: point.position),
        quotas=sorted(quotas.values(), key=lambda quota: quota.id),
        seats=state,
    )


def write_booking_mark(connection: Connection, tour: BookingTour) -> None:
    """Write the calendar's mark `plan_changed` set on the tour, by one UPDATE; an ORM copy of the
    tour in the session forgets its old mark (it is read again on access)."""
    values = {f"new_{name}": getattr(tour, name) for name in MARK_COLUMNS}
    connection.execute(_WRITE_MARK, {"tour_id": tour.id, **values})
    stale = db.session.identity_map.get(db.session.identity_key(Tour, tour.id))  # type: ignore[attr-defined]
    if stale is not None:
        db.session.expire(stale, MARK_COLUMNS)


_TOURS = Tour.__table__.c
#: The tour's columns its rules read, then the mark; in `BookingTour`'s order.
_TOUR_COLUMNS = tuple(
    _TOURS[name]
    for name in (
        "id",
        "kind",
        "status",
        "booking_deadline_at",
        "max_seats_per_booking",
        "host_organisation_id",
        "organisation_id",
        *MARK_COLUMNS,
    )
)
#: Takes SQLite's write lock (any write does, from its start) and changes nothing: no row, no trigger.
_SQLITE_LOCK = text("UPDATE tours SET id = id WHERE 0 = 1")
_BUSES, _POINTS, _QUOTAS = Bus.__table__, TourPickupPoint.__table__, TourQuota.__table__
#: Core statements on tables, built once at import: no ORM entity to build from the rows.
_BOOKING_TOUR = (
    select(
        *_TOUR_COLUMNS,
        _BUSES.c.id,
        _BUSES.c.position,
        _BUSES.c.label,
        _BUSES.c.seats,
        _POINTS.c.id,
        _POINTS.c.position,
        _POINTS.c.name,
        _QUOTAS.c.id,
        _QUOTAS.c.tour_id,
        _QUOTAS.c.organisation_id,
        _QUOTAS.c.organisation_kind,
        _QUOTAS.c.seats,
        _QUOTAS.c.released_at,
    )
    .select_from(
        Tour.__table__.outerjoin(_BUSES, _BUSES.c.tour_id == _TOURS.id)
        .outerjoin(_POINTS, _POINTS.c.tour_id == _TOURS.id)
        .outerjoin(_QUOTAS, _QUOTAS.c.tour_id == _TOURS.id)
    )
    .where(_TOURS.id == bindparam("tour_id"))
    .order_by(_BUSES.c.position, _POINTS.c.position, _QUOTAS.c.id)
)
#: PostgreSQL: FOR NO KEY UPDATE OF tours (see `lock_tour`).
_BOOKING_TOUR_FOR_UPDATE = _BOOKING_TOUR.with_for_update(of=Tour.__table__, key_share=True)
_HELD, _WAITING = Booking.__table__.alias("held"), Booking.__table__.alias("waiting")
#: SQLite, under its write lock: with each bus its confirmed seats, with the tour its waiting list's
#: size and smallest booking (what `seat_state` reads), each from the bookings' indexes.
_BOOKING_TOUR_WITH_SEATS = _BOOKING_TOUR.add_columns(
    select(func.coalesce(func.sum(_HELD.c.seats), 0))
    .where(_HELD.c.bus_id == _BUSES.c.id, _HELD.c.status == BookingStatus.CONFIRMED)
    .scalar_subquery(),
    select(func.count())
    .where(_WAITING.c.tour_id == _TOURS.id, _WAITING.c.status == BookingStatus.WAITLISTED)
    .scalar_subquery(),
    select(func.min(_WAITING.c.seats))
    .where(_WAITING.c.tour_id == _TOURS.id, _WAITING.c.status == BookingStatus.WAITLISTED)
    .scalar_subquery(),
)
_WRITE_MARK = (
    update(Tour.__table__)
    .where(_TOURS.id == bindparam("tour_id"))
    .values({_TOURS[name]: bindparam(f"new_{name}") for name in MARK_COLUMNS})
)


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


def seat_state(tour: Tour | BookingTour, connection: Connection | None = None) -> SeatState:
    """Free seats per bus, and how many bookings wait and the smallest of them, in one statement
    (on `connection`, the session's, when the caller already holds it)."""
    held: dict[int, int] = {}
    waiting, smallest = 0, None
    rows = (connection or db.session.connection()).execute(_SEAT_STATE, {"tour_id": tour.id})
    for status, bus_id, seats, count, fewest in rows:
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
        # Two equalities rather than IN: an IN list is an "expanding" parameter, rendered again at each execution.
        or_(_BOOKINGS.status == BookingStatus.CONFIRMED, _BOOKINGS.status == BookingStatus.WAITLISTED),
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
