"""Writing a new booking in a few statements: its row, its participants' rows in one statement.

Every POST /tours/{id}/bookings goes through here, so rather than the unit of work's flush
(which registers, sorts, snapshots and compares every object of the session, most of a
booking's CPU) the rows go out as Core INSERTs built once per process, on the session's
connection, and what was written comes back as a plain `NewBooking` (no ORM instance to
build): the API answers from it; other callers load the `Booking` when they need it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import Connection, insert

from tourplanner.bookings.enums import BookingStatus
from tourplanner.bookings.models import Booking, Participant
from tourplanner.db import utcnow


@dataclass(frozen=True)
class Person:
    """A participant's row as written: name trimmed, address lower-case (None when not given)."""

    name: str
    email: str | None
    has_reduced_mobility: bool


class BusLike(Protocol):
    """A bus as a booking names it (a `Bus`, or the plain row a booking reads)."""

    id: int
    position: int

    @property
    def name(self) -> str: ...


class PickupPoint(Protocol):
    """A pickup point as a booking names it."""

    id: int
    position: int
    name: str


@dataclass(frozen=True)
class NewBooking:
    """A booking just written, as plain values: what its answer shows."""

    id: int
    tour_id: int
    status: BookingStatus
    seats: int
    bus: BusLike | None
    pickup_point: PickupPoint | None
    prescriber_id: int
    prescriber_name: str
    prescriber_email: str
    organisation_name: str | None
    participants: list[Person]
    created_at: datetime
    confirmed_at: datetime | None


_BOOKING_TABLE = Booking.__table__
_PARTICIPANT_TABLE = Participant.__table__
#: Built once: a statement object keeps its compiled form in the engine's cache.
_INSERT_BOOKING = insert(_BOOKING_TABLE).returning(_BOOKING_TABLE.c.id)
#: All the participants in one statement (executemany: no id is read back, the answer shows none).
_INSERT_PARTICIPANTS = insert(_PARTICIPANT_TABLE)


def insert_booking(
    connection: Connection,
    tour_id: int,
    prescriber: Any,
    seats: int,
    *,
    bus: BusLike | None,
    pickup_point: PickupPoint | None,
    idempotency_key: str | None,
    people: list[Person],
) -> NewBooking:
    """Write a booking — confirmed on `bus`, or waitlisted when None — and its participants; return it.

    The caller holds the tour's lock and has checked the rules. Two statements at most: the
    booking, then its participants (when named). `prescriber`: a `User` or the API's token user.
    """
    now = utcnow()
    status = BookingStatus.CONFIRMED if bus is not None else BookingStatus.WAITLISTED
    confirmed_at = now if bus is not None else None
    booking_id = connection.execute(
        _INSERT_BOOKING,
        {
            "tour_id": tour_id,
            "prescriber_id": prescriber.id,
            "organisation_id": prescriber.organisation_id,
            "seats": seats,
            "status": status,
            "bus_id": bus.id if bus is not None else None,
            "pickup_point_id": pickup_point.id if pickup_point is not None else None,
            "idempotency_key": idempotency_key,
            "created_at": now,
            "confirmed_at": confirmed_at,
            "cancelled_at": None,
        },
    ).scalar_one()
    if people:
        connection.execute(
            _INSERT_PARTICIPANTS,
            [
                {
                    "booking_id": booking_id,
                    "name": person.name,
                    "email": person.email,
                    "has_reduced_mobility": person.has_reduced_mobility,
                    "attendance": None,
                }
                for person in people
            ],
        )
    organisation = prescriber.organisation
    return NewBooking(
        id=booking_id,
        tour_id=tour_id,
        status=status,
        seats=seats,
        bus=bus,
        pickup_point=pickup_point,
        prescriber_id=prescriber.id,
        prescriber_name=prescriber.name,
        prescriber_email=prescriber.email,
        organisation_name=organisation.name if organisation is not None else None,
        participants=people,
        created_at=now,
        confirmed_at=confirmed_at,
    )
