"""Creating a cohort: its weekly sessions, the checks on its rule, and the bookings' rules kept for joining it."""

from __future__ import annotations

from datetime import date, time

import pytest

from tests.cohorts.conftest import details, paris
from tourplanner.accounts.enums import Role
from tourplanner.bookings.enums import BookingStatus
from tourplanner.bookings.operations import cancel_booking
from tourplanner.cohorts import operations
from tourplanner.cohorts.enums import SessionStatus
from tourplanner.errors import Conflict, InvalidInput
from tourplanner.extensions import db
from tourplanner.tours.enums import TourKind


def test_a_cohort_is_a_tour_with_one_session_per_week(make_cohort) -> None:
    """26 Tuesdays, 4 skipped for holidays; the tour spans the first to the last session held."""
    tour = make_cohort()
    sessions = operations.series_of(tour).sessions
    assert tour.kind is TourKind.COHORT and tour.seats_total == 10
    assert len(sessions) == 26
    assert sum(s.status is SessionStatus.SKIPPED for s in sessions) == 4
    assert (tour.start_at, tour.end_at) == (paris(2027, 1, 5, 9), paris(2027, 6, 29, 12))
    assert tour.booking_deadline_at == tour.start_at


def test_a_rule_beyond_the_known_school_calendar_is_refused(app, organiser) -> None:
    """The shipped school calendar ends in summer 2028: a later last day is a 422 on last_day."""
    with pytest.raises(InvalidInput) as error:
        operations.create_cohort(details(last_day=date(2028, 12, 19)), organiser)
    assert [e.field for e in error.value.errors] == ["last_day"]


def test_a_period_all_in_holidays_and_bad_hours_are_refused(app, organiser) -> None:
    """Only the winter holidays: no session (first_day); an end before the start: end_time."""
    with pytest.raises(InvalidInput) as error:
        operations.create_cohort(details(first_day=date(2027, 2, 15), last_day=date(2027, 2, 26)), organiser)
    assert [e.field for e in error.value.errors] == ["first_day"]
    with pytest.raises(InvalidInput) as error:
        operations.create_cohort(details(start_time=time(12), end_time=time(9)), organiser)
    assert [e.field for e in error.value.errors] == ["end_time"]


def test_joining_keeps_all_or_nothing_seats_and_the_waiting_list(make_cohort, make_user, join) -> None:
    """Three places: 2 confirmed, then 2 more wait; cancelling the first promotes them."""
    tour = make_cohort(seats=3)
    first = join(tour, make_user(Role.PRESCRIBER), [("A", None), ("B", None)])
    second = join(tour, make_user(Role.PRESCRIBER), [("C", None), ("D", None)])
    assert (first.status, second.status) == (BookingStatus.CONFIRMED, BookingStatus.WAITLISTED)
    cancel_booking(first, first.prescriber)
    db.session.commit()
    assert second.status is BookingStatus.CONFIRMED


def test_the_last_session_cannot_be_cancelled_alone(make_cohort, organiser) -> None:
    """A cohort of a single session: cancelling it is a 409 (cancel the cohort instead)."""
    tour = make_cohort(first_day=date(2027, 1, 5), last_day=date(2027, 1, 5))
    [session] = operations.series_of(tour).sessions
    with pytest.raises(Conflict):
        operations.cancel_session(tour, session, None, organiser)
