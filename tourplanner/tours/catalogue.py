"""Read-only queries for the prescribers' pages: the catalogue of open tours and "my bookings".

Nothing here writes: the booking rules stay in tourplanner.bookings.operations.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy import select, union
from sqlalchemy.orm import joinedload, selectinload

from tourplanner.accounts.enums import Role
from tourplanner.accounts.models import User
from tourplanner.accounts.permissions import require_role
from tourplanner.bookings import operations as bookings
from tourplanner.bookings.enums import BookingStatus
from tourplanner.bookings.models import Booking
from tourplanner.db import utcnow
from tourplanner.extensions import db
from tourplanner.pagination import Page, PageRequest, keyset_page
from tourplanner.sites.enums import VisitResponse
from tourplanner.sites.models import IndustrialZone, Site, Slot
from tourplanner.timeutil import local_zone
from tourplanner.tours.enums import TourKind, TourStatus
from tourplanner.tours.models import Stop, Tour, TourCandidate
from tourplanner.tours.queries import get_visible_tour
from tourplanner.tours.seats import seats_of_tour, seats_of_tours
from tourplanner.trades.search import site_matches_trade


@dataclass(frozen=True)
class CatalogueFilters:
    """What a prescriber narrows the catalogue by; None means "any"."""

    #: An industrial zone's territory (IndustrialZone.territory), matched exactly.
    territory: str | None = None
    #: First and last day of the tour, in the tours' local zone, both included.
    date_from: date | None = None
    date_to: date | None = None
    kind: TourKind | None = None
    #: Words looked for in the visited sites' sector and trades (case and accents ignored).
    trade: str | None = None


@dataclass(frozen=True)
class VisitedCompany:
    """A company a tour's itinerary visits, and where."""

    company: str
    site: str


@dataclass(frozen=True)
class CatalogueEntry:
    """An open tour with what a prescriber needs to choose it."""

    tour: Tour
    seats_total: int
    seats_free: int
    seats_waitlisted: int
    #: Most seats one booking can have confirmed now (a booking rides one bus).
    largest_free_block: int
    #: In itinerary order; empty until the organiser has computed an itinerary.
    companies: list[VisitedCompany] = field(default_factory=list)
    territories: list[str] = field(default_factory=list)

    @property
    def is_full(self) -> bool:
        """No seat left: a new booking goes on the waiting list."""
        return self.seats_free <= 0


@dataclass(frozen=True)
class StopTimes:
    """A visit of the itinerary as a participant sees it."""

    site: str
    company: str
    address: str
    arrival_at: datetime
    start_at: datetime
    end_at: datetime


@dataclass(frozen=True)
class BusPlan:
    """One bus's visits, for the people booked on the tour."""

    bus_name: str
    return_at: datetime | None
    stops: list[StopTimes]


@dataclass(frozen=True)
class BookingView:
    """A booking as shown on "my bookings"."""

    booking: Booking
    waiting_position: int | None
    #: Whether its prescriber may still cancel it (before the booking deadline, not cancelled).
    may_cancel: bool
    #: Whether the deadline has passed: only the organiser can change the booking now.
    is_past_deadline: bool
    #: Whether the prescriber may open the tour's road book (a live booking on a live tour).
    has_road_book: bool
    #: The bus of a confirmed booking, else every bus with visits.
    plans: list[BusPlan]


@dataclass(frozen=True)
class MyBookings:
    """A prescriber's bookings, split into tours to come (soonest first) and past ones (latest first)."""

    upcoming: list[BookingView]
    past: list[BookingView]


# --- the catalogue ---------------------------------------------------------------------


def open_tours(filters: CatalogueFilters | None = None, now: datetime | None = None) -> list[CatalogueEntry]:
    """Published tours still taking bookings from prescribers, soonest first, narrowed by `filters`.

    Reverse visits (siae_visit) are booked by company contacts, not here.
    """
    filters = filters or CatalogueFilters()
    return _entries(list(db.session.scalars(_open_tours_query(filters, now or utcnow()))), filters)


def open_tours_page(
    page: PageRequest, filters: CatalogueFilters | None = None, now: datetime | None = None
) -> Page[CatalogueEntry]:
    """One page of `open_tours`, keyset on (start, id). A trade filter narrows the page's tours after they
    are read, so a page may show fewer than `page.limit` tours; the next page goes on from the last one read."""
    filters = filters or CatalogueFilters()
    tours = keyset_page(
        _open_tours_query(filters, now or utcnow()),
        [(Tour.start_at, datetime), (Tour.id, int)],
        lambda tour: (tour.start_at, tour.id),
        page,
        lambda statement: list(db.session.scalars(statement)),
    )
    return Page(_entries(tours.items, filters), tours.next_cursor)


