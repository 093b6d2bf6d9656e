"""Bookings in the API: book seats on a tour, read, list and cancel bookings.

Idempotency: `POST /tours/{id}/bookings` takes an optional `Idempotency-Key` header,
scoped to the signed-in user. The same key again within 24 hours books nothing more and
answers the first booking as it stands now, with the same status code as the first answer
(201) and the header `Idempotent-Replayed: true`.
"""

from __future__ import annotations

from typing import Any

from flask import jsonify
from pydantic import BaseModel, ConfigDict, Field, field_validator
from spectree import Response

from routes.api import api, current_token_user, current_user, spec
from routes.api.schemas import NEXT_FIELD, Body, Flag, Int, PageQuery, Problem, ValidationProblem, page_json
from routes.api.tours import load_tour
from tourplanner.bookings import operations, queries
from tourplanner.bookings.enums import BookingStatus
from tourplanner.bookings.inserts import NewBooking
from tourplanner.bookings.models import Booking
from tourplanner.email_address import INVALID_EMAIL, is_email
from tourplanner.extensions import db
from tourplanner.timeutil import isoformat_local

ERRORS = {"HTTP_401": Problem, "HTTP_403": Problem, "HTTP_404": Problem, "HTTP_409": Problem}

#: Loose on purpose: a typo'd address is caught, an unusual but valid one is not refused.


class ParticipantIn(Body):
    """A person a seat is for."""

    name: str = Field(min_length=1, max_length=200)
    email: str | None = Field(default=None, max_length=254)
    #: Needs sites accessible to people with reduced mobility.
    has_reduced_mobility: Flag = False

    @field_validator("email")
    @classmethod
    def _email(cls, value: str | None) -> str | None:
        if value is not None and value.strip() and not is_email(value):
            raise ValueError(INVALID_EMAIL)
        return value


class BookingIn(Body):
    """Seats asked for on a tour, and optionally who they are for (no more people than seats)."""

    seats: Int = Field(ge=1, le=100)
    participants: list[ParticipantIn] = Field(default_factory=list, max_length=100)
    pickup_point: Int | None = Field(
        default=None,
        ge=0,
        le=19,
        description=(
            "Index of the tour's pickup point the participants board at; required when the tour has pickup points."
        ),
    )


