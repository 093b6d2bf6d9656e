"""Fixtures for counting SQL statements of list reads: a statement counter and a world of n full rows."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import pytest
import time_machine
from flask import g
from sqlalchemy import select

from tests.conftest import PARIS
from tests.sql_statements import sql_statements
from tourplanner.accounts.enums import OrganisationKind, Role
from tourplanner.accounts.models import Organisation, User
from tourplanner.bookings.enums import BookingStatus
from tourplanner.bookings.models import Booking, Participant
from tourplanner.calendar.updates import send_due_updates
from tourplanner.extensions import db
from tourplanner.sites.enums import SlotStatus
from tourplanner.sites.models import IndustrialZone, Site, Slot
from tourplanner.tours import operations as tour_ops
from tourplanner.tours.details import TourDetails
from tourplanner.tours.models import AmbassadorAssignment, Stop, Tour, TourCandidate, TourPickupPoint, TourQuota

#: The frozen "now" of these tests; every tour lies in the weeks after it.
NOW = datetime(2027, 3, 1, 9, 0, tzinfo=PARIS)


@pytest.fixture(autouse=True)
def frozen_clock() -> Iterator[None]:
    """Freeze the clock at NOW (tours to come stay to come whatever today is)."""
    with time_machine.travel(NOW, tick=False):
        yield


@dataclass
class StatementCounter:
    """Counts the SQL statements sent to the database while `counting()` is open."""

    #: Every statement sent while the fixture is on (tests/sql_statements.py's listener).
    sent: list[str] = field(default_factory=list)
    #: The statements of the last block counted.
    statements: list[str] = field(default_factory=list)

    @contextmanager
    def counting(self) -> Iterator[list[str]]:
        """Count the statements of the block, from a fresh session (nothing cached from setting up)."""
        db.session.remove()
        # The tests share one app context: forget the user a previous request signed in (now detached).
        g.pop("_login_user", None)
        g.pop("calendar_touched", None)  # set by the set-up's verbs, not by the read counted
        self.statements = []
        mark = len(self.sent)
        try:
            yield self.statements
        finally:
            self.statements.extend(self.sent[mark:])


@pytest.fixture
def statements(app) -> Iterator[StatementCounter]:
    """A statement counter listening on the app's engine."""
    with sql_statements(db.engine) as sent:
        yield StatementCounter(sent)


@dataclass
class World:
    """The people and places shared by the rows of a world."""

    organiser: User
    prescriber: User
    company: User
    company_org: Organisation
    zone: IndustrialZone
    tours: list[Tour] = field(default_factory=list)
    sites: list[Site] = field(default_factory=list)
    #: Ids of `tours`, readable once the session that made them is gone.
    tour_ids: list[int] = field(default_factory=list)


def at(day: int, hour: int, minute: int = 0) -> datetime:
    """A Paris time `day` days after NOW's date."""
    base = NOW.date() + timedelta(days=day)
    return datetime(base.year, base.month, base.day, hour, minute, tzinfo=PARIS)


