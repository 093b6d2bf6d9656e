"""Fixtures for the company contacts' side: two companies, their sites, a planned visit."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from flask import Flask

from tests.conftest import future
from tourplanner.accounts.enums import Role
from tourplanner.accounts.models import Organisation, User
from tourplanner.bookings.enums import BookingStatus
from tourplanner.bookings.models import Booking
from tourplanner.extensions import db
from tourplanner.sites.geocoding import use_geocoder
from tourplanner.sites.models import Site, Slot
from tourplanner.tours.models import AmbassadorAssignment, Stop, Tour, TourCandidate

#: An address the fake geocoder knows, and where it is.
KNOWN_ADDRESS = "3 rue Ampère, 69330 Meyzieu"
KNOWN_POINT = (45.7801, 5.0112)


class KnownAddresses:
    """A geocoder that knows a few addresses; anything else is not found."""

    def __init__(self, known: dict[str, tuple[float, float]]) -> None:
        self.known = known
        self.calls: list[str] = []

    def geocode(self, address: str) -> tuple[float, float]:
        """The known coordinates of `address`, else GeocodingError."""
        from tourplanner.errors import GeocodingError

        self.calls.append(address)
        if address not in self.known:
            raise GeocodingError(f"adresse introuvable : {address}")
        return self.known[address]


@pytest.fixture
def geocoder(app: Flask) -> KnownAddresses:
    """A fake geocoder in the app, knowing KNOWN_ADDRESS."""
    fake = KnownAddresses({KNOWN_ADDRESS: KNOWN_POINT})
    use_geocoder(app, fake)
    return fake


@pytest.fixture
def contact_a(make_user) -> User:
    """A company contact of « Forges de Meyzieu »."""
    return make_user(Role.COMPANY, name="Alice Martin", organisation="Forges de Meyzieu")


@pytest.fixture
def contact_b(make_user) -> User:
    """A company contact of another company, « Plasturgie du Gier »."""
    return make_user(Role.COMPANY, name="Bruno Petit", organisation="Plasturgie du Gier")


@pytest.fixture
def site_a(make_site, contact_a: User) -> Site:
    """A site of company A."""
    return make_site(organisation=db.session.get(Organisation, contact_a.organisation_id), name="Atelier A")


@pytest.fixture
def site_b(make_site, contact_b: User) -> Site:
    """A site of company B."""
    return make_site(organisation=db.session.get(Organisation, contact_b.organisation_id), name="Usine B")


def next_weekday(weekday: int, weeks_ahead: int = 1) -> date:
    """A date of that weekday (0 = Monday) at least `weeks_ahead` weeks from today."""
    day = date.today() + timedelta(weeks=weeks_ahead)
    return day + timedelta(days=(weekday - day.weekday()) % 7)


def series_body(site_id: int, **overrides: Any) -> dict[str, Any]:
    """A complete, valid POST /api/v1/slot-series body: Tuesdays 9:00–12:00 for ten weeks."""
    first = next_weekday(1)
    body: dict[str, Any] = {
        "site_id": site_id,
        "rrule": "FREQ=WEEKLY;BYDAY=TU",
        "start_time": "09:00",
        "end_time": "12:00",
        "starts_on": first.isoformat(),
        "ends_on": (first + timedelta(weeks=9)).isoformat(),
        "visit_minutes": 90,
        "max_visitors": 20,
    }
    body.update(overrides)
    return body


@pytest.fixture
def make_visit(make_tour, make_user, make_slot) -> Callable[..., Stop]:
    """make_visit(site, seats=12, status=...): a published tour with one stop at `site` (and bookings, an
    ambassador)."""

    def make(
        site: Site,
        seats: int = 12,
        organiser: User | None = None,
        ambassador: str | None = "Chloé Ambassadrice",
        **tour_overrides: Any,
    ) -> Stop:
        organiser = organiser or make_user(Role.ORGANISER, name="Olivier Organisateur")
        tour: Tour = make_tour(published=True, organiser=organiser, **tour_overrides)
        slot: Slot = make_slot(site=site, start_at=future(30, 9, 0), end_at=future(30, 12, 0))
        bus = tour.buses[0]
        db.session.add(TourCandidate(tour_id=tour.id, slot_id=slot.id))
        stop = Stop(
            tour_id=tour.id,
            bus=bus,
            slot_id=slot.id,
            position=0,
            arrival_at=future(30, 9, 50),
            start_at=future(30, 10, 0),
            end_at=future(30, 11, 30),
            departure_at=future(30, 11, 40),
        )
        db.session.add(stop)
        if seats:
            prescriber = make_user(Role.PRESCRIBER)
            db.session.add(
                Booking(
                    tour_id=tour.id,
                    prescriber_id=prescriber.id,
                    seats=seats,
                    status=BookingStatus.CONFIRMED,
                    bus_id=bus.id,
                )
            )
        if ambassador:
            person = make_user(Role.AMBASSADOR, name=ambassador)
            db.session.add(AmbassadorAssignment(tour_id=tour.id, bus_id=bus.id, user_id=person.id))
        db.session.commit()
        return stop

    return make
