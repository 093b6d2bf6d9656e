"""A small hand-made history whose bilan is known, built row by row."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tourplanner.accounts.enums import OrganisationKind, Role
from tourplanner.accounts.models import Organisation, User
from tourplanner.bookings.enums import Attendance, BookingStatus
from tourplanner.bookings.models import Booking, Participant
from tourplanner.company_visits.enums import Interest
from tourplanner.company_visits.models import ParticipantInterest
from tourplanner.extensions import db
from tourplanner.impact.enums import Contract, Moment, OutcomeKind, Respondent
from tourplanner.impact.models import Outcome, PerceptionAnswer
from tourplanner.sites.enums import VisitResponse
from tourplanner.sites.models import IndustrialZone, Site, Slot
from tourplanner.tours.enums import TourKind, TourStatus
from tourplanner.tours.models import Bus, Stop, Tour

PARIS = ZoneInfo("Europe/Paris")


def paris(year: int, month: int, day: int, hour: int = 9, minute: int = 0) -> datetime:
    """A local time in Paris."""
    return datetime(year, month, day, hour, minute, tzinfo=PARIS)


@dataclass
class History:
    """Builds tours, visits, bookings, attendance, outcomes and answers directly in the database."""

    organiser: User
    users: dict[str, User] = field(default_factory=dict)
    companies: dict[str, Organisation] = field(default_factory=dict)
    zones: dict[str, IndustrialZone] = field(default_factory=dict)
    tours: dict[str, Tour] = field(default_factory=dict)
    people: dict[str, Participant] = field(default_factory=dict)

    def zone(self, territory: str) -> IndustrialZone:
        """The industrial zone of a territory (created once)."""
        if territory not in self.zones:
            self.zones[territory] = IndustrialZone(
                name=f"ZI {territory}", city=territory, territory=territory, lat=45.7, lon=4.9
            )
            db.session.add(self.zones[territory])
        return self.zones[territory]

    def company(self, name: str, territory: str, contact: str | None = None) -> Organisation:
        """A company with a site in the territory, and optionally a contact user."""
        organisation = Organisation(name=name, kind=OrganisationKind.COMPANY)
        site = Site(
            organisation=organisation,
            zone=self.zone(territory),
            name=f"Usine {name}",
            address="1 rue X",
            lat=45.7,
            lon=4.9,
        )
        db.session.add_all([organisation, site])
        if contact:
            self.users[contact] = User(
                email=f"{contact.lower()}@example.fr", name=contact, role=Role.COMPANY, organisation=organisation
            )
            db.session.add(self.users[contact])
        self.companies[name] = organisation
        return organisation

    def prescriber(self, name: str, organisation: str, kind: OrganisationKind) -> User:
        """A prescriber of an organisation (created once)."""
        org = db.session.query(Organisation).filter_by(name=organisation).one_or_none()
        if org is None:
            org = Organisation(name=organisation, kind=kind)
            db.session.add(org)
        self.users[name] = User(email=f"{name.lower()}@example.fr", name=name, role=Role.PRESCRIBER, organisation=org)
        db.session.add(self.users[name])
        return self.users[name]

    def tour(
        self,
        name: str,
        start: datetime,
        status: TourStatus = TourStatus.DONE,
        kind: TourKind = TourKind.ZI_TOUR,
        seats: int = 20,
        visits: list[tuple[str, VisitResponse]] | None = None,
    ) -> Tour:
        """A tour with one bus and stops at the companies named."""
        tour = Tour(
            title=name,
            kind=kind,
            status=status,
            start_at=start,
            end_at=start + timedelta(hours=7),
            meeting_point_name="Gare",
            meeting_lat=45.7,
            meeting_lon=4.9,
            booking_deadline_at=start - timedelta(days=3),
            created_by=self.organiser,
            organisation_id=self.organiser.organisation_id,
        )
        bus = Bus(tour=tour, position=0, seats=seats)
        db.session.add_all([tour, bus])
        db.session.flush()
        for position, (company, response) in enumerate(visits or []):
            site = self.companies[company].sites[0]
            slot = Slot(site=site, start_at=start, end_at=start + timedelta(hours=3), visit_minutes=60, max_visitors=25)
            db.session.add(slot)
            db.session.add(
                Stop(
                    tour_id=tour.id,
                    bus=bus,
                    slot=slot,
                    position=position,
                    arrival_at=start,
                    start_at=start,
                    end_at=start + timedelta(hours=1),
                    departure_at=start + timedelta(hours=1),
                    company_response=response,
                )
            )
        self.tours[name] = tour
        return tour

    def book(
        self,
        tour: str,
        prescriber: str,
        seats: int,
        people: dict[str, Attendance | None] | None = None,
        status: BookingStatus = BookingStatus.CONFIRMED,
    ) -> Booking:
        """A booking of `seats`, with named participants and their attendance."""
        user = self.users[prescriber]
        booking = Booking(
            tour=self.tours[tour], prescriber=user, organisation=user.organisation, seats=seats, status=status
        )
        db.session.add(booking)
        for name, attendance in (people or {}).items():
            participant = Participant(
                booking=booking, name=name, email=f"{name.lower()}@example.fr", attendance=attendance
            )
            booking.participants.append(participant)
            self.people[name] = participant
        return booking

    def outcome(self, person: str, kind: OutcomeKind, on: date, contract: Contract | None = None) -> None:
        """An outcome recorded for a participant."""
        db.session.add(Outcome(participant=self.people[person], kind=kind, occurred_on=on, contract=contract))

    def interest(self, person: str, interest: Interest) -> None:
        """The interest a participant voiced at the debriefing, recorded by the organiser."""
        db.session.add(
            ParticipantInterest(participant=self.people[person], interest=interest, recorded_by=self.organiser)
        )

    def answer(self, tour: str, who: str, before: int | None, after: int | None) -> None:
        """Perception answers before and/or after a tour."""
        user = self.users[who]
        respondent = Respondent.COMPANY if user.role is Role.COMPANY else Respondent.PRESCRIBER
        for moment, score in ((Moment.BEFORE, before), (Moment.AFTER, after)):
            if score is not None:
                db.session.add(
                    PerceptionAnswer(
                        tour=self.tours[tour], user=user, respondent=respondent, moment=moment, score=score
                    )
                )


@pytest.fixture
def history(make_user) -> History:
    """An empty history, with its organiser."""
    return History(make_user(Role.ORGANISER, name="Nadia Benali"))


@pytest.fixture
def seeded(history: History) -> History:
    """The reference history of tests/impact (its figures are worked out in test_bilan.py)."""
    h = history
    h.company("C1", "Lyon Est", contact="Ulysse")
    h.company("C2", "Lyon Est")
    h.company("C3", "Vallée du Gier")
    h.company("C4", "Lyon Est")  # declined its only visit
    h.company("C5", "Lyon Est")  # visited by the cancelled tour only
    h.prescriber("P1", "Mission locale Lyon", OrganisationKind.MISSION_LOCALE)
    h.prescriber("P2", "Mission locale Lyon", OrganisationKind.MISSION_LOCALE)
    h.prescriber("P3", "France Travail Givors", OrganisationKind.FRANCE_TRAVAIL)
    h.prescriber("P4", "France Travail Givors", OrganisationKind.FRANCE_TRAVAIL)
    ok, declined = VisitResponse.PENDING, VisitResponse.DECLINED
    # Before the period (31 December, late evening in Paris: already 1 January in no zone that matters).
    h.tour("T0", paris(2026, 12, 31, 22), visits=[("C2", ok)])
    h.tour("T1", paris(2027, 2, 10), visits=[("C1", ok), ("C2", ok)], seats=10)
    h.tour(
        "T2",
        paris(2027, 3, 15),
        status=TourStatus.PUBLISHED,
        kind=TourKind.COMPANY_VISIT,
        visits=[("C1", ok), ("C4", declined)],
        seats=8,
    )
    h.tour("T3", paris(2027, 4, 1), status=TourStatus.CANCELLED, visits=[("C5", ok)])
    h.tour("T4", paris(2027, 6, 30, 18), visits=[("C3", ok)])  # last evening of the period
    h.tour("T5", paris(2027, 7, 1, 0, 30), visits=[("C3", ok)])  # just after it
    P, A = Attendance.PRESENT, Attendance.ABSENT
    h.book("T0", "P4", 3, {"Zoé": P})
    h.book("T1", "P1", 3, {"Alice": P, "Bruno": P, "Chloé": A})
    h.book("T1", "P2", 2, {"David": A, "Emma": A})  # P2 had no one present
    h.book("T2", "P3", 4, {"Farid": None})  # attendance not taken: 4 confirmed seats
    h.book("T2", "P1", 2, status=BookingStatus.WAITLISTED)
    h.book("T2", "P4", 1, status=BookingStatus.CANCELLED)
    h.book("T3", "P4", 5, {"Gilles": P})
    h.book("T4", "P4", 1, {"Hugo": P})
    h.book("T5", "P4", 3, {"Inès": None})
    R, T, IN = OutcomeKind.RECRUITMENT, OutcomeKind.TRAINING, OutcomeKind.INTERNSHIP
    h.outcome("Alice", R, date(2027, 3, 1), Contract.CDD)
    h.outcome("Alice", R, date(2027, 6, 1), Contract.CDI)  # same person, same kind: once
    h.outcome("Alice", T, date(2027, 4, 1))
    h.outcome("Bruno", R, date(2027, 5, 1), Contract.INTERIM)
    h.outcome("Chloé", R, date(2027, 5, 1))  # absent: not a participant
    h.outcome("Farid", IN, date(2027, 4, 10))
    h.outcome("Gilles", R, date(2027, 5, 1))  # cancelled tour
    h.outcome("Inès", R, date(2027, 8, 1))  # outside the period
    h.outcome("Zoé", T, date(2027, 2, 1))  # outside the period
    h.answer("T1", "P1", 2, 4)  # rose
    h.answer("T2", "P3", 3, 3)  # same
    h.answer("T1", "P2", 3, None)  # before only
    h.answer("T4", "P4", 4, 2)  # fell
    h.answer("T3", "P4", 1, 5)  # cancelled tour
    h.answer("T1", "Ulysse", 2, 3)  # rose
    h.answer("T2", "Ulysse", 3, 3)  # the same person again: counted once
    db.session.commit()
    return h


@pytest.fixture
def interested(seeded: History) -> History:
    """The reference history with interest recorded at debriefings (worked out in test_bilan_interest.py)."""
    h = seeded
    h.interest("Alice", Interest.YES)  # T1, present
    h.interest("Bruno", Interest.MAYBE)  # T1, present
    h.interest("Chloé", Interest.YES)  # T1, absent: not a participant
    h.interest("Farid", Interest.NO)  # T2, attendance not taken: counted
    h.interest("Gilles", Interest.YES)  # T3, cancelled
    h.interest("Zoé", Interest.NO)  # T0, before the period
    db.session.commit()
    return h
