"""Two years of past activity for the demo, so that the bilan shows a realistic picture on first start.

Two tours a month over the 24 months before the demo's anchor day (the local day its first
organiser was created, as in tourplanner.demo), alternating Lyon Est and the Vallée du Gier:
visits at the demo companies, bookings by the demo prescribers with attendance taken,
outcomes recorded months later, perception answers before and after, and the host
companies' assessments. A few tours were cancelled; one month's attendance was never taken.

Loading again adds nothing: a tour is looked up by its title and skipped when it exists.
Every choice comes from a random generator seeded by the tour's number, and every date
from the anchor, so the same database always gets the same history whatever the day.
People are fictional and carry no e-mail address.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta

from sqlalchemy import select

from tourplanner.accounts.enums import Role
from tourplanner.accounts.models import Organisation, User
from tourplanner.bookings.enums import Attendance, BookingStatus
from tourplanner.bookings.models import Booking, Participant
from tourplanner.demo_data import COMPANIES, PEOPLE, ZONES
from tourplanner.extensions import db
from tourplanner.formatting import MONTHS as MONTHS_FR
from tourplanner.impact.enums import Contract, Moment, OutcomeKind, Respondent
from tourplanner.impact.models import CompanyAssessment, Outcome, PerceptionAnswer
from tourplanner.sites.enums import SlotStatus, VisitResponse
from tourplanner.sites.models import Site, Slot
from tourplanner.timeutil import local_zone, to_local
from tourplanner.tours.enums import TourKind, TourStatus
from tourplanner.tours.models import Bus, Stop, Tour

#: Months of history before the anchor day.
MONTHS = 24
#: The title of each past tour; {n} numbers them from the oldest.
TITLE = "{programme} {territory} – bilan n°{n:02d} ({month})"
FIRST_NAMES = (
    "Amandine",
    "Bilal",
    "Chloé",
    "Dylan",
    "Eva",
    "Fabien",
    "Grâce",
    "Hamza",
    "Inès",
    "Jordan",
    "Kenza",
    "Loïc",
    "Maëlle",
    "Nabil",
    "Océane",
    "Pierre",
    "Rania",
    "Sofiane",
    "Tiphaine",
    "Yanis",
    "Zoé",
    "Mathis",
)


def _territory_of_zone() -> dict[str, str]:
    return {zone.name: zone.territory for zone in ZONES}


def _working_day(day: date) -> date:
    """The demo's own working-day rule (tourplanner.demo's, imported lazily to avoid a cycle)."""
    from tourplanner.demo import next_working_day

    return next_working_day(day)


def _anchor() -> date | None:
    """The demo's anchor day: the local day its first organiser was created; None before the demo is loaded."""
    marker = db.session.scalar(select(User).where(User.email == PEOPLE[0].email))
    return to_local(marker.created_at).date() if marker is not None else None


