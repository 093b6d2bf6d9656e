"""Fixtures for the organiser's bookings and attendance: a two-bus tour with bookings, signing in."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest

from tourplanner.accounts.enums import OrganisationKind, Role
from tourplanner.accounts.models import User
from tourplanner.bookings import operations as bookings
from tourplanner.bookings.models import Booking
from tourplanner.db import utcnow
from tourplanner.extensions import db
from tourplanner.tours.assignments import assign_ambassador
from tourplanner.tours.models import Tour


@dataclass
class BookedTour:
    """A published tour of two buses (4 and 3 seats), its organiser, prescribers and ambassador."""

    tour: Tour
    organiser: User
    prescriber: User
    other_prescriber: User
    ambassador: User

    def book(
        self, seats: int, names: list[str] | None = None, prescriber: User | None = None, reduced_mobility: bool = False
    ) -> Booking:
        """Book `seats` through the domain, naming `names` (committed)."""
        participants = [
            bookings.ParticipantDetails(name, f"{name.split()[0].lower()}@example.fr", reduced_mobility)
            for name in names or []
        ]
        outcome = bookings.book_seats(
            self.tour, prescriber or self.prescriber, bookings.BookingRequest(seats, participants)
        )
        db.session.commit()
        return outcome.booking

    def move_to_today(self) -> None:
        """The tour's day has come: it started an hour ago (its deadline passed before)."""
        now = utcnow()
        self.tour.booking_deadline_at = now - timedelta(hours=3)
        self.tour.start_at = now - timedelta(minutes=30)
        self.tour.end_at = now + timedelta(hours=6)
        self.tour.lunch_earliest_at = self.tour.lunch_latest_at = self.tour.lunch_minutes = None
        db.session.commit()

    def move_to_past(self, days: int = 3) -> None:
        """The tour took place `days` ago."""
        now = utcnow()
        self.tour.booking_deadline_at = now - timedelta(days=days + 2)
        self.tour.start_at = now - timedelta(days=days, hours=2)
        self.tour.end_at = now - timedelta(days=days)
        self.tour.lunch_earliest_at = self.tour.lunch_latest_at = self.tour.lunch_minutes = None
        db.session.commit()


@pytest.fixture
def booked_tour(make_user, make_tour) -> BookedTour:
    """A published tour with buses of 4 and 3 seats; an ambassador rides the first bus."""
    organiser = make_user(Role.ORGANISER, name="Nadia Benali")
    prescriber = make_user(
        Role.PRESCRIBER,
        name="Julie Martin",
        organisation="Mission locale de Lyon",
        kind=OrganisationKind.MISSION_LOCALE,
    )
    other = make_user(
        Role.PRESCRIBER,
        name="Karim Haddad",
        organisation="France Travail Vénissieux",
        kind=OrganisationKind.FRANCE_TRAVAIL,
    )
    ambassador = make_user(Role.AMBASSADOR, name="Paul Girard")
    tour = make_tour(published=True, organiser=organiser, bus_seats=[4, 3], title="ZI Tour Meyzieu")
    assign_ambassador(tour, ambassador.email, 0, organiser)
    db.session.commit()
    return BookedTour(tour, organiser, prescriber, other, ambassador)
