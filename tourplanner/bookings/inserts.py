"""Writing a new booking in a few statements: its row, its participants' rows in one statement.

Every POST /tours/{id}/bookings goes through here, so rather than the unit of work's flush
(which registers, sorts, snapshots and compares every object of the session, most of a
booking's CPU) the rows go out as Core INSERTs built once per process. The caller gets ORM
objects all the same: attached to the session as already written (nothing for a flush to
do), read as any booking loaded from the database.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import insert
from sqlalchemy.orm import make_transient_to_detached

from tourplanner.accounts.models import User
from tourplanner.bookings.enums import BookingStatus
from tourplanner.bookings.models import Booking, Participant
from tourplanner.db import utcnow
from tourplanner.extensions import db
from tourplanner.tours.models import Bus, Tour, TourPickupPoint


@dataclass(frozen=True)
class Person:
    """A participant's row as written: name trimmed, address lower-case (None when not given)."""

    name: str
    email: str | None
    has_reduced_mobility: bool


_BOOKING_TABLE = Booking.__table__
_PARTICIPANT_TABLE = Participant.__table__
#: Built once: a statement object keeps its compiled form in the engine's cache.
_INSERT_BOOKING = insert(_BOOKING_TABLE).returning(_BOOKING_TABLE.c.id)
#: All the participants in one statement (one multi-row INSERT … RETURNING). PostgreSQL: the ids
#: come back in the rows' order (SQLAlchemy orders them). SQLite would then send one INSERT a row:
#: there the rows of one INSERT take consecutive rowids in their order (one writer at a time,
#: each new rowid one more than the largest), so the ids are sorted instead.
_INSERT_PARTICIPANTS = insert(_PARTICIPANT_TABLE).returning(_PARTICIPANT_TABLE.c.id)
_INSERT_PARTICIPANTS_IN_ORDER = insert(_PARTICIPANT_TABLE).returning(
    _PARTICIPANT_TABLE.c.id, sort_by_parameter_order=True
)


def insert_booking(
    tour: Tour,
    prescriber: User,
    seats: int,
    *,
    bus: Bus | None,
    pickup_point: TourPickupPoint | None,
    idempotency_key: str | None,
    people: list[Person],
) -> Booking:
    """Write a booking — confirmed on `bus`, or waitlisted when None — and its participants; return it.

    The caller holds the tour's lock and has checked the rules. Two statements at most: the
    booking, then its participants (when named).
    """
    now = utcnow()
    row = {
        "tour_id": tour.id,
        "prescriber_id": prescriber.id,
        "organisation_id": prescriber.organisation_id,
        "seats": seats,
        "status": BookingStatus.CONFIRMED if bus is not None else BookingStatus.WAITLISTED,
        "bus_id": bus.id if bus is not None else None,
        "pickup_point_id": pickup_point.id if pickup_point is not None else None,
        "idempotency_key": idempotency_key,
        "created_at": now,
        "confirmed_at": now if bus is not None else None,
        "cancelled_at": None,
    }
    booking_id = db.session.execute(_INSERT_BOOKING, row).scalar_one()
    rows = [
        {
            "booking_id": booking_id,
            "name": person.name,
            "email": person.email,
            "has_reduced_mobility": person.has_reduced_mobility,
            "attendance": None,
        }
        for person in people
    ]
    ids: list[int] = []
    if rows and db.session.get_bind().dialect.name == "sqlite":
        ids = sorted(db.session.execute(_INSERT_PARTICIPANTS, rows).scalars())
    elif rows:
        ids = list(db.session.execute(_INSERT_PARTICIPANTS_IN_ORDER, rows).scalars())
    participants = [Participant(id=participant_id, **values) for participant_id, values in zip(ids, rows, strict=True)]
    # Every column set (none left to load again); the tour is left out: setting it would add the
    # booking to the tour's `bookings`, a change for the next flush.
    booking = Booking(
        id=booking_id,
        **row,
        prescriber=prescriber,
        organisation=prescriber.organisation,
        bus=bus,
        pickup_point=pickup_point,
        participants=participants,
    )
    for written in (*participants, booking):
        make_transient_to_detached(written)  # as if loaded: no history, nothing to flush
    db.session.add(booking)
    return booking
