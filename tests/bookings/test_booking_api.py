"""Bookings through the API: idempotency, tour states, deadline, bad input, permissions."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from tourplanner.accounts.enums import Role
from tourplanner.bookings.models import Booking
from tourplanner.db import utcnow
from tourplanner.tours import operations as tour_ops
from tourplanner.tours.enums import TourStatus


def count_bookings(db) -> int:
    """Rows in the bookings table."""
    return db.session.scalar(select(func.count()).select_from(Booking))


# --- idempotency -----------------------------------------------------------------------


def test_the_same_idempotency_key_books_nothing_more(make_tour, prescriber, book, db) -> None:
    """A retried request with the same key answers the first booking and books no seat more."""
    tour = make_tour(published=True)
    key = {"Idempotency-Key": "f2b1c7e0-retry"}
    first = book(prescriber, tour.id, 3, headers=key)
    again = book(prescriber, tour.id, 3, headers=key)
    assert first.status_code == again.status_code == 201
    assert again.get_json() == first.get_json()
    assert again.headers["Idempotent-Replayed"] == "true" and "Idempotent-Replayed" not in first.headers
    assert count_bookings(db) == 1
    assert prescriber.get(f"/tours/{tour.id}").get_json()["seats_confirmed"] == 3


def test_an_idempotency_key_belongs_to_its_user(make_tour, prescriber, api_as, book, db) -> None:
    """Another prescriber sending the same key makes their own booking."""
    tour = make_tour(published=True)
    key = {"Idempotency-Key": "same-key"}
    first = book(prescriber, tour.id, 1, headers=key).get_json()
    other = book(api_as(Role.PRESCRIBER), tour.id, 1, headers=key).get_json()
    assert first["id"] != other["id"] and count_bookings(db) == 2


def test_an_idempotency_key_older_than_a_day_books_again(make_tour, prescriber, book, db) -> None:
    """After 24 hours the key stands for a new booking."""
    tour = make_tour(published=True)
    key = {"Idempotency-Key": "yesterday"}
    first = book(prescriber, tour.id, 1, headers=key).get_json()
    db.session.get(Booking, first["id"]).created_at = utcnow() - timedelta(hours=24, minutes=1)
    db.session.commit()
    second = book(prescriber, tour.id, 1, headers=key)
    assert second.status_code == 201 and second.get_json()["id"] != first["id"]
    assert "Idempotent-Replayed" not in second.headers and count_bookings(db) == 2


def test_a_key_replay_answers_even_once_the_tour_is_full(make_tour, prescriber, book, db) -> None:
    """A replay answers the first booking as it stands, whatever happened since."""
    tour = make_tour(published=True, bus_seats=[2])
    key = {"Idempotency-Key": "k1"}
    first = book(prescriber, tour.id, 2, headers=key).get_json()
    book(prescriber, tour.id, 2)
    again = book(prescriber, tour.id, 2, headers=key)
    assert again.status_code == 201 and again.get_json()["id"] == first["id"]
    assert again.get_json()["status"] == "confirmed" and count_bookings(db) == 2


def test_an_overlong_idempotency_key_is_refused(make_tour, prescriber, book) -> None:
    """A key longer than 200 characters is a 422 naming the header."""
    tour = make_tour(published=True)
    response = book(prescriber, tour.id, 1, headers={"Idempotency-Key": "k" * 201})
    assert response.status_code == 422
    assert [e["field"] for e in response.get_json()["errors"]] == ["Idempotency-Key"]


# --- tour states and deadline -----------------------------------------------------------


def past_deadline(tour, db) -> None:
    """Move the tour's booking deadline an hour into the past."""
    tour.booking_deadline_at = utcnow() - timedelta(hours=1)
    db.session.commit()


@pytest.mark.parametrize("state", ["draft", "closed", "cancelled", "done", "past_deadline"])
def test_a_tour_that_does_not_take_bookings_answers_409(state, make_tour, prescriber, book, db) -> None:
    """Draft, closed, cancelled, done or past its deadline: 409 and nothing booked."""
    tour = make_tour(published=state != "draft")
    if state == "closed":
        tour.status = TourStatus.CLOSED
    elif state == "done":
        tour.status = TourStatus.DONE
    elif state == "cancelled":
        tour_ops.cancel_tour(tour, None)
    elif state == "past_deadline":
        tour.booking_deadline_at = utcnow() - timedelta(hours=1)
    db.session.commit()
    response = book(prescriber, tour.id, 1)
    assert response.status_code == 409, response.get_json()
    assert response.mimetype == "application/problem+json" and response.get_json()["detail"]
    assert count_bookings(db) == 0