@pytest.fixture
def make_world(app, make_user) -> Callable[[int], World]:
    """make_world(n): n published tours, each with everything a list shows (two buses, a quota on an
    organisation, a pickup point, a host, confirmed and waiting bookings with participants, a visit at a
    site of one company with an ambassador), plus n more sites and offered slots of that company."""

    def make(n: int) -> World:
        organiser = make_user(Role.ORGANISER)
        prescriber = make_user(
            Role.PRESCRIBER, organisation="Mission locale de Vienne", kind=OrganisationKind.MISSION_LOCALE
        )
        company = make_user(Role.COMPANY, organisation="Forges de Meyzieu", kind=OrganisationKind.COMPANY)
        company_org = db.session.get(Organisation, company.organisation_id)
        zone = db.session.scalar(select(IndustrialZone).where(IndustrialZone.name == "ZI Meyzieu"))
        if zone is None:
            zone = IndustrialZone(name="ZI Meyzieu", city="Meyzieu", territory="Lyon Est", lat=45.77, lon=5.0)
            db.session.add(zone)
        world = World(organiser, prescriber, company, company_org, zone)
        for i in range(n):
            world.tours.append(_full_tour(world, i))
        db.session.commit()
        world.tour_ids = [tour.id for tour in world.tours]
        send_due_updates()  # the invitations of the set-up, so that the reads counted send none
        return world

    def _full_tour(world: World, i: int) -> Tour:
        """One published tour with a bit of everything, on day 10 + i."""
        day = 10 + i
        details = TourDetails(
            title=f"ZI Tour {i}",
            start=at(day, 8, 30),
            end=at(day, 17),
            meeting_point_name="Gare de Meyzieu",
            meeting_lat=45.77,
            meeting_lon=5.0,
            bus_seats=[3, 20],
            booking_deadline=at(day - 3, 18),
        )
        tour = tour_ops.create_tour(details, world.organiser)
        tour_ops.publish_tour(tour, world.organiser)
        tour.host_organisation_id = world.prescriber.organisation_id
        db.session.add(TourQuota(tour=tour, organisation_id=world.prescriber.organisation_id, seats=30))
        point = TourPickupPoint(tour=tour, position=0, name="Parking relais", lat=45.76, lon=4.99)
        db.session.add(point)
        site = Site(
            organisation=world.company_org,
            zone=world.zone,
            name=f"Atelier {i}",
            address="3 rue Ampère, 69330 Meyzieu",
            lat=45.78,
            lon=5.01,
            sector="Métallurgie",
            trades="Soudeur (H2913)\nChaudronnier (H2902)",
        )
        db.session.add(site)
        world.sites.append(site)
        visited = Slot(
            site=site,
            start_at=at(day, 9),
            end_at=at(day, 12),
            visit_minutes=60,
            max_visitors=25,
            status=SlotStatus.ACCEPTED,
        )
        offered = Slot(site=site, start_at=at(day, 14), end_at=at(day, 16), visit_minutes=60, max_visitors=25)
        db.session.add_all([visited, offered])
        db.session.flush()
        bus = tour.buses[0]
        db.session.add(TourCandidate(tour_id=tour.id, slot_id=visited.id))
        db.session.add(
            Stop(
                tour_id=tour.id,
                bus=bus,
                slot_id=visited.id,
                position=0,
                arrival_at=at(day, 9, 50),
                start_at=at(day, 10),
                end_at=at(day, 11),
                departure_at=at(day, 11, 10),
            )
        )
        ambassador = User(email=f"ambassadeur{tour.id}@example.fr", name=f"Ambassadeur {i}", role=Role.AMBASSADOR)
        db.session.add(ambassador)
        db.session.flush()
        db.session.add(AmbassadorAssignment(tour_id=tour.id, bus_id=bus.id, user_id=ambassador.id))
        for status, seats, on_bus in ((BookingStatus.CONFIRMED, 3, bus), (BookingStatus.WAITLISTED, 2, None)):
            booking = Booking(
                tour=tour,
                prescriber_id=world.prescriber.id,
                seats=seats,
                status=status,
                bus=on_bus,
                organisation_id=world.prescriber.organisation_id,
                pickup_point=point,
            )
            booking.participants = [Participant(name=f"Personne {i}-{k}", email=None) for k in range(seats)]
            db.session.add(booking)
        return tour

    return make


def add_bookings(tour_id: int, prescriber: User, n: int) -> None:
    """n more bookings on tour `tour_id`, confirmed and waiting by turns, each with a participant."""
    tour, prescriber = db.session.get(Tour, tour_id), db.session.merge(prescriber)
    for k in range(n):
        confirmed = k % 2 == 0
        booking = Booking(
            tour_id=tour.id,
            prescriber_id=prescriber.id,
            seats=1,
            status=BookingStatus.CONFIRMED if confirmed else BookingStatus.WAITLISTED,
            bus_id=tour.buses[1].id if confirmed else None,
            organisation_id=prescriber.organisation_id,
        )
        booking.participants = [Participant(name=f"Personne {k}")]
        db.session.add(booking)
    db.session.commit()
