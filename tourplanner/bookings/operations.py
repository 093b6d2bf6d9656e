"""The verbs of bookings: book seats, cancel a booking, fill freed seats from the waiting list.

Rules, in the users' words:
- A booking is all or nothing: it is confirmed only when all its seats fit on one bus
  (the first bus, in the tour's order, with room for them all); otherwise it waits.
- First come, first served: bookings are served in the order they were made (their id).
- Freed seats go at once, in the same transaction, to the earliest waiting booking whose
  seats all fit, then to the next, and so on.
- The organiser's rules per tour (`tourplanner.bookings.rules`): at most
  `max_seats_per_booking` seats a booking; quotas per organisation or kind until their
  release date (over quota: refused, 409); on a tour with pickup points, each booking
  names the one its participants board at. After the booking deadline only organisers
  change bookings.

Every verb that reads free seats first takes the tour's lock (`locking.lock_tour`), so that
two requests — in two threads or two server processes — never both see the same free seat.
A new booking is written by `inserts.insert_booking`, in two statements at most.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select

from tourplanner.accounts.enums import Role
from tourplanner.accounts.models import User
from tourplanner.audit.operations import record, record_entry
from tourplanner.bookings import rules
from tourplanner.bookings.enums import BookingStatus
from tourplanner.bookings.inserts import NewBooking, Person, insert_booking
from tourplanner.bookings.locking import (
    BookingTour,
    SeatState,
    first_bus_with_room,
    is_sqlite,
    lock_prescriber,
    lock_tour,
    lock_tour_for_booking,
    seat_state,
    waiting_list,
    waiting_position,
    write_booking_mark,
)
from tourplanner.bookings.models import Booking
from tourplanner.bookings.queries import tour_bookings_query
from tourplanner.db import utcnow, write_columns
from tourplanner.errors import Conflict, FieldError, InvalidInput, NotFound
from tourplanner.extensions import db
from tourplanner.tours.enums import TourStatus
from tourplanner.tours.models import Bus, Tour
from tourplanner.tours.notices import plan_changed
from tourplanner.tours.queries import manages_tour

__all__ = [  # the lock and the seats read under it, for the verbs of other domains
    "SeatState",
    "first_bus_with_room",
    "lock_tour",
    "seat_state",
    "waiting_list",
    "waiting_position",
]

#: How long an Idempotency-Key stands for its first booking.
IDEMPOTENCY_WINDOW = timedelta(hours=24)
#: Longest Idempotency-Key accepted (the column's size).
IDEMPOTENCY_KEY_MAX_LENGTH = 200
#: Tours in these states may still move people from the waiting list to a bus.
FILLABLE_STATUSES = (TourStatus.PUBLISHED, TourStatus.CLOSED)


@dataclass(frozen=True)
class ParticipantDetails:
    """A person a seat is for."""

    name: str
    email: str | None = None
    has_reduced_mobility: bool = False


@dataclass(frozen=True)
class BookingRequest:
    """What a prescriber asks for: a number of seats, optionally who they are for and where they board."""

    seats: int
    participants: list[ParticipantDetails] = field(default_factory=list)
    #: Index of the tour's pickup point the participants board at (required when the tour has some).
    pickup_point: int | None = None


@dataclass(frozen=True)
class BookingOutcome:
    """The booking a request stands for, and whether it was made now or replayed from its key."""

    #: The booking's id (`booking` loads it).
    booking_id: int
    #: The booking just written, as plain values (None when replayed).
    new: NewBooking | None = None
    is_replay: bool = False
    #: The booking's place on the waiting list when it was just made (None when confirmed or replayed).
    waiting_position: int | None = None

    @property
    def booking(self) -> Booking:
        """The booking as an ORM object (read on first access after a new booking: the API answers without)."""
        booking = db.session.get(Booking, self.booking_id)
        assert booking is not None  # written in this transaction
        return booking


# --- verbs -----------------------------------------------------------------------------


def book_seats(
    tour: Tour | int, prescriber: User, request: BookingRequest, idempotency_key: str | None = None
) -> BookingOutcome:
    """Book seats on a tour for a prescriber: confirmed if they all fit on one bus, else waitlisted.

    `tour` may be given by its id. On a reverse visit (`siae_visit`) the one booking is a company
    contact instead (rules.check_may_book). With an `idempotency_key` already used by this prescriber
    in the last 24 hours, nothing is booked and the outcome is that first booking (`is_replay`).
    `prescriber`: a `User`, or the API's token user (plain values with the same names).
    """
    tour_id = tour if isinstance(tour, int) else tour.id
    key = _check_key(idempotency_key)
    if key is not None:
        if is_sqlite():
            lock_tour(tour_id)  # the write lock comes first on SQLite, before any read
        lock_prescriber(prescriber)
        earlier = _booking_for_key(prescriber, key)
        if earlier is not None:
            rules.check_may_book(_get_tour(tour_id), prescriber)
            return BookingOutcome(earlier.id, is_replay=True)
    db.session.flush()  # what the caller changed is read below on the connection, as an autoflush would
    connection = db.session.connection()
    # The tour is read once, under its lock, as plain rows: only what a booking needs.
    booking_tour = lock_tour_for_booking(connection, tour_id)
    rules.check_may_book(booking_tour, prescriber)
    _check_takes_bookings(booking_tour)
    _check_request(booking_tour, request)
    rules.check_quotas(booking_tour, prescriber, request.seats)

    state = booking_tour.seats if booking_tour.seats is not None else seat_state(booking_tour, connection)
    promoted: list[Booking] = []
    marked: Tour | BookingTour = booking_tour
    if _someone_waiting_fits(state):
        # Seats freed another way (a bus added by the organiser) go to those already waiting
        # first; rare, so through the ORM (the lock is already held: this reads the tour again).
        marked = lock_tour(tour_id)
        promoted = _fill(marked, state.free, actor=None, smallest_waiting=state.smallest_waiting)
    bus = first_bus_with_room(booking_tour, state.free, request.seats)
    new = insert_booking(
        connection,
        tour_id,
        prescriber,
        request.seats,
        bus=bus,
        pickup_point=rules.pickup_point_for(booking_tour, request.pickup_point),
        idempotency_key=key,
        people=[Person(p.name.strip(), _clean_email(p.email), p.has_reduced_mobility) for p in request.participants],
    )
    record_entry(
        prescriber,
        "booking.create",
        "booking",
        new.id,
        connection,
        tour_id=tour_id,
        seats=new.seats,
        status=new.status.value,
    )
    if bus is not None:
        plan_changed(marked)
        # The tour's mark, by a plain UPDATE: nothing left to flush.
        if isinstance(marked, BookingTour):
            write_booking_mark(connection, marked)
        else:
            write_columns(db.session, marked)
        return BookingOutcome(new.id, new)
    # Newest of all: behind every booking still waiting (ids grow in the order of the tour's lock).
    return BookingOutcome(new.id, new, waiting_position=state.waiting - len(promoted) + 1)


def cancel_booking(booking: Booking, actor: User) -> list[Booking]:
    """Cancel a booking; its seats go at once to the waiting list. Returns the bookings promoted.

    Its prescriber may cancel until the tour's booking deadline, organisers at any time.
    """
    _check_may_see(booking, actor)
    tour = lock_tour(booking.tour_id)
    booking = _reload(booking)
    if actor.role is not Role.ORGANISER and utcnow() >= tour.booking_deadline_at:
        raise Conflict("la date limite d'inscription est passée : seul l'organisateur peut encore annuler")
    if booking.status is BookingStatus.CANCELLED:
        raise Conflict("cette réservation est déjà annulée")
    was_confirmed = booking.status is BookingStatus.CONFIRMED
    booking.status = BookingStatus.CANCELLED
    booking.cancelled_at = utcnow()
    bus_name = booking.bus.name if booking.bus is not None else None
    db.session.flush()
    record(
        actor,
        "booking.cancel",
        booking,
        tour_id=tour.id,
        seats=booking.seats,
        was_confirmed=was_confirmed,
        bus=bus_name,
    )
    if was_confirmed:
        plan_changed(tour)
    return fill_from_waiting_list(tour, actor)


def fill_from_waiting_list(tour: Tour, actor: User | None) -> list[Booking]:
    """Confirm waiting bookings whose seats all fit, earliest first; returns those promoted.

    The caller holds the tour's lock (`lock_tour`). Call it whenever seats are freed or added.
    """
    if tour.status not in FILLABLE_STATUSES:
        return []
    state = seat_state(tour)
    return _fill(tour, state.free, actor, state.smallest_waiting)


def _someone_waiting_fits(state: SeatState) -> bool:
    """Whether a booking on the waiting list fits on the emptiest bus (`_fill` would promote it)."""
    return state.smallest_waiting is not None and max(state.free.values(), default=0) >= state.smallest_waiting


def _fill(tour: Tour, free: dict[int, int], actor: User | None, smallest_waiting: int | None) -> list[Booking]:
    """fill_from_waiting_list with the seats already counted; `free` is updated for the seats given.

    `smallest_waiting`: seats of the smallest waiting booking (None: nobody waits).
    """
    if tour.status not in FILLABLE_STATUSES or smallest_waiting is None:
        return []
    most_free = max(free.values(), default=0)
    if most_free < smallest_waiting:
        return []  # nobody waiting fits on any bus: no need to read the waiting list
    # Only bookings that fit on the emptiest bus can move: the others are not even read.
    waiting = waiting_list(tour, at_most_seats=most_free)
    promoted = []
    for booking in waiting:
        bus = first_bus_with_room(tour, free, booking.seats)
        if bus is None:
            continue
        _confirm(booking, bus)
        free[bus.id] -= booking.seats
        promoted.append(booking)
    db.session.flush()
    for booking in promoted:
        record(actor, "booking.promote", booking, tour_id=tour.id, seats=booking.seats, bus=booking.bus.name)
    if promoted:
        plan_changed(tour)
    return promoted


# --- access ----------------------------------------------------------------------------


def get_booking(booking_id: int, user: User) -> Booking:
    """The booking with this id, if `user` may see it (its prescriber or an organiser); else 404."""
    booking = db.session.get(Booking, booking_id)
    if booking is None:
        raise NotFound(f"aucune réservation n°{booking_id}")
    _check_may_see(booking, user)
    return booking


def tour_bookings(tour: Tour, user: User) -> list[Booking]:
    """A tour's bookings for `user`: all of them for organisers and the hosting structure, their own for a booker.

    Confirmed first, then the waiting list in its order, then cancelled ones; each by id.
    """
    return list(db.session.scalars(tour_bookings_query(tour, user)).unique())


def prescriber_bookings(user: User) -> list[Booking]:
    """The bookings `user` made, most recent tour first."""
    return list(
        db.session.scalars(
            select(Booking)
            .join(Tour, Booking.tour_id == Tour.id)
            .where(Booking.prescriber_id == user.id)
            .order_by(Tour.start_at.desc(), Booking.id)
        )
    )


def _check_may_see(booking: Booking, user: User) -> None:
    if manages_tour(user, booking.tour) or booking.prescriber_id == user.id:
        return
    # Someone else's booking: its very existence is private.
    raise NotFound(f"aucune réservation n°{booking.id}")


# --- helpers ---------------------------------------------------------------------------


def _confirm(booking: Booking, bus: Bus) -> None:
    booking.status = BookingStatus.CONFIRMED
    booking.bus = bus
    booking.confirmed_at = utcnow()


def _get_tour(tour_id: int) -> Tour:
    tour = db.session.get(Tour, tour_id)
    if tour is None:
        raise NotFound(f"aucun tour n°{tour_id}")
    return tour


def _reload(booking: Booking) -> Booking:
    """The booking as committed now (after taking the lock), not as this session last saw it."""
    return db.session.scalars(
        select(Booking).where(Booking.id == booking.id).execution_options(populate_existing=True)
    ).one()


def _check_key(key: str | None) -> str | None:
    if key is None or not key.strip():
        return None
    key = key.strip()
    if len(key) > IDEMPOTENCY_KEY_MAX_LENGTH:
        raise InvalidInput.one("Idempotency-Key", f"au plus {IDEMPOTENCY_KEY_MAX_LENGTH} caractères")
    return key


def _booking_for_key(prescriber: User, key: str, now: datetime | None = None) -> Booking | None:
    """The booking this prescriber made with `key` in the last 24 hours; an older one frees the key."""
    booking = db.session.scalars(
        select(Booking)
        .where(Booking.prescriber_id == prescriber.id, Booking.idempotency_key == key)
        .execution_options(populate_existing=True)
    ).one_or_none()
    if booking is None:
        return None
    if booking.created_at > (now or utcnow()) - IDEMPOTENCY_WINDOW:
        return booking
    booking.idempotency_key = None  # expired: the key may stand for a new booking
    db.session.flush()
    return None


def _check_takes_bookings(tour: Tour) -> None:
    if tour.status is not TourStatus.PUBLISHED:
        raise Conflict(f"ce tour ne prend pas de réservation (il est : {tour.status.label.lower()})")
    if utcnow() >= tour.booking_deadline_at:
        raise Conflict("la date limite d'inscription de ce tour est passée")


def _check_request(tour: Tour, request: BookingRequest) -> None:
    errors: list[FieldError] = []
    largest_bus = max((bus.seats for bus in tour.buses), default=0)
    if request.seats < 1:
        errors.append(FieldError("seats", "il faut réserver au moins une place"))
    elif tour.max_seats_per_booking is not None and request.seats > tour.max_seats_per_booking:
        errors.append(FieldError("seats", f"au plus {tour.max_seats_per_booking} places par réservation sur ce tour"))
    elif request.seats > largest_bus:
        errors.append(FieldError("seats", f"une réservation tient dans un seul car : au plus {largest_bus} places"))
    if len(request.participants) > request.seats:
        errors.append(
            FieldError("participants", f"{len(request.participants)} participants pour {request.seats} places")
        )
    for index, participant in enumerate(request.participants):
        if not participant.name.strip():
            errors.append(FieldError(f"participants.{index}.name", "le nom est obligatoire"))
    pickup_error = rules.pickup_point_error(tour, request.pickup_point)
    if pickup_error is not None:
        errors.append(pickup_error)
    if errors:
        raise InvalidInput(errors)


def _clean_email(email: str | None) -> str | None:
    email = (email or "").strip()
    return email.lower() or None