def test_after_the_deadline_a_prescriber_can_no_longer_cancel(make_tour, prescriber, booked, db) -> None:
    """Past the booking deadline a prescriber's cancellation is refused with 409."""
    tour = make_tour(published=True)
    booking = booked(prescriber, tour.id, 1)
    past_deadline(tour, db)
    response = prescriber.delete(f"/bookings/{booking['id']}")
    assert response.status_code == 409
    assert prescriber.get(f"/bookings/{booking['id']}").get_json()["status"] == "confirmed"


def test_after_the_deadline_an_organiser_still_cancels_and_promotes(
    make_tour, prescriber, organiser, booked, db
) -> None:
    """Organisers change bookings after the deadline; freed seats still go to the waiting list."""
    tour = make_tour(published=True, bus_seats=[1])
    booking = booked(prescriber, tour.id, 1)
    waiting = booked(prescriber, tour.id, 1)
    past_deadline(tour, db)
    response = organiser.delete(f"/bookings/{booking['id']}")
    assert response.status_code == 200 and response.get_json()["promoted"] == [waiting["id"]]


def test_cancelling_twice_answers_409(make_tour, prescriber, booked) -> None:
    """A cancelled booking cannot be cancelled again."""
    tour = make_tour(published=True)
    booking = booked(prescriber, tour.id, 1)
    assert prescriber.delete(f"/bookings/{booking['id']}").status_code == 200
    again = prescriber.delete(f"/bookings/{booking['id']}")
    assert again.status_code == 409 and again.get_json()["status"] == 409


# --- bad input ---------------------------------------------------------------------------


@pytest.mark.parametrize("seats", [0, -2, "deux", None])
def test_seats_must_be_a_positive_whole_number(seats, make_tour, prescriber, book, db) -> None:
    """No, negative or non-numeric seats: 422 naming `seats`."""
    tour = make_tour(published=True)
    response = book(prescriber, tour.id, seats)
    assert response.status_code == 422
    assert [e["field"] for e in response.get_json()["errors"]] == ["seats"]
    assert count_bookings(db) == 0


def test_seats_above_the_tour_maximum_per_booking_are_refused(make_tour, prescriber, book) -> None:
    """More seats than the tour allows per booking: 422 naming `seats`, in French."""
    tour = make_tour(published=True, bus_seats=[20], max_seats_per_booking=4)
    response = book(prescriber, tour.id, 5)
    assert response.status_code == 422
    errors = response.get_json()["errors"]
    assert [e["field"] for e in errors] == ["seats"] and "4 places" in errors[0]["message"]


def test_seats_above_the_largest_bus_are_refused(make_tour, prescriber, book) -> None:
    """A booking that could never fit on one bus is a 422, not a booking waiting forever."""
    tour = make_tour(published=True, bus_seats=[8, 10])
    response = book(prescriber, tour.id, 11)
    assert response.status_code == 422
    assert [e["field"] for e in response.get_json()["errors"]] == ["seats"]
    assert book(prescriber, tour.id, 10).status_code == 201


def test_more_participants_than_seats_are_refused(make_tour, prescriber, book) -> None:
    """Participants beyond the seats booked: 422 naming `participants`."""
    tour = make_tour(published=True)
    response = book(prescriber, tour.id, 1, participants=[{"name": "A"}, {"name": "B"}])
    assert response.status_code == 422
    assert [e["field"] for e in response.get_json()["errors"]] == ["participants"]


def test_every_faulty_participant_field_is_named(make_tour, prescriber, book) -> None:
    """A participant without a name and one with a bad address: both fields named."""
    tour = make_tour(published=True)
    response = book(
        prescriber, tour.id, 2, participants=[{"email": "a@example.fr"}, {"name": "B", "email": "pas-une-adresse"}]
    )
    assert response.status_code == 422
    errors = {e["field"]: e["message"] for e in response.get_json()["errors"]}
    assert set(errors) == {"participants.0.name", "participants.1.email"}
    assert errors["participants.1.email"] == "adresse e-mail invalide"