def _open_tours_query(filters: CatalogueFilters, now: datetime):
    """The statement of the published tours open to prescribers' bookings that pass `filters` (trade aside)."""
    query = (
        select(Tour)
        .where(
            Tour.status == TourStatus.PUBLISHED,
            Tour.booking_deadline_at > now,
            Tour.start_at > now,
            Tour.kind != TourKind.SIAE_VISIT,
        )
        .options(selectinload(Tour.buses))
        .order_by(Tour.start_at, Tour.id)
    )
    if filters.kind is not None:
        query = query.where(Tour.kind == filters.kind)
    if filters.date_from is not None:
        query = query.where(Tour.start_at >= _local_midnight(filters.date_from))
    if filters.date_to is not None:
        query = query.where(Tour.start_at < _local_midnight(filters.date_to + timedelta(days=1)))
    if filters.territory:
        tour_sites = _tour_sites()
        in_territory = (
            select(tour_sites.c.tour_id)
            .join(Site, Site.id == tour_sites.c.site_id)
            .join(IndustrialZone, IndustrialZone.id == Site.zone_id)
            .where(IndustrialZone.territory == filters.territory)
        )
        query = query.where(Tour.id.in_(in_territory))
    return query


def _entries(tours: list[Tour], filters: CatalogueFilters) -> list[CatalogueEntry]:
    """These tours, narrowed by the trade filter, with their seats, companies and territories (a few statements)."""
    if not tours:
        return []
    ids = [tour.id for tour in tours]
    sites = _sites_by_tour(ids)
    if filters.trade and filters.trade.strip():
        # A trade of the ROME referential also finds the tours showing it, or its passerelles, in other sectors.
        from tourplanner.trades.operations import search_tours

        showing = {match.tour.id for match in search_tours(filters.trade).tours}
        tours = [t for t in tours if t.id in showing or any(site_matches_trade(s, filters.trade) for s in sites[t.id])]
    seats = seats_of_tours(tours)
    visited = _visited_companies(ids)
    entries = []
    for tour in tours:
        entries.append(
            CatalogueEntry(
                tour=tour,
                seats_total=seats[tour.id].total,
                seats_free=seats[tour.id].free,
                seats_waitlisted=seats[tour.id].waitlisted,
                largest_free_block=seats[tour.id].largest_free_block,
                companies=visited.get(tour.id, []),
                territories=sorted({s.zone.territory for s in sites[tour.id] if s.zone is not None}),
            )
        )
    return entries


def catalogue_territories() -> list[str]:
    """The territories of the industrial zones, for the catalogue's filter, in alphabetical order."""
    return list(db.session.scalars(select(IndustrialZone.territory).distinct().order_by(IndustrialZone.territory)))


def tour_to_book(prescriber: User, tour_id: int) -> Tour:
    """The tour a prescriber's booking form is for (prescribers only: 403 for other roles; 404 unknown or a draft)."""
    require_role(prescriber, Role.PRESCRIBER)
    return get_visible_tour(prescriber, tour_id)


def catalogue_entry(tour: Tour) -> CatalogueEntry:
    """One tour's seats and visited companies, whatever its state (for the booking form)."""
    seats = seats_of_tour(tour)
    sites = _sites_by_tour([tour.id])
    return CatalogueEntry(
        tour=tour,
        seats_total=seats.total,
        seats_free=seats.free,
        seats_waitlisted=seats.waitlisted,
        largest_free_block=seats.largest_free_block,
        companies=_visited_companies([tour.id]).get(tour.id, []),
        territories=sorted({s.zone.territory for s in sites[tour.id] if s.zone is not None}),
    )


def booking_closed_reason(tour: Tour, now: datetime | None = None) -> str | None:
    """Why the tour takes no booking now, in French; None while it does.

    The same rule as bookings.operations.book_seats, which stays the judge: this only lets a
    page say so before the prescriber fills in the form.
    """
    now = now or utcnow()
    if tour.status is not TourStatus.PUBLISHED:
        return f"ce tour ne prend pas d'inscription (il est : {tour.status.label.lower()})"
    if now >= tour.booking_deadline_at:
        return "la date limite d'inscription de ce tour est passée"
    return None


def largest_booking(tour: Tour) -> int:
    """Most seats one booking may ask for on this tour (the tour's limit, else its largest bus)."""
    largest_bus = max((bus.seats for bus in tour.buses), default=0)
    if tour.max_seats_per_booking is not None:
        return min(tour.max_seats_per_booking, largest_bus)
    return largest_bus


# --- my bookings -----------------------------------------------------------------------


