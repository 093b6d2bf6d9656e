"""What needs an organiser's attention, tour by tour, for their home page.

Read-only, and a constant number of SQL statements whatever the number of tours: one for
the tours, then one per kind of concern over all of them at once (declined visits, seats by
status, buses without an ambassador, reduced mobility on a bus visiting a site that is
not accessible).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import and_, exists, select

from tourplanner.accounts.enums import Role
from tourplanner.accounts.models import Organisation, User
from tourplanner.bookings.enums import BookingStatus
from tourplanner.bookings.models import Booking, Participant
from tourplanner.db import utcnow
from tourplanner.extensions import db
from tourplanner.sites.enums import VisitResponse
from tourplanner.sites.models import Site, Slot
from tourplanner.tours.enums import TourStatus
from tourplanner.tours.models import AmbassadorAssignment, Bus, Stop, Tour
from tourplanner.tours.queries import managed_by
from tourplanner.tours.seats import seats_of_tours

#: Tours whose buses, bookings and visits are still to be looked after.
LIVE_STATUSES = (TourStatus.DRAFT, TourStatus.PUBLISHED, TourStatus.CLOSED)
#: Statuses in which people have been told the programme (bookings, companies, ambassadors).
ANNOUNCED_STATUSES = (TourStatus.PUBLISHED, TourStatus.CLOSED)


@dataclass(frozen=True)
class DeclinedVisit:
    """A visit of the itinerary the company declined: still on the plan until the organiser re-optimises."""

    stop_id: int
    site: str
    company: str
    bus: str
    start_at: datetime
    reason: str | None


@dataclass(frozen=True)
class ReducedMobilityRisk:
    """A confirmed booking with a person of reduced mobility on a bus visiting a site they cannot follow."""

    booking_id: int
    prescriber: str
    bus: str
    sites: tuple[str, ...]


@dataclass(frozen=True)
class BelowMinimum:
    """Fewer confirmed seats than the tour's minimum, with the go/no-go date still to come."""

    confirmed: int
    minimum: int
    go_no_go_at: datetime


@dataclass
class TourAttention:
    """What needs looking at on one tour; empty when all is well."""

    tour: Tour
    declined: list[DeclinedVisit] = field(default_factory=list)
    seats_waitlisted: int = 0
    below_minimum: BelowMinimum | None = None
    buses_without_ambassador: list[str] = field(default_factory=list)
    reduced_mobility: list[ReducedMobilityRisk] = field(default_factory=list)

    @property
    def needs_reoptimisation(self) -> bool:
        """The itinerary no longer matches the answers (a visit declined…): optimise again."""
        return bool(self.tour.needs_reoptimisation or self.declined)

    @property
    def count(self) -> int:
        """How many concerns the tour has."""
        return (
            len(self.declined)
            + (1 if self.needs_reoptimisation and not self.declined else 0)
            + (1 if self.seats_waitlisted else 0)
            + (1 if self.below_minimum else 0)
            + len(self.buses_without_ambassador)
            + len(self.reduced_mobility)
        )


def tours_needing_attention(organiser: User, now: datetime | None = None) -> list[TourAttention]:
    """The live tours to come that the organiser manages (their territory's) and that need something, soonest first;
    nothing for other roles (their home page shows no such list)."""
    if organiser.role is not Role.ORGANISER:
        return []
    now = now or utcnow()
    tours = list(
        db.session.scalars(
            select(Tour)
            .where(Tour.status.in_(LIVE_STATUSES), Tour.end_at >= now, managed_by(organiser))
            .order_by(Tour.start_at, Tour.id)
        )
    )
    if not tours:
        return []
    by_id = {tour.id: TourAttention(tour) for tour in tours}
    ids = list(by_id)
    announced = [tour.id for tour in tours if tour.status in ANNOUNCED_STATUSES]

    for tour_id, visit in _declined_visits(ids):
        by_id[tour_id].declined.append(visit)
    seats = seats_of_tours(tours)
    for tour_id in ids:
        attention = by_id[tour_id]
        tour = attention.tour
        attention.seats_waitlisted = seats[tour_id].waitlisted
        if (
            tour.status in ANNOUNCED_STATUSES
            and tour.min_participants is not None
            and tour.go_no_go_at is not None
            and tour.go_confirmed_at is None
            and tour.go_no_go_at > now
            and seats[tour_id].confirmed < tour.min_participants
        ):
            attention.below_minimum = BelowMinimum(seats[tour_id].confirmed, tour.min_participants, tour.go_no_go_at)
    if announced:
        for tour_id, name in _buses_without_ambassador(announced):
            by_id[tour_id].buses_without_ambassador.append(name)
        for tour_id, risk in _reduced_mobility_risks(announced):
            by_id[tour_id].reduced_mobility.append(risk)
    return [attention for attention in by_id.values() if attention.count]


