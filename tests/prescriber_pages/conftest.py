"""Fixtures for the prescribers' pages: signing in, zones and sites, tours with an itinerary."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from tourplanner.accounts.enums import OrganisationKind, Role
from tourplanner.accounts.models import Organisation, User
from tourplanner.bookings import operations as bookings
from tourplanner.bookings.models import Booking
from tourplanner.db import utcnow
from tourplanner.extensions import db
from tourplanner.sites.models import IndustrialZone, Site, Slot
from tourplanner.tours.models import Bus, Stop, Tour, TourCandidate


@pytest.fixture
def prescriber(make_user, sign_in) -> User:
    """A signed-in prescriber of a Mission locale."""
    user = make_user(
        Role.PRESCRIBER,
        name="Camille Martin",
        organisation="Mission locale de Lyon",
        kind=OrganisationKind.MISSION_LOCALE,
    )
    sign_in(user)
    return user


@pytest.fixture
def make_zone(app) -> Callable[..., IndustrialZone]:
    """Create an industrial zone: make_zone("ZI Meyzieu", territory="Lyon Est")."""

    def make(name: str, territory: str, city: str = "Meyzieu") -> IndustrialZone:
        zone = IndustrialZone(name=name, city=city, territory=territory, lat=45.77, lon=5.0)
        db.session.add(zone)
        db.session.commit()
        return zone

    return make


@pytest.fixture
def make_company_site(make_site) -> Callable[..., Site]:
    """Create a named company's site: make_company_site("Plastiques du Rhône", zone=zone, sector=...)."""

    def make(company: str, **fields: object) -> Site:
        organisation = Organisation(name=company, kind=OrganisationKind.COMPANY)
        db.session.add(organisation)
        return make_site(organisation=organisation, **fields)

    return make


def add_candidate(tour: Tour, slot: Slot) -> None:
    """Offer `slot` to the tour's optimiser (as the organiser's itinerary page does)."""
    db.session.add(TourCandidate(tour_id=tour.id, slot_id=slot.id))
    db.session.commit()


def add_stop(tour: Tour, bus: Bus, slot: Slot, start: datetime, minutes: int = 60) -> Stop:
    """Place `slot` in `bus`'s itinerary at `start` (as an optimisation would), and mark the tour optimised."""
    position = len(bus.stops)
    stop = Stop(
        tour_id=tour.id,
        bus_id=bus.id,
        slot_id=slot.id,
        position=position,
        arrival_at=start - timedelta(minutes=10),
        start_at=start,
        end_at=start + timedelta(minutes=minutes),
        departure_at=start + timedelta(minutes=minutes),
    )
    db.session.add(stop)
    known = select(TourCandidate).where(TourCandidate.tour_id == tour.id, TourCandidate.slot_id == slot.id)
    if db.session.scalar(known) is None:
        db.session.add(TourCandidate(tour_id=tour.id, slot_id=slot.id))
    tour.optimised_at = utcnow()
    db.session.commit()
    return stop


def book(tour: Tour, user: User, seats: int, names: tuple[str, ...] = ()) -> Booking:
    """Book through the domain, as another request would, and commit."""
    request = bookings.BookingRequest(seats, [bookings.ParticipantDetails(name) for name in names])
    booking = bookings.book_seats(tour, user, request).booking
    db.session.commit()
    return booking


def close_bookings(tour: Tour) -> None:
    """Move the tour's booking deadline into the past (the tour itself stays to come)."""
    tour = db.session.get(Tour, tour.id)
    tour.booking_deadline_at = utcnow() - timedelta(hours=1)
    db.session.commit()
