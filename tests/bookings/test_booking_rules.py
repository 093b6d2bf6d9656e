"""The booking rules: all or nothing on one bus, first come first served, promotions, notices."""

from __future__ import annotations

from sqlalchemy import select

from tourplanner.accounts.enums import Role
from tourplanner.audit.models import AuditEntry
from tourplanner.bookings.models import Booking


def test_a_booking_that_fits_is_confirmed_on_a_bus(make_tour, prescriber, booked) -> None:
    """Seats that fit are confirmed at once, on the tour's first bus."""
    tour = make_tour(published=True, bus_seats=[20])
    booking = booked(prescriber, tour.id, 3)
    assert booking["status"] == "confirmed"
    assert booking["seats"] == 3 and booking["bus"] == 0 and booking["waiting_position"] is None


def test_a_booking_is_all_or_nothing(make_tour, prescriber, booked) -> None:
    """A booking larger than the seats left waits whole; no seat is taken partly."""
    tour = make_tour(published=True, bus_seats=[5])
    booked(prescriber, tour.id, 3)
    second = booked(prescriber, tour.id, 3)
    assert second["status"] == "waitlisted" and second["bus"] is None
    seats = prescriber.get(f"/tours/{tour.id}").get_json()
    assert (seats["seats_confirmed"], seats["seats_waitlisted"], seats["seats_left"]) == (3, 3, 2)


def test_a_booking_rides_one_bus(make_tour, prescriber, booked) -> None:
    """Free seats split over two buses do not make room for one booking: it waits."""
    tour = make_tour(published=True, bus_seats=[3, 3])
    assert booked(prescriber, tour.id, 2)["bus"] == 0
    assert booked(prescriber, tour.id, 2)["bus"] == 1
    third = booked(prescriber, tour.id, 2)  # 1 seat left on each bus
    assert third["status"] == "waitlisted"


def test_a_booking_goes_on_the_first_bus_with_room(make_tour, prescriber, booked) -> None:
    """Buses fill in the tour's order: a booking that does not fit the first takes the next."""
    tour = make_tour(published=True, bus_seats=[3, 5])
    assert booked(prescriber, tour.id, 4)["bus"] == 1
    assert booked(prescriber, tour.id, 2)["bus"] == 0
    assert booked(prescriber, tour.id, 1)["bus"] == 0
    assert booked(prescriber, tour.id, 1)["bus"] == 1


def test_first_come_first_served(make_tour, prescriber, api_as, booked) -> None:
    """Once the bus is full, later bookings wait, in the order they came."""
    tour = make_tour(published=True, bus_seats=[2])
    other = api_as(Role.PRESCRIBER)
    statuses = [booked(who, tour.id, 1) for who in (prescriber, other, other, prescriber)]
    assert [b["status"] for b in statuses] == ["confirmed", "confirmed", "waitlisted", "waitlisted"]
    assert [b["waiting_position"] for b in statuses[2:]] == [1, 2]


def test_a_prescriber_may_hold_several_bookings_on_one_tour(make_tour, prescriber, booked) -> None:
    """One booking per group accompanied: the same prescriber books twice, both stand."""
    tour = make_tour(published=True)
    first, second = booked(prescriber, tour.id, 2), booked(prescriber, tour.id, 4)
    assert first["id"] != second["id"]
    assert prescriber.get(f"/tours/{tour.id}").get_json()["seats_confirmed"] == 6


def test_freed_seats_go_to_the_earliest_waiting_booking_that_fits_then_the_next(
    make_tour, prescriber, organiser, booked
) -> None:
    """Cancelling skips a waiting booking too large for the freed seats, takes the next that fits, and goes on."""
    tour = make_tour(published=True, bus_seats=[6])
    a = booked(prescriber, tour.id, 2)
    booked(prescriber, tour.id, 4)
    too_big = booked(prescriber, tour.id, 3)
    fits = booked(prescriber, tour.id, 1)
    also_fits = booked(prescriber, tour.id, 1)
    left_waiting = booked(prescriber, tour.id, 1)
    assert {b["status"] for b in (too_big, fits, also_fits, left_waiting)} == {"waitlisted"}

    response = prescriber.delete(f"/bookings/{a['id']}")
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["status"] == "cancelled"
    assert response.get_json()["promoted"] == [fits["id"], also_fits["id"]]
    status = {b["id"]: b["status"] for b in organiser.get(f"/tours/{tour.id}/bookings").get_json()["bookings"]}
    assert status[too_big["id"]] == "waitlisted" and status[left_waiting["id"]] == "waitlisted"
    assert status[fits["id"]] == status[also_fits["id"]] == "confirmed"
    waiting = prescriber.get(f"/bookings/{left_waiting['id']}").get_json()
    assert waiting["waiting_position"] == 2  # behind the 3-seat booking, still first in line