def load_impact_demo() -> int:
    """Add the two years of past tours, attendance, answers and outcomes that are missing; returns rows added.

    Flushes and never commits: the caller owns the transaction.
    """
    anchor = _anchor()
    if anchor is None:
        return 0
    users = {p.local: db.session.scalar(select(User).where(User.email == p.email)) for p in PEOPLE}
    organisers = [p.local for p in PEOPLE if p.role is Role.ORGANISER]
    zone_territory = _territory_of_zone()
    territories = sorted({zone.territory for zone in ZONES})
    sites_by_territory: dict[str, list[Site]] = {t: [] for t in territories}
    for company in COMPANIES:
        site = db.session.scalar(select(Site).join(Organisation).where(Organisation.name == company.name))
        if site is not None:
            sites_by_territory[zone_territory[company.zone]].append(site)
    prescribers: dict[str, list[User]] = {t: [] for t in territories}
    for person in PEOPLE:
        if person.role is Role.PRESCRIBER and users[person.local] is not None:
            city_zone = [z.territory for z in ZONES if z.city in person.organisation]
            territory = city_zone[0] if city_zone else territories[len(person.local) % len(territories)]
            prescribers[territory].append(users[person.local])
    for territory in territories:  # every territory gets prescribers, even those named after a city elsewhere
        if not prescribers[territory]:
            prescribers[territory] = [u for group in prescribers.values() for u in group]
    contacts = {p.organisation: users[p.local] for p in PEOPLE if p.role is Role.COMPANY and users[p.local]}

    existing = set(db.session.scalars(select(Tour.title).where(Tour.title.like("% – bilan n°%"))))
    added = 0
    for n in range(MONTHS * 2):
        months_back = MONTHS - n // 2
        territory = territories[n % len(territories)]
        first = (anchor.replace(day=1) - timedelta(days=1)).replace(day=1)
        for _ in range(months_back - 1):
            first = (first - timedelta(days=1)).replace(day=1)
        day = _working_day(first + timedelta(days=5 + 11 * (n % 2)))
        if day >= anchor:
            continue
        kind = TourKind.COMPANY_VISIT if n % 5 == 4 else TourKind.ZI_TOUR
        title = TITLE.format(
            programme="ZI Tour" if kind is TourKind.ZI_TOUR else "Visites en petit groupe",
            territory=territory,
            n=n + 1,
            month=f"{MONTHS_FR[day.month - 1]} {day.year}",
        )
        if title in existing or not sites_by_territory[territory]:
            continue
        added += _past_tour(
            random.Random(1000 + n),
            n,
            title,
            kind,
            day,
            territory,
            users[organisers[n % 2]],
            sites_by_territory[territory],
            prescribers[territory],
            contacts,
        )
    db.session.flush()
    return added


def _past_tour(
    rng: random.Random,
    n: int,
    title: str,
    kind: TourKind,
    day: date,
    territory: str,
    organiser: User,
    sites: list[Site],
    prescribers: list[User],
    contacts: dict[str, User],
) -> int:
    """One past tour with its visits, bookings, attendance, outcomes, answers and assessments."""
    zone = local_zone()
    start = _at(day, time(8, 30) if kind is TourKind.ZI_TOUR else time(13, 30), zone)
    end = start + timedelta(hours=8 if kind is TourKind.ZI_TOUR else 4)
    cancelled = n in (7, 30)
    attendance_taken = n not in (12, 13)
    tour = Tour(
        title=title,
        kind=kind,
        status=TourStatus.CANCELLED if cancelled else TourStatus.DONE,
        description=f"Tour passé du programme, territoire {territory} (données de démonstration).",
        start_at=start,
        end_at=end,
        meeting_point_name="Point de rendez-vous habituel",
        meeting_lat=sites[0].lat,
        meeting_lon=sites[0].lon,
        booking_deadline_at=start - timedelta(days=5),
        created_by=organiser,
        organisation_id=organiser.organisation_id,
        published_at=start - timedelta(days=30),
        cancelled_at=start - timedelta(days=6) if cancelled else None,
    )
    seats = 22 if kind is TourKind.ZI_TOUR else 8
    bus = Bus(tour=tour, position=0, seats=seats)
    db.session.add_all([tour, bus])
    db.session.flush()
    rows = 2
    visited = rng.sample(sites, k=min(len(sites), 3 if kind is TourKind.ZI_TOUR else 2))
    # Visits of an hour inside the companies' usual half-day windows (9:00–12:00, 14:00–17:00).
    times = [time(9, 15), time(10, 45), time(14, 15)] if kind is TourKind.ZI_TOUR else [time(14, 15), time(15, 45)]
    for position, (site, at) in enumerate(zip(visited, times, strict=False)):
        visit_start = _at(day, at, zone)
        window = (time(9), time(12)) if at < time(12) else (time(14), time(17))
        slot = Slot(
            site=site,
            start_at=_at(day, window[0], zone),
            end_at=_at(day, window[1], zone),
            visit_minutes=60,
            max_visitors=25,
            status=SlotStatus.OFFERED,
        )
        db.session.add(slot)
        db.session.flush()
        db.session.add(
            Stop(
                tour_id=tour.id,
                bus_id=bus.id,
                slot_id=slot.id,
                position=position,
                arrival_at=visit_start - timedelta(minutes=5),
                start_at=visit_start,
                end_at=visit_start + timedelta(minutes=60),
                departure_at=visit_start + timedelta(minutes=65),
                company_response=VisitResponse.CONFIRMED,
                responded_at=start - timedelta(days=10),
            )
        )
        rows += 2
    if cancelled:
        return rows
    free, booked = seats, []
    for prescriber in rng.sample(prescribers, k=min(len(prescribers), rng.randint(2, 4))):
        group = min(free, rng.randint(1, 5))
        if group <= 0:
            break
        free -= group
        booking = Booking(
            tour_id=tour.id,
            prescriber_id=prescriber.id,
            organisation_id=prescriber.organisation_id,
            seats=group,
            status=BookingStatus.CONFIRMED,
            bus_id=bus.id,
            created_at=start - timedelta(days=rng.randint(6, 25)),
            confirmed_at=start - timedelta(days=6),
        )
        db.session.add(booking)
        for _ in range(group):
            name = f"{rng.choice(FIRST_NAMES)} {chr(65 + rng.randrange(26))}."
            present = rng.random() < 0.85
            participant = Participant(
                booking=booking,
                name=name,
                attendance=(Attendance.PRESENT if present else Attendance.ABSENT) if attendance_taken else None,
            )
            db.session.add(participant)
            rows += 1
            if present or not attendance_taken:
                rows += _outcome(rng, participant, day)
        booked.append(prescriber)
        rows += 1
    db.session.flush()
    for prescriber in booked:
        rows += _answers(rng, tour, prescriber, Respondent.PRESCRIBER, start)
    for site in visited:
        contact = contacts.get(site.organisation.name)
        if contact is None:
            continue
        rows += _answers(rng, tour, contact, Respondent.COMPANY, start)
        if rng.random() < 0.8:
            db.session.add(
                CompanyAssessment(
                    tour_id=tour.id,
                    organisation_id=site.organisation_id,
                    user_id=contact.id,
                    went_as_planned=rng.random() < 0.9,
                    visitors=sum(len(b.participants) for b in tour.bookings) or None,
                    profiles_spotted=rng.randint(0, 4),
                    intends_to_recruit=rng.random() < 0.4,
                    intends_immersion=rng.random() < 0.5,
                    created_at=end + timedelta(days=1),
                )
            )
            rows += 1
    return rows