def test_a_body_that_is_not_json_is_a_400(make_tour, prescriber) -> None:
    """An unreadable body is a 400 problem, never a 500."""
    tour = make_tour(published=True)
    response = prescriber.client.post(
        f"/api/v1/tours/{tour.id}/bookings",
        data="seats=2",
        content_type="text/plain",
        headers={"Authorization": f"Bearer {prescriber.token}"},
    )
    assert response.status_code == 400


# --- permissions ---------------------------------------------------------------------------


def test_booking_needs_a_token(make_tour, client) -> None:
    """No token: 401."""
    tour = make_tour(published=True)
    assert client.post(f"/api/v1/tours/{tour.id}/bookings", json={"seats": 1}).status_code == 401


@pytest.mark.parametrize("role", [Role.ORGANISER, Role.COMPANY, Role.AMBASSADOR])
def test_only_prescribers_book(role, make_tour, api_as, book, db) -> None:
    """Organisers, company contacts and ambassadors may not book: 403."""
    tour = make_tour(published=True)
    assert book(api_as(role), tour.id, 1).status_code == 403
    assert count_bookings(db) == 0


def test_booking_an_unknown_tour_is_a_404(prescriber, book) -> None:
    """An unknown tour id: 404."""
    assert book(prescriber, 999_999, 1).status_code == 404


def test_a_booking_is_seen_by_its_prescriber_and_organisers_only(
    make_tour, prescriber, organiser, api_as, booked
) -> None:
    """Its prescriber and organisers read a booking; another prescriber gets 404, as for an unknown id."""
    tour = make_tour(published=True)
    booking = booked(prescriber, tour.id, 2)
    assert prescriber.get(f"/bookings/{booking['id']}").get_json()["id"] == booking["id"]
    assert organiser.get(f"/bookings/{booking['id']}").status_code == 200
    assert api_as(Role.PRESCRIBER).get(f"/bookings/{booking['id']}").status_code == 404
    assert api_as(Role.COMPANY).get(f"/bookings/{booking['id']}").status_code == 404
    assert prescriber.get("/bookings/999999").status_code == 404


def test_another_prescriber_cannot_cancel_a_booking(make_tour, prescriber, api_as, booked) -> None:
    """Cancelling someone else's booking: 404, and the booking stands."""
    tour = make_tour(published=True)
    booking = booked(prescriber, tour.id, 2)
    assert api_as(Role.PRESCRIBER).delete(f"/bookings/{booking['id']}").status_code == 404
    assert prescriber.get(f"/bookings/{booking['id']}").get_json()["status"] == "confirmed"


def test_organisers_list_a_tours_bookings_in_waiting_list_order(
    make_tour, prescriber, organiser, api_as, booked
) -> None:
    """Organisers see every booking, confirmed then waiting in order; a prescriber their own; others 403."""
    tour = make_tour(published=True, bus_seats=[2])
    other = api_as(Role.PRESCRIBER)
    ids = [booked(who, tour.id, 1)["id"] for who in (prescriber, other, other, prescriber)]
    listed = organiser.get(f"/tours/{tour.id}/bookings").get_json()["bookings"]
    assert [(b["id"], b["status"], b["waiting_position"]) for b in listed] == [
        (ids[0], "confirmed", None),
        (ids[1], "confirmed", None),
        (ids[2], "waitlisted", 1),
        (ids[3], "waitlisted", 2),
    ]
    assert [b["id"] for b in prescriber.get(f"/tours/{tour.id}/bookings").get_json()["bookings"]] == [ids[0], ids[3]]
    assert api_as(Role.COMPANY).get(f"/tours/{tour.id}/bookings").status_code == 403


def test_a_prescriber_lists_their_own_bookings(make_tour, prescriber, api_as, booked) -> None:
    """GET /me/bookings answers the caller's bookings on every tour, no one else's."""
    first, second = make_tour(published=True), make_tour(published=True)
    mine = {booked(prescriber, first.id, 1)["id"], booked(prescriber, second.id, 2)["id"]}
    booked(api_as(Role.PRESCRIBER), first.id, 1)
    listed = prescriber.get("/me/bookings").get_json()["bookings"]
    assert {b["id"] for b in listed} == mine


def test_the_openapi_document_describes_bookings(client) -> None:
    """The booking routes are in the generated OpenAPI document."""
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert {"post", "get"} <= set(paths["/api/v1/tours/{tour_id}/bookings"])
    assert {"get", "delete"} <= set(paths["/api/v1/bookings/{booking_id}"])
    assert "get" in paths["/api/v1/me/bookings"]
