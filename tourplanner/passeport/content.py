"""What a passeport says: the companies visited, their trades with ROME codes, the contacts, the grid.

Built from the database into plain dataclasses that the HTML and PDF templates render.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select

from tourplanner.bookings.models import Booking
from tourplanner.extensions import db
from tourplanner.sites.enums import VisitResponse
from tourplanner.sites.models import Site
from tourplanner.sites.operations import parse_trades
from tourplanner.tours.models import Stop, Tour, TourCandidate
from tourplanner.trades.operations import code_of_line, site_codes
from tourplanner.trades.referential import load

#: The self-assessment grid each participant fills in, in this order.
GRID_QUESTIONS = (
    ("seen", "Ce que j'ai vu"),
    ("liked", "Ce qui m'a plu"),
    ("to_learn", "Ce que je dois apprendre"),
    ("next_step", "Ma prochaine étape"),
)


@dataclass(frozen=True)
class TradeSeen:
    """A trade shown at a company, with its ROME code and label when known."""

    label: str
    rome_code: str | None = None
    rome_label: str | None = None


@dataclass(frozen=True)
class CompanyVisited:
    """A company visited, and what a job seeker needs to know to go further there."""

    company: str
    site: str
    address: str
    sector: str | None
    trades: list[TradeSeen]
    pay_range: str | None
    in_house_training: str | None
    open_positions: str | None
    how_to_apply: str | None
    contacts: str | None
    #: When the visit began, if an itinerary placed it.
    visited_at: datetime | None = None


@dataclass(frozen=True)
class Contact:
    """Someone to call after the visit."""

    role: str
    name: str
    email: str | None = None


@dataclass(frozen=True)
class Passeport:
    """The passeport of one booking: for each of its participants, the same companies and an empty grid."""

    booking_id: int
    tour_title: str
    tour_kind: str
    start_at: datetime
    end_at: datetime
    participants: list[str]
    companies: list[CompanyVisited]
    contacts: list[Contact]
    grid: tuple[tuple[str, str], ...] = GRID_QUESTIONS
    extra: dict[str, str] = field(default_factory=dict)


def sites_visited(booking: Booking) -> list[tuple[Site, datetime | None]]:
    """The sites the booking's participants visit: their bus's stops, else the tour's, else its candidates.

    Visits a company declined are left out; each site once, in visiting order.
    """
    tour: Tour = booking.tour
    query = (
        select(Stop)
        .where(Stop.tour_id == tour.id, Stop.company_response != VisitResponse.DECLINED)
        .order_by(Stop.start_at, Stop.id)
    )
    stops = list(db.session.scalars(query))
    if booking.bus_id is not None and any(stop.bus_id == booking.bus_id for stop in stops):
        stops = [stop for stop in stops if stop.bus_id == booking.bus_id]
    found: list[tuple[Site, datetime | None]] = [(stop.slot.site, stop.start_at) for stop in stops]
    if not found:
        candidates = db.session.scalars(select(TourCandidate).where(TourCandidate.tour_id == tour.id))
        found = [(c.slot.site, None) for c in sorted(candidates, key=lambda c: (c.slot.start_at, c.id))]
    seen: set[int] = set()
    unique = []
    for site, when in found:
        if site.id not in seen:
            seen.add(site.id)
            unique.append((site, when))
    return unique


def trades_seen(site: Site) -> list[TradeSeen]:
    """A site's trades: its own lines, each with the referential's label for its ROME code, then tagged codes."""
    referential = load()
    trades = []
    codes_listed = set()
    for trade in parse_trades(site.trades):
        code = trade.rome_code or code_of_line(trade.label, referential)
        known = referential.get(code) if code else None
        trades.append(TradeSeen(trade.label, code, known.label if known else None))
        if code:
            codes_listed.add(code)
    for code in site_codes(site):
        if code not in codes_listed:
            known = referential.get(code)
            label = known.label if known else code
            trades.append(TradeSeen(label, code, label))
    return trades


def build_passeport(booking: Booking) -> Passeport:
    """The passeport of a booking, as it stands now."""
    tour = booking.tour
    companies = [
        CompanyVisited(
            company=site.organisation.name,
            site=site.name,
            address=site.address,
            sector=site.sector,
            trades=trades_seen(site),
            pay_range=site.pay_range,
            in_house_training=site.in_house_training,
            open_positions=site.open_positions,
            how_to_apply=site.how_to_apply,
            contacts=site.visitor_contacts,
            visited_at=when,
        )
        for site, when in sites_visited(booking)
    ]
    contacts = [Contact("Référent", booking.prescriber.name, booking.prescriber.email)]
    if tour.created_by is not None:
        contacts.append(Contact("Organisateur du programme", tour.created_by.name, tour.created_by.email))
    return Passeport(
        booking_id=booking.id,
        tour_title=tour.title,
        tour_kind=tour.kind.label,
        start_at=tour.start_at,
        end_at=tour.end_at,
        participants=[p.name for p in booking.participants],
        companies=companies,
        contacts=contacts,
    )