def my_bookings(prescriber: User, now: datetime | None = None) -> MyBookings:
    """The prescriber's bookings with their waiting position, what they may still do, and the visits (prescribers)."""
    require_role(prescriber, Role.PRESCRIBER)
    now = now or utcnow()
    upcoming: list[BookingView] = []
    past: list[BookingView] = []
    for booking in bookings.prescriber_bookings(prescriber):  # most recent tour first
        view = booking_view(booking, now)
        (upcoming if booking.tour.end_at >= now else past).append(view)
    upcoming.reverse()
    return MyBookings(upcoming=upcoming, past=past)


def my_booking(prescriber: User, booking_id: int) -> Booking:
    """One of the prescriber's own bookings (prescribers only: 403 for other roles; 404 unknown or not theirs)."""
    require_role(prescriber, Role.PRESCRIBER)
    return bookings.get_booking(booking_id, prescriber)


def booking_view(booking: Booking, now: datetime | None = None) -> BookingView:
    """One booking as "my bookings" shows it."""
    now = now or utcnow()
    tour = booking.tour
    is_live = booking.status is not BookingStatus.CANCELLED
    past_deadline = now >= tour.booking_deadline_at
    return BookingView(
        booking=booking,
        waiting_position=bookings.waiting_position(booking),
        may_cancel=is_live and not past_deadline and tour.status is not TourStatus.CANCELLED,
        is_past_deadline=past_deadline,
        has_road_book=is_live and tour.status is not TourStatus.CANCELLED and tour.optimised_at is not None,
        plans=_plans(booking) if is_live and tour.status is not TourStatus.CANCELLED else [],
    )


def _plans(booking: Booking) -> list[BusPlan]:
    buses = [booking.bus] if booking.bus is not None else list(booking.tour.buses)
    plans = []
    for bus in buses:
        # A visit its company declined no longer takes place: the programme stops announcing it at once.
        stops = [stop for stop in bus.stops if not stop.is_declined]
        if not stops:
            continue
        plans.append(
            BusPlan(
                bus_name=bus.name,
                return_at=bus.return_at,
                stops=[
                    StopTimes(
                        site=stop.slot.site.name,
                        company=stop.slot.site.organisation.name,
                        address=stop.slot.site.address,
                        arrival_at=stop.arrival_at,
                        start_at=stop.start_at,
                        end_at=stop.end_at,
                    )
                    for stop in stops
                ],
            )
        )
    return plans


# --- helpers ---------------------------------------------------------------------------


def _local_midnight(day: date) -> datetime:
    return datetime.combine(day, time(0, 0), tzinfo=local_zone())


def _tour_sites():
    """(tour_id, site_id) of the sites each tour visits: its itinerary's stops once it has one (declined
    visits aside), its candidate slots before that — candidates left aside do not make a tour's territory."""
    visited = Stop.company_response != VisitResponse.DECLINED
    stops = (
        select(Stop.tour_id.label("tour_id"), Slot.site_id.label("site_id"))
        .join(Slot, Slot.id == Stop.slot_id)
        .where(visited)
    )
    planned = select(Stop.tour_id).where(visited)
    candidates = (
        select(TourCandidate.tour_id.label("tour_id"), Slot.site_id.label("site_id"))
        .join(Slot, Slot.id == TourCandidate.slot_id)
        .where(TourCandidate.tour_id.not_in(planned))
    )
    return union(candidates, stops).subquery("tour_sites")


def _sites_by_tour(tour_ids: list[int]) -> dict[int, list[Site]]:
    tour_sites = _tour_sites()
    rows = db.session.execute(
        select(tour_sites.c.tour_id, Site)
        .join(Site, Site.id == tour_sites.c.site_id)
        .options(joinedload(Site.zone))
        .where(tour_sites.c.tour_id.in_(tour_ids))
    ).all()
    result: dict[int, list[Site]] = defaultdict(list)
    for tour_id, site in rows:
        result[tour_id].append(site)
    return result


def _visited_companies(tour_ids: list[int]) -> dict[int, list[VisitedCompany]]:
    """The companies of each tour's itinerary, by first visit time, each once."""
    rows = db.session.execute(
        select(Stop.tour_id, Site)
        .join(Slot, Slot.id == Stop.slot_id)
        .join(Site, Site.id == Slot.site_id)
        .options(joinedload(Site.organisation))
        .where(Stop.tour_id.in_(tour_ids), Stop.company_response != VisitResponse.DECLINED)
        .order_by(Stop.tour_id, Stop.start_at, Stop.id)
    ).all()
    result: dict[int, list[VisitedCompany]] = defaultdict(list)
    seen: set[tuple[int, int]] = set()
    for tour_id, site in rows:
        if (tour_id, site.id) in seen:
            continue
        seen.add((tour_id, site.id))
        result[tour_id].append(VisitedCompany(company=site.organisation.name, site=site.name))
    return result