def test_a_promotion_takes_the_earliest_waiting_booking_first(make_tour, prescriber, booked) -> None:
    """When freed seats fit several waiting bookings but not all, the earliest gets them."""
    tour = make_tour(published=True, bus_seats=[2])
    a = booked(prescriber, tour.id, 2)
    earliest = booked(prescriber, tour.id, 2)
    later = booked(prescriber, tour.id, 1)
    promoted = prescriber.delete(f"/bookings/{a['id']}").get_json()["promoted"]
    assert promoted == [earliest["id"]]
    assert prescriber.get(f"/bookings/{later['id']}").get_json()["status"] == "waitlisted"


def test_cancelling_a_waiting_booking_frees_no_seat(make_tour, prescriber, booked) -> None:
    """A waiting booking cancelled leaves the confirmed ones as they are and the queue moves up."""
    tour = make_tour(published=True, bus_seats=[1])
    booked(prescriber, tour.id, 1)
    first_waiting = booked(prescriber, tour.id, 1)
    second_waiting = booked(prescriber, tour.id, 1)
    response = prescriber.delete(f"/bookings/{first_waiting['id']}")
    assert response.status_code == 200 and response.get_json()["promoted"] == []
    assert prescriber.get(f"/bookings/{second_waiting['id']}").get_json()["waiting_position"] == 1
    assert prescriber.get(f"/tours/{tour.id}").get_json()["seats_confirmed"] == 1


def test_confirmations_and_cancellations_are_announced(make_tour, prescriber, booked, monkeypatch) -> None:
    """The tour is marked for a calendar update on confirmation (at once or by promotion) and on a confirmed
    booking's cancellation; a waiting booking, booked or cancelled, marks nothing."""
    from tourplanner.bookings import operations as booking_ops

    marked = []
    monkeypatch.setattr(booking_ops, "plan_changed", lambda tour: marked.append(tour.id))
    tour = make_tour(published=True, bus_seats=[1])
    booked(prescriber, tour.id, 1)
    assert marked == [tour.id]
    waiting = booked(prescriber, tour.id, 1)
    last = booked(prescriber, tour.id, 1)
    assert marked == [tour.id]
    prescriber.delete(f"/bookings/{last['id']}")  # was waiting: nothing to change in calendars
    assert marked == [tour.id]
    first_id = waiting["id"] - 1
    prescriber.delete(f"/bookings/{first_id}")
    assert marked == [tour.id, tour.id, tour.id]  # the cancellation, then the promotion


def test_bookings_and_cancellations_are_audited(make_tour, prescriber, organiser, booked, db) -> None:
    """The audit trail says who booked, who cancelled, and which booking was promoted."""
    tour = make_tour(published=True, bus_seats=[1])
    first = booked(prescriber, tour.id, 1)
    waiting = booked(prescriber, tour.id, 1)
    organiser.delete(f"/bookings/{first['id']}")
    entries = db.session.scalars(
        select(AuditEntry).where(AuditEntry.object_type == "booking").order_by(AuditEntry.id)
    ).all()
    assert [(e.action, e.object_id, e.actor_id) for e in entries] == [
        ("booking.create", first["id"], prescriber.user.id),
        ("booking.create", waiting["id"], prescriber.user.id),
        ("booking.cancel", first["id"], organiser.user.id),
        ("booking.promote", waiting["id"], organiser.user.id),
    ]


def test_participants_are_kept_with_their_needs(make_tour, prescriber, booked, db) -> None:
    """Participants, their address and reduced mobility are stored with the booking."""
    tour = make_tour(published=True)
    booking = booked(
        prescriber,
        tour.id,
        2,
        participants=[
            {"name": "Inès Martin", "email": "Ines.Martin@example.fr", "has_reduced_mobility": True},
            {"name": "Karim Benali"},
        ],
    )
    assert booking["participants"] == [
        {"name": "Inès Martin", "email": "ines.martin@example.fr", "has_reduced_mobility": True},
        {"name": "Karim Benali", "email": None, "has_reduced_mobility": False},
    ]
    assert len(db.session.get(Booking, booking["id"]).participants) == 2


def test_seats_added_by_the_organiser_go_to_those_waiting_before_a_newcomer(make_tour, prescriber, booked, db) -> None:
    """Seats added to a full tour go to the waiting list first: a newcomer does not jump the queue."""
    tour = make_tour(published=True, bus_seats=[1])
    booked(prescriber, tour.id, 1)
    waiting = booked(prescriber, tour.id, 1)
    tour.buses[0].seats = 2  # as an edit of the tour would
    db.session.commit()
    newcomer = booked(prescriber, tour.id, 1)
    assert newcomer["status"] == "waitlisted"
    assert prescriber.get(f"/bookings/{waiting['id']}").get_json()["status"] == "confirmed"
