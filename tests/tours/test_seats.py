"""The one home of seats: confirmed, waiting and free seats of one tour or many, counted in one statement."""

from __future__ import annotations

from tests.sql_statements import sql_statements
from tourplanner.accounts.enums import Role
from tourplanner.bookings.enums import BookingStatus
from tourplanner.bookings.models import Booking
from tourplanner.db import utcnow
from tourplanner.tours.models import Tour
from tourplanner.tours.seats import free_seats_by_bus, seats_of_tour, seats_of_tours


def counted_statements(db):
    """The SQL statements sent inside the block."""
    return sql_statements(db.engine)


def add_booking(db, tour, prescriber, seats: int, status: BookingStatus, bus=None) -> None:
    """A booking written directly, so that the test sets its status and bus."""
    db.session.add(Booking(tour=tour, prescriber=prescriber, seats=seats, status=status, bus=bus, created_at=utcnow()))


def test_seats_count_each_status_and_each_bus(db, make_tour, make_user) -> None:
    """Confirmed seats fill their own bus; waiting and cancelled seats hold none; free = total − confirmed."""
    tour = make_tour(published=True, bus_seats=[10, 6])
    first, second = tour.buses
    prescriber = make_user(Role.PRESCRIBER)
    add_booking(db, tour, prescriber, 4, BookingStatus.CONFIRMED, first)
    add_booking(db, tour, prescriber, 3, BookingStatus.CONFIRMED, first)
    add_booking(db, tour, prescriber, 5, BookingStatus.CONFIRMED, second)
    add_booking(db, tour, prescriber, 2, BookingStatus.WAITLISTED)
    add_booking(db, tour, prescriber, 8, BookingStatus.CANCELLED, first)
    db.session.commit()

    seats = seats_of_tour(tour)
    assert (seats.total, seats.confirmed, seats.waitlisted, seats.free) == (16, 12, 2, 4)
    assert seats.by_status[BookingStatus.CANCELLED] == 8
    assert seats.free_by_bus == {first.id: 3, second.id: 1}
    assert seats.largest_free_block == 3
    assert free_seats_by_bus(tour) == seats.free_by_bus


def test_free_seats_never_go_below_zero(db, make_tour, make_user) -> None:
    """A tour whose buses were made smaller than its confirmed seats shows 0 free, not a negative number."""
    tour = make_tour(published=True, bus_seats=[4])
    add_booking(db, tour, make_user(Role.PRESCRIBER), 6, BookingStatus.CONFIRMED, tour.buses[0])
    db.session.commit()
    seats = seats_of_tour(tour)
    assert seats.free == 0
    assert seats.free_by_bus == {tour.buses[0].id: -2}


def test_many_tours_are_counted_in_one_statement(db, make_tour, make_user) -> None:
    """The batch form answers every tour, each with its own seats, in one statement whatever their number."""
    prescriber = make_user(Role.PRESCRIBER)
    tours = [make_tour(published=True, bus_seats=[5 + n]) for n in range(4)]
    for n, tour in enumerate(tours):
        add_booking(db, tour, prescriber, n + 1, BookingStatus.CONFIRMED, tour.buses[0])
        add_booking(db, tour, prescriber, n + 2, BookingStatus.WAITLISTED)
    db.session.commit()
    for tour in tours:
        assert tour.buses  # loaded, as a list of tours loads them
    with counted_statements(db) as sent:
        seats = seats_of_tours(tours)
    assert len(sent) == 1, sent
    assert {tour_id: (s.total, s.confirmed, s.waitlisted, s.free) for tour_id, s in seats.items()} == {
        tour.id: (5 + n, n + 1, n + 2, 4) for n, tour in enumerate(tours)
    }


def test_buses_not_loaded_cost_one_statement_for_all_tours(db, make_tour, make_user) -> None:
    """Tours read without their buses get them in one more statement, never one per tour."""
    tours = [make_tour(published=True, bus_seats=[3, 4]) for _ in range(3)]
    ids = [tour.id for tour in tours]
    db.session.expunge_all()
    fresh = [db.session.get(Tour, tour_id) for tour_id in ids]
    with counted_statements(db) as sent:
        seats = seats_of_tours(fresh)
    assert len(sent) == 2, sent
    assert all(seats[tour_id].total == 7 and seats[tour_id].free == 7 for tour_id in ids)


def test_no_tour_costs_no_statement(db) -> None:
    """An empty list of tours is answered without asking the database."""
    with counted_statements(db) as sent:
        assert seats_of_tours([]) == {}
    assert sent == []
