"""The demo data set: `tourplanner demo` loads it; loading it again changes nothing.

Every row is looked up by a natural key (a name, an e-mail address, a site and a start
time, a tour's title) and created only when missing, so a second run finds everything and adds nothing. Dates
are relative to one anchor day, the local day the demo's first organiser was created —
stored with that user, so a later run computes the same slot times, while a fresh
database loaded on a later day gets its own, future, dates. Rows that exist are never
updated: what a demo user changed stays changed.

The programme is under way: tours already held (bookings, attendance, absences), a full
and optimised ZI Tour with its waiting list and a visit its company declined, a small
group, a draft to optimise. `load_demo` is one call per part; add a part the same way.

The content (zones, fictional companies, people, tours) is in `tourplanner.demo_data`.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta

from flask import current_app
from sqlalchemy import func, select

from tourplanner.accounts.enums import OrganisationKind, Role
from tourplanner.accounts.models import Organisation, User
from tourplanner.accounts.operations import create_user, find_user_by_email, get_or_create_organisation
from tourplanner.audit.operations import record
from tourplanner.bookings.attendance import record_attendance
from tourplanner.bookings.enums import Attendance, BookingStatus
from tourplanner.bookings.models import Booking, Participant
from tourplanner.bookings.operations import BookingRequest, ParticipantDetails, book_seats
from tourplanner.company_visits.enums import AgendaStep
from tourplanner.company_visits.operations import AgendaEntry, set_agenda
from tourplanner.db import utcnow
from tourplanner.demo_cohorts import load_cohort_demo
from tourplanner.demo_data import (
    COMING_BOOKINGS,
    COMPANIES,
    DECLINED_VISIT,
    DEMO_DOMAIN,
    FIRST_NAMES,
    LAST_NAMES,
    ORGANISATIONS,
    PASSEPORT_FACTS,
    PAST_TOURS,
    PEOPLE,
    REVERSE_VISIT,
    REVERSE_VISIT_HOST,
    SESSION_AGENDA,
    TOURS,
    WORKSHOP_EVENT,
    WORKSHOPS,
    ZONES,
    CompanyData,
    PastTourData,
    TourData,
)
from tourplanner.demo_impact import load_impact_demo
from tourplanner.extensions import db
from tourplanner.formatting import DAYS
from tourplanner.mail.models import OutboxMail
from tourplanner.sites.enums import SlotStatus, VisitResponse
from tourplanner.sites.geocoding import DisabledGeocoder
from tourplanner.sites.models import IndustrialZone, Site, Slot
from tourplanner.sites.operations import SiteDetails, create_site
from tourplanner.sites.slots import SlotDetails, offer_slot
from tourplanner.text import fold
from tourplanner.timeutil import local_zone, to_local
from tourplanner.tours.details import Lunch, TourDetails
from tourplanner.tours.enums import TourKind, TourStatus
from tourplanner.tours.itinerary import optimise_tour, set_candidates
from tourplanner.tours.models import AmbassadorAssignment, Tour
from tourplanner.tours.operations import create_tour, publish_tour
from tourplanner.tours.seats import seats_of_tour
from tourplanner.tours.visits import decline_visit, visit_for
from tourplanner.workshops.operations import WorkshopDetails, create_workshop

#: The two half-day windows companies offer: a visit starts and ends inside one.
MORNING = (time(9, 0), time(12, 0))
AFTERNOON = (time(14, 0), time(17, 0))

#: Sites receiving at least this many visitors take a whole bus's group.
BUS_GROUP = 20

_ROLE_ORDER = (Role.ORGANISER, Role.PRESCRIBER, Role.COMPANY, Role.AMBASSADOR)


@dataclass
class _Load:
    """What one run works with and how much it added."""

    #: Set once the demo's first organiser is found or created.
    anchor: date = date.min
    created: int = 0
    users: dict[str, User] = field(default_factory=dict)
    sites: dict[str, Site] = field(default_factory=dict)
    #: The coming tours created by this run, by title: only these get bookings and a decline.
    new_tours: dict[str, Tour] = field(default_factory=dict)
    #: Outbox rows at or below this id were there before the run.
    last_mail_id: int = 0
    #: Participants named so far (names are drawn in turn from the demo's lists).
    named: int = 0


def load_demo() -> str:
    """Load the demo data set, adding only what is missing; returns a French summary.

    One call per part, in order; a part adds only what is missing and works only on what
    this run created (a tour that exists is the demo users' now). Flushes and never
    commits: the caller owns the transaction.
    """
    load = _Load(last_mail_id=db.session.scalar(select(func.max(OutboxMail.id))) or 0)
    zones = _load_zones(load)
    _load_organisations(load)
    _load_people(load)
    db.session.flush()
    load.anchor = demo_anchor(load.users[PEOPLE[0].local])
    _load_sites(load, zones)
    _load_slots(load)
    with _mail_log_muted():
        _load_tours(load)  # the coming programme: optimised, published, a draft
        _load_programmes(load)  # the workshop event's workshops, the small group's agenda
        _load_bookings(load)  # seats booked on it, a full tour with its waiting list
        _load_declined_visit(load)  # a company that cannot receive its visit any more
        _load_past_tours(load)  # tours already held: bookings, attendance and absences
        load.created += load_cohort_demo(load.anchor, load.users)  # a weekly cohort (tourplanner.demo_cohorts)
        load.created += load_impact_demo()  # two years of past tours for the bilan (tourplanner.demo_impact)
        _drop_demo_mail(load)
    db.session.flush()
    return summary(load.anchor, load.created)


def demo_anchor(marker: User) -> date:
    """The day every demo date is counted from: the local day `marker`, the demo's first
    organiser, was created."""
    return to_local(marker.created_at).date()


# ---- dates ---------------------------------------------------------------------------


def weekday_on_or_after(day: date, weekday: int) -> date:
    """The first `weekday` (0 = Monday) on or after `day`."""
    return day + timedelta(days=(weekday - day.weekday()) % 7)


def easter_sunday(year: int) -> date:
    """Easter Sunday of `year` (Gregorian calendar, anonymous algorithm)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = b // 4, b % 4
    g = (8 * b + 13) // 25
    h = (19 * a + b - d - g + 15) % 30
    i, k = c // 4, c % 4
    l = (32 + 2 * e + 2 * i - h - k) % 7  # noqa: E741  (the algorithm's own name)
    m = (a + 11 * h + 22 * l) // 451
    month, day = divmod(h + l - 7 * m + 114, 31)
    return date(year, month, day + 1)


def is_working_day(day: date) -> bool:
    """Whether companies receive visits that day: a weekday, not a French public holiday,
    outside the usual closures (the first three weeks of August, 24 December to 1 January)."""
    if day.weekday() >= 5:
        return False
    easter = easter_sunday(day.year)
    movable = {easter + timedelta(days=n) for n in (1, 39, 50)}  # Easter Monday, Ascension, Whit Monday
    fixed = {(1, 1), (5, 1), (5, 8), (7, 14), (8, 15), (11, 1), (11, 11), (12, 25)}
    if day in movable or (day.month, day.day) in fixed:
        return False
    if day.month == 8 and day.day <= 21:
        return False
    return not ((day.month == 12 and day.day >= 24) or (day.month == 1 and day.day == 1))


def next_working_day(day: date) -> date:
    """`day`, or the first working day after it."""
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


def local_datetime(day: date, at: time) -> datetime:
    """`day` at `at`, in the tours' local zone (DST-aware)."""
    return datetime.combine(day, at, tzinfo=local_zone())


def tour_day(anchor: date, tour: TourData) -> date:
    """The day a demo tour takes place: its weekday, a week later if that is no working day."""
    day = weekday_on_or_after(anchor + timedelta(days=tour.days_after), tour.weekday)
    while not is_working_day(day):
        day += timedelta(days=7)
    return day


def slot_plan(anchor: date, index: int, company: CompanyData) -> list[tuple[date, tuple[time, time]]]:
    """The (day, window) of each slot `company` (COMPANIES[index]) offers, in date order.

    On its territory's ZI Tour day each site offers one half-day, mornings and afternoons
    in turn among the sites that take a bus's group (and in turn among the others), so
    that a bus finds visits all day; the small-group visit day gets an afternoon at the
    sites of its towns; two more half-days fall on other working days within six weeks.
    """
    territory = _territory(company)
    takes_bus = company.max_visitors >= BUS_GROUP
    peers = [c for c in COMPANIES if _territory(c) == territory and (c.max_visitors >= BUS_GROUP) == takes_bus]
    turn = peers.index(company)
    # One half-day a day at most per site, or a bus could come back to it: the first
    # window placed on a day keeps it.
    plan: dict[date, tuple[time, time]] = {}
    for tour in TOURS:
        if tour.territory != territory:
            continue
        day = tour_day(anchor, tour)
        if tour.towns is None:
            plan.setdefault(day, MORNING if turn % 2 == 0 else AFTERNOON)
        elif company.city in tour.towns:
            plan.setdefault(day, AFTERNOON)
    # Other days stay clear of every tour day (a site that offered one half-day of a tour
    # day should not offer the other too) and of the site's other days: near holidays and
    # closures (Christmas to New Year, August) two offsets can reach the same working day.
    tour_days = {tour_day(anchor, tour) for tour in TOURS}
    for days, window in (
        (7 + (index * 5) % 21, MORNING if index % 2 else AFTERNOON),
        (30 + (index * 3) % 12, AFTERNOON if index % 2 else MORNING),
    ):
        day = next_working_day(anchor + timedelta(days=days))
        while day in tour_days or day in plan:
            day = next_working_day(day + timedelta(days=1))
        plan[day] = window
    return sorted(plan.items())


def _territory(company: CompanyData) -> str:
    """The territory of the company's zone."""
    return next(zone.territory for zone in ZONES if zone.name == company.zone)


# ---- rows ----------------------------------------------------------------------------


def _load_zones(load: _Load) -> dict[str, IndustrialZone]:
    zones: dict[str, IndustrialZone] = {}
    for data in ZONES:
        zone = db.session.scalar(select(IndustrialZone).where(IndustrialZone.name == data.name))
        if zone is None:
            zone = IndustrialZone(name=data.name, city=data.city, territory=data.territory, lat=data.lat, lon=data.lon)
            db.session.add(zone)
            load.created += 1
        zones[data.name] = zone
    db.session.flush()
    return zones


def _organisation(name: str, kind: OrganisationKind, city: str, load: _Load) -> Organisation:
    existed = db.session.scalar(select(Organisation.id).where(Organisation.name == name)) is not None
    organisation = get_or_create_organisation(name, kind)
    if not existed:
        organisation.city = city
        load.created += 1
    return organisation


def _load_organisations(load: _Load) -> None:
    for data in ORGANISATIONS:
        _organisation(data.name, data.kind, data.city, load)
    for company in COMPANIES:
        _organisation(company.name, OrganisationKind.COMPANY, company.city, load)
    db.session.flush()


def _load_people(load: _Load) -> None:
    for person in PEOPLE:
        user = find_user_by_email(person.email)
        if user is None:
            user = create_user(person.email, person.name, person.role, person.organisation)
            load.created += 1
        load.users[person.local] = user


def _territory_organiser(territory: str, load: _Load) -> User:
    """The organiser who runs the territory's tours (and so created its sites)."""
    local = next(t.organiser for t in TOURS if t.territory == territory)
    return load.users[local]


def _load_sites(load: _Load, zones: dict[str, IndustrialZone]) -> None:
    geocoder = DisabledGeocoder()  # every demo site has its coordinates: nothing to look up
    for company in COMPANIES:
        zone = zones[company.zone]
        organisation = db.session.scalar(select(Organisation).where(Organisation.name == company.name))
        site = db.session.scalar(
            select(Site).where(Site.organisation_id == organisation.id, Site.name == company.site_name)
        )
        if site is None:
            details = SiteDetails(
                name=company.site_name,
                address=company.address,
                lat=company.lat,
                lon=company.lon,
                organisation_id=organisation.id,
                zone_id=zone.id,
                sector=company.sector,
                trades=list(company.trades),
                is_accessible=company.is_accessible,
                has_bus_parking=company.has_bus_parking,
                protective_equipment=company.protective_equipment,
                access_notes=company.access_notes,
                **PASSEPORT_FACTS.get(company.name, {}),
            )
            site = create_site(details, _territory_organiser(zone.territory, load), geocoder)
            load.created += 1
        load.sites[company.name] = site
    db.session.flush()


def _slot_offerer(company: CompanyData, territory: str, load: _Load) -> User:
    """The company's contact when it has one (companies offer their slots), else the organiser."""
    for person in PEOPLE:
        if person.role is Role.COMPANY and person.organisation == company.name:
            return load.users[person.local]
    return _territory_organiser(territory, load)


def _load_slots(load: _Load) -> None:
    now = utcnow()
    site_ids = [site.id for site in load.sites.values()]
    existing = {
        (site_id, start_at)
        for site_id, start_at in db.session.execute(
            select(Slot.site_id, Slot.start_at).where(Slot.site_id.in_(site_ids))
        )
    }
    for index, company in enumerate(COMPANIES):
        site = load.sites[company.name]
        territory = _territory(company)
        for day, (start, end) in slot_plan(load.anchor, index, company):
            start_at, end_at = local_datetime(day, start), local_datetime(day, end)
            # A slot gone from an old demo is not brought back in the past.
            if (site.id, start_at) in existing or start_at <= now:
                continue
            offer_slot(
                SlotDetails(site.id, start_at, end_at, company.visit_minutes, company.max_visitors),
                _slot_offerer(company, territory, load),
            )
            load.created += 1
    db.session.flush()


def _load_tours(load: _Load) -> None:
    for data in TOURS + (REVERSE_VISIT, WORKSHOP_EVENT):
        if db.session.scalar(select(Tour.id).where(Tour.title == data.title)) is not None:
            continue  # the tour is the demo users' now: leave it as they made it
        organiser = load.users[data.organiser]
        day = tour_day(load.anchor, data)
        start = local_datetime(day, time(*data.start))
        deadline = local_datetime(day - timedelta(days=data.deadline_days_before), time(18, 0))
        lunch = None
        if data.lunch is not None:
            earliest, latest, minutes = data.lunch
            lunch = Lunch(local_datetime(day, time(*earliest)), local_datetime(day, time(*latest)), minutes)
        details = TourDetails(
            title=data.title,
            start=start,
            end=local_datetime(day, time(*data.end)),
            meeting_point_name=data.meeting_point_name,
            meeting_lat=data.meeting_lat,
            meeting_lon=data.meeting_lon,
            bus_seats=list(data.bus_seats),
            booking_deadline=deadline,
            lunch=lunch,
            kind=data.kind,
            description=data.description,
            max_seats_per_booking=data.max_seats_per_booking,
        )
        if data.kind is TourKind.SIAE_VISIT:
            host = db.session.scalar(select(Organisation.id).where(Organisation.name == REVERSE_VISIT_HOST))
            details = replace(details, host_organisation_id=host)
        tour = create_tour(details, organiser)
        load.created += 1
        db.session.flush()
        slot_ids = candidate_slot_ids(tour, data)
        if slot_ids:
            set_candidates(tour, slot_ids, organiser)
            load.created += len(slot_ids)
        for local, bus_index in data.ambassadors:
            _assign(tour, load.users[local], bus_index, organiser)
            load.created += 1
        if data.publish and deadline > utcnow():
            if slot_ids:
                # While still a draft, so that no company is told yet; the default search
                # stops on a branch count, so the itinerary is the same from run to run.
                optimise_tour(tour, organiser)
            publish_tour(tour, organiser)
        load.new_tours[data.title] = tour
    db.session.flush()


def _load_programmes(load: _Load) -> None:
    """The workshops of the workshop event and the agenda of the company visit session, if created by this run."""
    for tour in load.new_tours.values():
        organiser = tour.created_by
        day = to_local(tour.start_at).date()
        if tour.kind is TourKind.WORKSHOP:
            for theme, places, start, end in WORKSHOPS:
                create_workshop(
                    tour,
                    WorkshopDetails(theme, places, local_datetime(day, time(*start)), local_datetime(day, time(*end))),
                    organiser,
                )
                load.created += 1
        elif tour.kind is TourKind.COMPANY_VISIT:
            set_agenda(
                tour,
                [
                    AgendaEntry(AgendaStep(step), local_datetime(day, time(*at)), place)
                    for step, at, place in SESSION_AGENDA
                ],
                organiser,
            )
            load.created += 3
    db.session.flush()


def _load_bookings(load: _Load) -> None:
    """Book the coming tours created by this run, through the bookings domain (confirmed, then waiting)."""
    for title, bookings in COMING_BOOKINGS.items():
        tour = load.new_tours.get(title)
        if tour is None or tour.status is not TourStatus.PUBLISHED:
            continue
        for local, seats in bookings:
            request = BookingRequest(seats, [ParticipantDetails(name) for name in _names(load, seats)])
            book_seats(tour, load.users[local], request)
            load.created += 1
    db.session.flush()


def _load_declined_visit(load: _Load) -> None:
    """A company declines its visit on a coming tour: the organiser has to re-optimise."""
    title, reason = DECLINED_VISIT
    tour = load.new_tours.get(title)
    if tour is None or tour.status is not TourStatus.PUBLISHED:
        return
    contacts = {p.organisation: load.users[p.local] for p in PEOPLE if p.role is Role.COMPANY}
    stops = sorted((stop for bus in tour.buses for stop in bus.stops), key=lambda stop: stop.start_at)
    for stop in reversed(stops):
        contact = contacts.get(stop.slot.site.organisation.name)
        if contact is not None:
            decline_visit(visit_for(contact, stop.id), contact, reason)
            load.created += 1
            return


def past_tour_day(anchor: date, data: PastTourData) -> date:
    """The day a held demo tour took place: its weekday on or before `days_before` the anchor,
    a week earlier while that is no working day."""
    day = anchor - timedelta(days=data.days_before)
    day -= timedelta(days=(day.weekday() - data.weekday) % 7)
    while not is_working_day(day):
        day -= timedelta(days=7)
    return day


def _load_past_tours(load: _Load) -> None:
    """Tours already held, written as they stood after the day: the companies' slots, the
    itinerary, the confirmed bookings of named people, the attendance and then « Terminé ».

    The bookings and attendance domain refuse the past (deadlines, slots in the past), so
    slots, the publication and the bookings are written as rows; the itinerary is the
    optimiser's and the attendance goes through record_attendance.
    """
    for data in PAST_TOURS:
        if db.session.scalar(select(Tour.id).where(Tour.title == data.title)) is not None:
            continue
        organiser = load.users[data.organiser]
        day = past_tour_day(load.anchor, data)
        deadline = local_datetime(day - timedelta(days=5), time(18, 0))
        tour = create_tour(
            TourDetails(
                title=data.title,
                start=local_datetime(day, time(8, 30)),
                end=local_datetime(day, time(17, 0)),
                meeting_point_name=data.meeting_point_name,
                meeting_lat=data.meeting_lat,
                meeting_lon=data.meeting_lon,
                bus_seats=list(data.bus_seats),
                booking_deadline=deadline,
                lunch=Lunch(local_datetime(day, time(12, 0)), local_datetime(day, time(13, 30)), 60),
                description=data.description,
            ),
            organiser,
        )
        load.created += 1
        db.session.flush()
        slot_ids = _past_slots(load, data, day)
        set_candidates(tour, slot_ids, organiser)
        optimise_tour(tour, organiser)
        tour.status = TourStatus.PUBLISHED
        tour.published_at = deadline - timedelta(days=21)
        for bus in tour.buses:
            for stop in bus.stops:
                stop.company_response = VisitResponse.CONFIRMED
                stop.responded_at = tour.published_at
                stop.slot.status = SlotStatus.ACCEPTED
        for local, bus_index in data.ambassadors:
            _assign(tour, load.users[local], bus_index, organiser)
        free = {bus.id: bus.seats for bus in tour.buses}
        for number, (local, seats) in enumerate(data.bookings):
            bus = next(b for b in tour.buses if free[b.id] >= seats)
            free[bus.id] -= seats
            prescriber = load.users[local]
            booked_at = deadline - timedelta(days=20 - number)
            db.session.add(
                Booking(
                    tour=tour,
                    prescriber=prescriber,
                    organisation_id=prescriber.organisation_id,
                    seats=seats,
                    status=BookingStatus.CONFIRMED,
                    bus=bus,
                    created_at=booked_at,
                    confirmed_at=booked_at,
                    participants=[Participant(name=name) for name in _names(load, seats)],
                )
            )
            load.created += 1
        db.session.flush()
        # One in six did not come: absences are part of the programme's figures.
        participants = [p for booking in tour.bookings for p in booking.participants]
        for index, participant in enumerate(participants):
            attendance = Attendance.ABSENT if index % 6 == 5 else Attendance.PRESENT
            record_attendance(participant, attendance, organiser)
        tour.status = TourStatus.DONE
    db.session.flush()


def _past_slots(load: _Load, data: PastTourData, day: date) -> list[int]:
    """The half-day slots the territory's sites taking a bus's group offered on a held tour's day."""
    group = max(data.bus_seats)
    companies = [c for c in COMPANIES if _territory(c) == data.territory and c.max_visitors >= group]
    slot_ids = []
    for turn, company in enumerate(companies):
        start, end = MORNING if turn % 2 == 0 else AFTERNOON
        slot = Slot(
            site=load.sites[company.name],
            start_at=local_datetime(day, start),
            end_at=local_datetime(day, end),
            visit_minutes=company.visit_minutes,
            max_visitors=company.max_visitors,
            status=SlotStatus.OFFERED,
        )
        db.session.add(slot)
        db.session.flush()
        slot_ids.append(slot.id)
        load.created += 1
    return slot_ids


def _names(load: _Load, count: int) -> list[str]:
    """The next `count` fictional participants' names."""
    names = []
    for _ in range(count):
        n = load.named
        names.append(
            f"{FIRST_NAMES[n % len(FIRST_NAMES)]} {LAST_NAMES[(n * 7 + n // len(FIRST_NAMES)) % len(LAST_NAMES)]}"
        )
        load.named += 1
    return names


@contextmanager
def _mail_log_muted() -> Iterator[None]:
    """Without SMTP the outbox logs each mail in full: the demo's dropped mail would flood the output."""
    logger = logging.getLogger("tourplanner.mail.operations")
    level = logger.level
    logger.setLevel(logging.WARNING)
    try:
        yield
    finally:
        logger.setLevel(level)


def _drop_demo_mail(load: _Load) -> None:
    """Forget the mail this run queued for demo addresses: they are fictional (a reserved
    .example domain), nothing could deliver it, and a server with SMTP would retry for days."""
    db.session.flush()
    for mail in db.session.scalars(
        select(OutboxMail).where(OutboxMail.id > load.last_mail_id, OutboxMail.recipient.like(f"%@{DEMO_DOMAIN}"))
    ):
        db.session.delete(mail)


def candidate_slot_ids(tour: Tour, data: TourData) -> list[int]:
    """The offered slots a demo tour may use: its territory's sites (its towns' if it names
    some), on its day and within its hours, taking a whole bus's group."""
    group = max(data.bus_seats)
    rows = db.session.execute(
        select(Slot.id, Site.name)
        .join(Site, Slot.site_id == Site.id)
        .join(IndustrialZone, Site.zone_id == IndustrialZone.id)
        .where(
            IndustrialZone.territory == data.territory,
            Slot.status == SlotStatus.OFFERED,
            Slot.start_at >= tour.start_at,
            Slot.end_at <= tour.end_at,
            Slot.max_visitors >= group,
        )
        .order_by(Slot.id)
    ).all()
    if data.towns is None:
        return [slot_id for slot_id, _ in rows]
    town_of_site = {c.site_name: c.city for c in COMPANIES}
    return [slot_id for slot_id, site_name in rows if town_of_site.get(site_name) in data.towns]


def _assign(tour: Tour, ambassador: User, bus_index: int, organiser: User) -> None:
    """Put an ambassador on a bus without inviting them by mail.

    tourplanner.tours.assignments.assign_ambassador would queue an invitation to a demo
    address, which a server with SMTP configured would then try to deliver.
    """
    bus = tour.buses[bus_index]
    assignment = AmbassadorAssignment(tour=tour, bus=bus, user=ambassador)
    db.session.add(assignment)
    record(organiser, "ambassador.assign", assignment, user_id=ambassador.id, tour_id=tour.id, bus=bus_index)


# ---- summary -------------------------------------------------------------------------


def _sort_key(text: str) -> str:
    """`text` without accents or case, so that Émilie sorts among the E."""
    return fold(text)


def _day_label(value: datetime) -> str:
    local = to_local(value)
    return f"{DAYS[local.weekday()]} {local:%d/%m/%Y}"


def _table(rows: Iterable[tuple[str, ...]]) -> list[str]:
    rows = list(rows)
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return ["  " + "  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip() for row in rows]


def summary(anchor: date, created: int) -> str:
    """What the demo holds, in French: dates, tours, and every demo account to sign in with."""
    lines = [f"Données de démonstration tourplanner (dates comptées à partir du {anchor:%d/%m/%Y})."]
    lines.append(f"{created} éléments ajoutés." if created else "Déjà chargées : rien n'a changé.")
    demo_sites = select(Site.id).where(Site.name.in_([c.site_name for c in COMPANIES]))
    first, last, count = db.session.execute(
        select(func.min(Slot.start_at), func.max(Slot.start_at), func.count(Slot.id)).where(
            Slot.site_id.in_(demo_sites)
        )
    ).one()
    zone_rows = db.session.execute(
        select(IndustrialZone.territory, func.count(func.distinct(IndustrialZone.id)), func.count(Site.id))
        .outerjoin(Site, Site.zone_id == IndustrialZone.id)
        .where(IndustrialZone.name.in_([z.name for z in ZONES]))
        .group_by(IndustrialZone.territory)
        .order_by(IndustrialZone.territory)
    ).all()
    for territory, zones, sites in zone_rows:
        lines.append(f"Territoire {territory} : {zones} zones industrielles, {sites} sites d'entreprise.")
    if count:
        lines.append(f"Créneaux de visite : {count}, du {_day_label(first)} au {_day_label(last)}.")
    lines.append("Tours :")
    for title in [data.title for data in TOURS] + [data.title for data in PAST_TOURS]:
        tour = db.session.scalar(select(Tour).where(Tour.title == title))
        if tour is None:
            continue
        seats = seats_of_tour(tour)
        stops = [stop for bus in tour.buses for stop in bus.stops]
        declined = sum(stop.company_response is VisitResponse.DECLINED for stop in stops)
        line = (
            f"  - {tour.title} — {_day_label(tour.start_at)}, {to_local(tour.start_at):%H:%M}–"
            f"{to_local(tour.end_at):%H:%M} ; {tour.status.label.lower()} ; {len(tour.buses)} véhicule(s), "
            f"{tour.seats_total} places ; {len(tour.candidates)} créneaux candidats, {len(stops)} visites à "
            "l'itinéraire"
        )
        if any(seats.by_status.values()):
            line += f" ; {seats.confirmed} places réservées, {seats.waitlisted} en liste d'attente"
        if declined:
            line += f" ; {declined} visite déclinée par l'entreprise : à réoptimiser"
        attendance = dict(
            db.session.execute(
                select(Participant.attendance, func.count(Participant.id))
                .join(Booking)
                .where(Booking.tour_id == tour.id, Participant.attendance.is_not(None))
                .group_by(Participant.attendance)
            ).all()
        )
        if attendance:
            line += (
                f" ; {attendance.get(Attendance.PRESENT, 0)} présents, {attendance.get(Attendance.ABSENT, 0)} absents"
            )
        lines.append(line)
    base_url = current_app.config["BASE_URL"].rstrip("/")
    lines.append(
        f"Comptes de démonstration : connexion par lien sur {base_url}/connexion avec l'adresse ; "
        "sans serveur SMTP, le lien s'affiche dans le journal du serveur."
    )
    users = db.session.scalars(select(User).where(User.email.like(f"%@{DEMO_DOMAIN}"))).all()
    users = sorted(users, key=lambda u: (_ROLE_ORDER.index(u.role), _sort_key(u.name)))
    if users:
        header = ("Rôle", "Nom", "Organisation", "E-mail")
        lines += _table(
            [header] + [(u.role.label, u.name, u.organisation.name if u.organisation else "", u.email) for u in users]
        )
    return "\n".join(lines)
