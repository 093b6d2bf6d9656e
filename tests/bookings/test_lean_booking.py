"""A booking by the API builds no ORM object: the tour and the token's user are read as plain rows,
the booking is answered from the values written, and the answer is the same as any booking's."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import event, select

from tourplanner.accounts.enums import Role
from tourplanner.accounts.models import Organisation, User
from tourplanner.bookings import operations
from tourplanner.db import Base
from tourplanner.tours.details import PickupPoint

#: Two pickup points in the Gier valley (name, lat, lon).
POINTS = [PickupPoint("Gare de Givors-Ville", 45.5905, 4.7690), PickupPoint("Mairie de Saint-Chamond", 45.4756, 4.5147)]


@pytest.fixture
def config_overrides() -> dict[str, Any]:
    """No calendar reconciliation after the request: only the booking's own work is watched."""
    return {"MAIL_DELIVERY": "off"}


@pytest.fixture
def orm_objects():
    """The names of the ORM classes whose instances were built (constructed or loaded) while the test runs."""
    built: list[str] = []

    def on_init(target, args, kwargs) -> None:
        built.append(type(target).__name__)

    def on_load(target, context) -> None:
        built.append(type(target).__name__)

    event.listen(Base, "init", on_init, propagate=True)
    event.listen(Base, "load", on_load, propagate=True)
    yield built
    event.remove(Base, "init", on_init)
    event.remove(Base, "load", on_load)


def test_a_booking_by_the_api_builds_no_orm_object(make_tour, prescriber, book, db, orm_objects) -> None:
    """Confirmed and waitlisted, with participants and a pickup point: no ORM instance is built or loaded."""
    tour_id = make_tour(published=True, bus_seats=[3], pickup_points=POINTS).id
    db.session.expunge_all()  # as a fresh request's session: nothing already loaded
    orm_objects.clear()
    participants = [{"name": "Ada", "email": "ada@example.org"}]
    confirmed = book(prescriber, tour_id, 2, participants=participants, pickup_point=1)
    waiting = book(prescriber, tour_id, 2, pickup_point=0)
    assert (confirmed.status_code, waiting.status_code) == (201, 201), (confirmed.get_json(), waiting.get_json())
    assert (confirmed.get_json()["status"], waiting.get_json()["status"]) == ("confirmed", "waitlisted")
    assert orm_objects == []


def test_a_new_booking_answers_as_it_reads_afterwards(make_tour, prescriber, booked) -> None:
    """The answer built from the values written is the one GET /bookings/{id} gives: coach, pickup point,
    prescriber, organisation, participants (trimmed, address lower-case), times."""
    tour_id = make_tour(published=True, bus_seats=[1, 3], pickup_points=POINTS).id
    answer = booked(
        prescriber,
        tour_id,
        2,
        participants=[{"name": " Ada ", "email": "Ada@Example.org", "has_reduced_mobility": True}],
        pickup_point=1,
    )
    assert (answer["bus"], answer["bus_name"], answer["pickup_point_name"]) == (1, "Car 2", "Mairie de Saint-Chamond")
    assert answer["organisation"] == "Mission locale de Lyon"
    assert answer["participants"] == [{"name": "Ada", "email": "ada@example.org", "has_reduced_mobility": True}]
    assert answer == prescriber.get(f"/bookings/{answer['id']}").get_json()


def test_a_waiting_booking_answers_its_place_as_it_reads_afterwards(make_tour, prescriber, booked) -> None:
    """A booking put on the waiting list answers its place and coach-less fields as GET shows them."""
    tour_id = make_tour(published=True, bus_seats=[2]).id
    booked(prescriber, tour_id, 2)
    first = booked(prescriber, tour_id, 1)
    second = booked(prescriber, tour_id, 2)
    assert (first["waiting_position"], second["waiting_position"]) == (1, 2)
    assert second == prescriber.get(f"/bookings/{second['id']}").get_json()


def test_the_tour_object_in_the_session_reads_its_new_mark(make_tour, make_user, db) -> None:
    """Booking on a tour already loaded: its calendar mark (revision) is read again, not kept stale."""
    tour = make_tour(published=True, bus_seats=[20])
    revision = tour.revision
    outcome = operations.book_seats(tour, make_user(Role.PRESCRIBER), operations.BookingRequest(seats=2))
    assert outcome.booking.status.value == "confirmed"
    assert tour.revision == revision + 1


def test_the_token_user_built_as_loaded_leaves_the_organisation_s_users_whole(make_user, api_as, db) -> None:
    """The `User` an API call builds from its token's row does not cut its organisation's `users` to itself."""
    first = make_user(Role.PRESCRIBER, organisation="Mission locale de Givors")
    second = make_user(Role.PRESCRIBER, organisation="Mission locale de Givors")
    api = api_as(second)
    ids = sorted([first.id, second.id])
    db.session.expunge_all()
    assert api.get("/me/bookings").status_code == 200  # a call that reads the `User`
    organisation = db.session.scalars(select(Organisation).where(Organisation.name == "Mission locale de Givors")).one()
    assert sorted(user.id for user in organisation.users) == ids
    assert db.session.get(User, ids[1]).organisation is organisation