def _at(day: date, at: time, zone) -> datetime:
    return datetime.combine(day, at, tzinfo=zone)


def _outcome(rng: random.Random, participant: Participant, day: date) -> int:
    """Maybe an outcome, weeks or months after the visit."""
    draw = rng.random()
    if draw < 0.12:
        kind, contract = OutcomeKind.RECRUITMENT, rng.choice(list(Contract))
    elif draw < 0.22:
        kind, contract = OutcomeKind.TRAINING, None
    elif draw < 0.32:
        kind, contract = OutcomeKind.INTERNSHIP, None
    elif draw < 0.45:
        kind, contract = OutcomeKind.SEARCHING, None
    else:
        return 0
    db.session.add(
        Outcome(
            participant=participant,
            kind=kind,
            contract=contract,
            occurred_on=day + timedelta(days=rng.randint(20, 170)),
        )
    )
    return 1


def _answers(rng: random.Random, tour: Tour, user: User, respondent: Respondent, start) -> int:
    """Perception before (most people) and after (fewer): scores that tend to rise."""
    if rng.random() > 0.8:
        return 0
    before = rng.choice((1, 2, 2, 3, 3, 4))
    db.session.add(
        PerceptionAnswer(
            tour_id=tour.id,
            user_id=user.id,
            respondent=respondent,
            moment=Moment.BEFORE,
            score=before,
            answered_at=start - timedelta(days=4),
        )
    )
    if rng.random() > 0.75:
        return 1
    after = max(1, min(5, before + rng.choice((-1, 0, 1, 1, 1, 2))))
    db.session.add(
        PerceptionAnswer(
            tour_id=tour.id,
            user_id=user.id,
            respondent=respondent,
            moment=Moment.AFTER,
            score=after,
            answered_at=start + timedelta(days=1),
        )
    )
    return 2
