"""The demo data set: `tourplanner demo` loads it; loading it again changes nothing.

Every row is looked up by a natural key (a name, an e-mail address, a site and a start
time, a tour's title) and created only when missing, so a second run finds everything and adds nothing. Dates
are relative to one anchor day, the local day the demo's first organiser was created —
stored with that user, so a later run computes the same slot times, while a fresh
database loaded on a later day gets its own, future, dates. Rows that exist are never
updated: what a demo user changed stays changed.

The content (zones, fictional companies, people, tours) is in `tourplanner.demo_data`.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from flask import current_app
from sqlalchemy import func, select

from tourplanner.accounts.enums import OrganisationKind, Role
from tourplanner.accounts.models import Organisation, User
from tourplanner.accounts.operations import create_user, find_user_by_email, get_or_create_organisation
from tourplanner.audit.operations import record
from tourplanner.db import utcnow
from tourplanner.demo_impact import load_impact_demo
from tourplanner.demo_data import (
    COMPANIES, DEMO_DOMAIN, ORGANISATIONS, PEOPLE, TOURS, ZONES, CompanyData, TourData,
)
from tourplanner.extensions import db
from tourplanner.sites.enums import SlotStatus
from tourplanner.sites.geocoding import DisabledGeocoder
from tourplanner.sites.models import IndustrialZone, Site, Slot
from tourplanner.sites.operations import SiteDetails, SlotDetails, create_site, offer_slot
from tourplanner.timeutil import local_zone, to_local
from tourplanner.tours.itinerary import set_candidates
from tourplanner.tours.models import AmbassadorAssignment, Tour
from tourplanner.tours.operations import Lunch, TourDetails, create_tour, publish_tour

#: The two half-day windows companies offer: a visit starts and ends inside one.
MORNING = (time(9, 0), time(12, 0))
AFTERNOON = (time(14, 0), time(17, 0))

#: Sites receiving at least this many visitors take a whole coach's group.
COACH_GROUP = 20

_WEEKDAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
_ROLE_ORDER = (Role.ORGANISER, Role.PRESCRIBER, Role.COMPANY, Role.AMBASSADOR)


@dataclass
class _Load:
    """What one run works with and how much it added."""

    #: Set once the demo's first organiser is found or created.
    anchor: date = date.min
    created: int = 0
    users: dict[str, User] = field(default_factory=dict)
    sites: dict[str, Site] = field(default_factory=dict)


def load_demo() -> str:
    """Load the demo data set, adding only what is missing; returns a French summary.

    Flushes and never commits: the caller owns the transaction.
    """
    load = _Load()
    zones = _load_zones(load)
    _load_organisations(load)
    _load_people(load)
    db.session.flush()
    load.anchor = demo_anchor(load.users[PEOPLE[0].local])
    _load_sites(load, zones)
    _load_slots(load)
    _load_tours(load)
    load.created += load_impact_demo()  # two years of past tours for the bilan (tourplanner.demo_impact)
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
    in turn among the sites that take a coach's group (and in turn among the others), so
    that a coach finds visits all day; the small-group visit day gets an afternoon at the
    sites of its towns; two more half-days fall on other working days within six weeks.
    """
    territory = _territory(company)
    takes_coach = company.max_visitors >= COACH_GROUP
    peers = [c for c in COMPANIES if _territory(c) == territory and (c.max_visitors >= COACH_GROUP) == takes_coach]
    turn = peers.index(company)
    plan: list[tuple[date, tuple[time, time]]] = []
    for tour in TOURS:
        if tour.territory != territory:
            continue
        day = tour_day(anchor, tour)
        if tour.towns is None:
            plan.append((day, MORNING if turn % 2 == 0 else AFTERNOON))
        elif company.city in tour.towns:
            plan.append((day, AFTERNOON))
    # Other days stay clear of every tour day: a site that offered one half-day of a tour
    # day should not offer the other too, or a coach could come back to it.
    tour_days = {tour_day(anchor, tour) for tour in TOURS}
    for days, window in ((7 + (index * 5) % 21, MORNING if index % 2 else AFTERNOON),
                         (30 + (index * 3) % 12, AFTERNOON if index % 2 else MORNING)):
        day = next_working_day(anchor + timedelta(days=days))
        while day in tour_days:
            day = next_working_day(day + timedelta(days=1))
        plan.append((day, window))
    return sorted(set(plan))


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
                has_coach_parking=company.has_coach_parking,
                protective_equipment=company.protective_equipment,
                access_notes=company.access_notes,
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
    for data in TOURS:
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
            publish_tour(tour, organiser)
    db.session.flush()


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
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()


def _day_label(value: datetime) -> str:
    local = to_local(value)
    return f"{_WEEKDAYS[local.weekday()]} {local:%d/%m/%Y}"


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
        select(func.min(Slot.start_at), func.max(Slot.start_at), func.count(Slot.id)).where(Slot.site_id.in_(demo_sites))
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
    for data in TOURS:
        tour = db.session.scalar(select(Tour).where(Tour.title == data.title))
        if tour is None:
            continue
        lines.append(
            f"  - {tour.title} — {_day_label(tour.start_at)}, {to_local(tour.start_at):%H:%M}–"
            f"{to_local(tour.end_at):%H:%M} ; {tour.status.label.lower()} ; {len(tour.buses)} véhicule(s), "
            f"{tour.seats_total} places ; {len(tour.candidates)} créneaux candidats"
        )
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
