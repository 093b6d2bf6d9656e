"""Moving a confirmed booking to another bus of its tour."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tourplanner.audit.models import AuditEntry
from tourplanner.bookings import moves
from tourplanner.bookings.enums import BookingStatus
from tourplanner.errors import Conflict, InvalidInput, PermissionDenied
from tourplanner.extensions import db
from tourplanner.tours.operations import cancel_tour


def test_a_booking_that_fits_moves_and_is_audited(booked_tour):
    """A confirmed booking whose seats all fit on the other bus moves there; the audit trail says so."""
    booking = booked_tour.book(2)
    first, second = booked_tour.tour.buses
    assert booking.bus_id == first.id
    outcome = moves.move_booking(booking, second.id, booked_tour.organiser)
    db.session.commit()
    assert outcome.moved and outcome.booking.bus_id == second.id
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "booking.move")).one()
    assert entry.object_id == booking.id and entry.details["to_bus"] == second.name


def test_a_booking_that_does_not_fit_stays(booked_tour):
    """Moving 4 seats to a bus with 3 free is refused in French and changes nothing."""
    booking = booked_tour.book(4)
    second = booked_tour.tour.buses[1]
    with pytest.raises(Conflict, match="Car 2 n'a pas la place : 4 places demandées, 3 places libres"):
        moves.move_booking(booking, second.id, booked_tour.organiser)
    db.session.rollback()
    assert db.session.get(type(booking), booking.id).bus_id == booked_tour.tour.buses[0].id


def test_seats_held_by_others_count(booked_tour):
    """The room on the target bus is what its confirmed bookings leave free."""
    booked_tour.book(4)  # fills bus 1
    on_second = booked_tour.book(2)  # goes to bus 2, leaving 1 seat
    assert on_second.bus_id == booked_tour.tour.buses[1].id
    back = booked_tour.book(1)
    with pytest.raises(Conflict, match="Car 1 n'a pas la place"):
        moves.move_booking(back, booked_tour.tour.buses[0].id, booked_tour.organiser)


def test_only_confirmed_bookings_move(booked_tour):
    """A waiting booking has no bus to leave: moving it is a conflict."""
    booked_tour.book(4)
    booked_tour.book(3)
    waiting = booked_tour.book(1)
    assert waiting.status is BookingStatus.WAITLISTED
    with pytest.raises(Conflict, match="seule une réservation confirmée change de car"):
        moves.move_booking(waiting, booked_tour.tour.buses[1].id, booked_tour.organiser)


def test_the_same_bus_changes_nothing(booked_tour):
    """Asking for the bus the booking is on is no move and leaves no audit entry."""
    booking = booked_tour.book(1)
    outcome = moves.move_booking(booking, booking.bus_id, booked_tour.organiser)
    assert not outcome.moved
    assert db.session.scalars(select(AuditEntry).where(AuditEntry.action == "booking.move")).first() is None


def test_a_bus_of_another_tour_is_invalid(booked_tour, make_tour):
    """The bus must be one of the booking's tour."""
    booking = booked_tour.book(1)
    elsewhere = make_tour(published=True, bus_seats=[10])
    with pytest.raises(InvalidInput) as error:
        moves.move_booking(booking, elsewhere.buses[0].id, booked_tour.organiser)
    assert error.value.errors[0].field == "bus"


def test_a_move_gives_the_freed_seats_to_the_waiting_list(booked_tour):
    """Seats freed on the old bus go at once to a waiting booking that now fits there."""
    first, second = booked_tour.tour.buses
    single = booked_tour.book(1)  # bus 1: 3 left
    booked_tour.book(2)  # bus 1: 1 left
    booked_tour.book(2, prescriber=booked_tour.other_prescriber)  # bus 2: 1 left
    pair = booked_tour.book(2)  # 1 and 1 free: no bus holds both
    assert pair.status is BookingStatus.WAITLISTED
    outcome = moves.move_booking(single, second.id, booked_tour.organiser)  # bus 1 now has 2 free
    db.session.commit()
    assert [b.id for b in outcome.promoted] == [pair.id]
    assert pair.status is BookingStatus.CONFIRMED and pair.bus_id == first.id


def test_only_organisers_move_bookings(booked_tour):
    """A prescriber may not move a booking, even their own."""
    booking = booked_tour.book(1)
    with pytest.raises(PermissionDenied):
        moves.move_booking(booking, booked_tour.tour.buses[1].id, booked_tour.prescriber)


def test_a_cancelled_tour_keeps_its_bookings_in_place(booked_tour):
    """Once the tour is cancelled, its bookings no longer change bus."""
    booking = booked_tour.book(1)
    cancel_tour(booked_tour.tour, booked_tour.organiser)
    db.session.commit()
    with pytest.raises(Conflict, match="annulé"):
        moves.move_booking(booking, booked_tour.tour.buses[1].id, booked_tour.organiser)


def test_the_people_are_told_when_the_tour_is_published(booked_tour, monkeypatch):
    """A move on a published tour sends the booking's people their updated invitation."""
    booking = booked_tour.book(1)
    told = []
    monkeypatch.setattr(moves, "plan_changed", told.append)
    moves.move_booking(booking, booked_tour.tour.buses[1].id, booked_tour.organiser)
    assert [tour.id for tour in told] == [booked_tour.tour.id]  # the tour's calendars are brought up to date


def test_the_people_are_told_when_bookings_are_closed_too(booked_tour, monkeypatch):
    """After the booking deadline (tour closed), a move still updates the people's invitation."""
    from tourplanner.tours.enums import TourStatus

    booking = booked_tour.book(1)
    booked_tour.tour.status = TourStatus.CLOSED
    db.session.commit()
    told = []
    monkeypatch.setattr(moves, "plan_changed", told.append)
    assert moves.move_booking(booking, booked_tour.tour.buses[1].id, booked_tour.organiser).moved
    assert [tour.id for tour in told] == [booked_tour.tour.id]


def test_bookings_may_change_bus_only_on_an_open_tour_with_a_second_bus(booked_tour, make_tour):
    """The page offers the move where the verb accepts it: an open tour with two buses, not one bus or a done tour."""
    tour = booked_tour.tour
    assert moves.may_move_bookings(tour) is True
    assert moves.may_move_bookings(make_tour(published=True, bus_seats=[20])) is False
    cancel_tour(tour, booked_tour.organiser)
    assert moves.may_move_bookings(tour) is False