class BookingHeaders(BaseModel):
    """Optional headers of a booking request."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True)

    #: The same key again (same user, within 24 hours) answers the first booking.
    idempotency_key: str | None = Field(
        default=None,
        alias="Idempotency-Key",
        max_length=200,
        description="Sent again by the same user within 24 hours: nothing more is booked, the first booking answers.",
    )


class ParticipantOut(BaseModel):
    """A participant in an answer."""

    name: str
    email: str | None = None
    has_reduced_mobility: bool


class PrescriberOut(BaseModel):
    """The prescriber who holds a booking."""

    id: int
    name: str
    email: str


class BookingOut(BaseModel):
    """A booking in an answer; `bus` is the index of its bus once confirmed."""

    model_config = ConfigDict(extra="allow")

    id: int
    tour_id: int
    status: BookingStatus
    seats: int
    bus: int | None = None
    bus_name: str | None = None
    waiting_position: int | None = None
    pickup_point: int | None = None
    pickup_point_name: str | None = None
    prescriber: PrescriberOut
    organisation: str | None = None
    participants: list[ParticipantOut]
    created_at: str
    confirmed_at: str | None = None
    cancelled_at: str | None = None


class CancelledBookingOut(BookingOut):
    """A cancelled booking, with the ids of the waiting bookings its seats went to."""

    promoted: list[int]


class BookingList(BaseModel):
    """A list (or a page) of bookings."""

    bookings: list[BookingOut]
    next: str | None = NEXT_FIELD


def load_booking(booking_id: int) -> Booking:
    """The booking with this id if the caller may see it, or 404."""
    return operations.get_booking(booking_id, current_user())


def booking_json(booking: Booking, positions: dict[int, int] | None = None) -> dict[str, Any]:
    """A booking as the API shows it, times in local time with offset (`positions`: waiting places a list read)."""
    return {
        "id": booking.id,
        "tour_id": booking.tour_id,
        "status": booking.status.value,
        "seats": booking.seats,
        "bus": booking.bus.position if booking.bus is not None else None,
        "bus_name": booking.bus.name if booking.bus is not None else None,
        "waiting_position": (operations.waiting_position(booking) if positions is None else positions.get(booking.id)),
        "pickup_point": booking.pickup_point.position if booking.pickup_point is not None else None,
        "pickup_point_name": booking.pickup_point.name if booking.pickup_point is not None else None,
        "prescriber": {"id": booking.prescriber.id, "name": booking.prescriber.name, "email": booking.prescriber.email},
        "organisation": booking.organisation.name if booking.organisation is not None else None,
        "participants": [
            {"name": p.name, "email": p.email, "has_reduced_mobility": p.has_reduced_mobility}
            for p in booking.participants
        ],
        "created_at": isoformat_local(booking.created_at),
        "confirmed_at": isoformat_local(booking.confirmed_at),
        "cancelled_at": isoformat_local(booking.cancelled_at),
    }


def new_booking_json(new: NewBooking, waiting_position: int | None) -> dict[str, Any]:
    """A booking just made, as `booking_json` shows it, from the values written (no ORM object)."""
    return {
        "id": new.id,
        "tour_id": new.tour_id,
        "status": new.status.value,
        "seats": new.seats,
        "bus": new.bus.position if new.bus is not None else None,
        "bus_name": new.bus.name if new.bus is not None else None,
        "waiting_position": waiting_position,
        "pickup_point": new.pickup_point.position if new.pickup_point is not None else None,
        "pickup_point_name": new.pickup_point.name if new.pickup_point is not None else None,
        "prescriber": {"id": new.prescriber_id, "name": new.prescriber_name, "email": new.prescriber_email},
        "organisation": new.organisation_name,
        "participants": [
            {"name": p.name, "email": p.email, "has_reduced_mobility": p.has_reduced_mobility} for p in new.participants
        ],
        "created_at": isoformat_local(new.created_at),
        "confirmed_at": isoformat_local(new.confirmed_at),
        "cancelled_at": None,
    }


@api.post("/tours/<int:tour_id>/bookings")
@spec.validate(resp=Response(HTTP_201=BookingOut, HTTP_422=ValidationProblem, **ERRORS), tags=["bookings"])
def book_seats(tour_id: int, json: BookingIn, headers: BookingHeaders):
    """Book seats (prescribers): confirmed if they all fit on one bus, else on the waiting list.

    An `Idempotency-Key` header used again by the same user within 24 hours books nothing
    more and answers the first booking (201, header `Idempotent-Replayed: true`).
    409 when the tour does not take bookings (draft, closed, past its deadline, cancelled, done),
    and when the prescriber's organisation — or its kind of organisation — would hold more
    confirmed and waiting seats than its quota on the tour before the quota's release date
    (« quota de l'organisation atteint jusqu'au … »; quotas only limit the organisations and
    kinds they name). On a tour with pickup points, `pickup_point` (its index) is required (422).
    """
    request = operations.BookingRequest(
        seats=json.seats,
        participants=[
            operations.ParticipantDetails(p.name, p.email, p.has_reduced_mobility) for p in json.participants
        ],
        pickup_point=json.pickup_point,
    )
    # By id: the verb reads the tour once, under its lock.
    outcome = operations.book_seats(tour_id, current_token_user(), request, headers.idempotency_key)
    if outcome.new is None:
        # A replay: read before the commit, while the session holds the booking (after it, every
        # object would be expired and read again, statement by statement).
        body = booking_json(outcome.booking)
        db.session.commit()
    else:
        # A new booking: answered from the values written, after the commit, so that SQLite's
        # one writer at a time (the lock is held until the commit) does not wait for it.
        db.session.commit()
        body = new_booking_json(outcome.new, outcome.waiting_position)
    response = jsonify(body)
    response.status_code = 201
    response.headers["Location"] = f"/api/v1/bookings/{body['id']}"
    if outcome.is_replay:
        response.headers["Idempotent-Replayed"] = "true"
    return response


@api.get("/tours/<int:tour_id>/bookings")
@spec.validate(
    query=PageQuery, resp=Response(HTTP_200=BookingList, HTTP_422=ValidationProblem, **ERRORS), tags=["bookings"]
)
def list_tour_bookings(tour_id: int, query: PageQuery):
    """A tour's bookings: confirmed, then the waiting list in its order, then cancelled.

    Organisers see them all, a prescriber their own; others 403. Paginated: `limit` bookings
    (50 by default, at most 200); `next`, when present, is the `cursor` of the following page.
    """
    page = queries.tour_bookings_page(load_tour(tour_id), current_user(), query.page())
    positions = queries.waiting_positions([tour_id])
    return jsonify(page_json("bookings", [booking_json(b, positions) for b in page.items], page.next_cursor))


@api.get("/me/bookings")
@spec.validate(resp=Response(HTTP_200=BookingList, **ERRORS), tags=["bookings"])
def my_bookings():
    """The signed-in user's own bookings, on every tour, latest tour first."""
    return jsonify({"bookings": [booking_json(b) for b in operations.prescriber_bookings(current_user())]})


@api.get("/bookings/<int:booking_id>")
@spec.validate(resp=Response(HTTP_200=BookingOut, **ERRORS), tags=["bookings"])
def get_booking(booking_id: int):
    """A booking (its prescriber or an organiser; for anyone else it does not exist: 404)."""
    return jsonify(booking_json(load_booking(booking_id)))


@api.delete("/bookings/<int:booking_id>")
@spec.validate(resp=Response(HTTP_200=CancelledBookingOut, **ERRORS), tags=["bookings"])
def cancel_booking(booking_id: int):
    """Cancel a booking (its prescriber until the deadline, organisers always).

    Its seats go at once to the earliest waiting booking whose seats all fit, then the next;
    `promoted` lists them. Cancelling twice: 409.
    """
    promoted = operations.cancel_booking(load_booking(booking_id), current_user())
    db.session.commit()
    body = booking_json(db.session.get(Booking, booking_id))
    body["promoted"] = [b.id for b in promoted]
    return jsonify(body)