def _declined_visits(tour_ids: list[int]) -> list[tuple[int, DeclinedVisit]]:
    rows = db.session.execute(
        select(Stop, Site.name, Organisation.name, Bus.position, Bus.label)
        .join(Slot, Slot.id == Stop.slot_id)
        .join(Site, Site.id == Slot.site_id)
        .join(Organisation, Organisation.id == Site.organisation_id)
        .join(Bus, Bus.id == Stop.bus_id)
        .where(Stop.tour_id.in_(tour_ids), Stop.company_response == VisitResponse.DECLINED)
        .order_by(Stop.tour_id, Stop.start_at, Stop.id)
    ).all()
    return [
        (
            stop.tour_id,
            DeclinedVisit(stop.id, site, company, label or f"Car {position + 1}", stop.start_at, stop.decline_reason),
        )
        for stop, site, company, position, label in rows
    ]


def _buses_without_ambassador(tour_ids: list[int]) -> list[tuple[int, str]]:
    rows = db.session.execute(
        select(Bus.tour_id, Bus.position, Bus.label)
        .where(
            Bus.tour_id.in_(tour_ids),
            ~exists().where(AmbassadorAssignment.bus_id == Bus.id),
        )
        .order_by(Bus.tour_id, Bus.position)
    ).all()
    return [(tour_id, label or f"Car {position + 1}") for tour_id, position, label in rows]


def _reduced_mobility_risks(
    tour_ids: list[int], booking_id: int | None = None
) -> list[tuple[int, ReducedMobilityRisk]]:
    """Confirmed bookings with a person of reduced mobility whose bus visits a non-accessible site."""
    needs_access = exists().where(Participant.booking_id == Booking.id, Participant.has_reduced_mobility.is_(True))
    query = (
        select(Booking.tour_id, Booking.id, User.name, Bus.position, Bus.label, Site.name)
        .join(User, User.id == Booking.prescriber_id)
        .join(Bus, Bus.id == Booking.bus_id)
        .join(Stop, and_(Stop.bus_id == Bus.id, Stop.company_response != VisitResponse.DECLINED))
        .join(Slot, Slot.id == Stop.slot_id)
        .join(Site, Site.id == Slot.site_id)
        .where(
            Booking.tour_id.in_(tour_ids),
            Booking.status == BookingStatus.CONFIRMED,
            needs_access,
            Site.is_accessible.is_(False),
        )
        .order_by(Booking.tour_id, Booking.id, Stop.position)
    )
    if booking_id is not None:
        query = query.where(Booking.id == booking_id)
    grouped: dict[tuple[int, int, str, str], list[str]] = defaultdict(list)
    for tour_id, found_id, prescriber, position, label, site in db.session.execute(query).all():
        grouped[(tour_id, found_id, prescriber, label or f"Car {position + 1}")].append(site)
    return [
        (tour_id, ReducedMobilityRisk(found_id, prescriber, bus, tuple(dict.fromkeys(sites))))
        for (tour_id, found_id, prescriber, bus), sites in grouped.items()
    ]


def reduced_mobility_risk(booking: Booking) -> ReducedMobilityRisk | None:
    """For the prescriber who just booked: the sites of their bus a person of reduced mobility cannot follow."""
    found = _reduced_mobility_risks([booking.tour_id], booking_id=booking.id)
    return found[0][1] if found else None
