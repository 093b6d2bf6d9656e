"""Read-only queries for the organisers' catalogue of visit slots offered by companies.

Nothing here writes: accepting, declining and adding a slot to a tour are verbs of
tourplanner.sites.review.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import joinedload

from tourplanner.accounts.models import User
from tourplanner.accounts.permissions import require_organiser
from tourplanner.extensions import db
from tourplanner.pagination import Page, PageRequest, keyset_page
from tourplanner.sites.enums import SlotStatus
from tourplanner.sites.models import IndustrialZone, Site, Slot
from tourplanner.timeutil import local_zone, to_local
from tourplanner.tours.enums import TourStatus
from tourplanner.tours.models import Tour, TourCandidate
from tourplanner.tours.queries import managed_by
from tourplanner.trades.search import site_matches_trade

#: What the catalogue shows when no status is asked for: the slots an organiser can still use.
DEFAULT_STATUSES = (SlotStatus.OFFERED, SlotStatus.ACCEPTED)

#: Tours a slot may be added to from the catalogue.
OPEN_TOUR_STATUSES = (TourStatus.DRAFT, TourStatus.PUBLISHED)

#: Tours whose candidates still matter: a slot in one of them is "in use".
LIVE_TOUR_STATUSES = (TourStatus.DRAFT, TourStatus.PUBLISHED, TourStatus.CLOSED)


@dataclass(frozen=True)
class SlotFilters:
    """What an organiser narrows the catalogue by; None means "any"."""

    #: First and last local days whose slots are shown, both included.
    date_from: date | None = None
    date_to: date | None = None
    #: An industrial zone's territory, exactly as stored (e.g. "Lyon Est").
    territory: str | None = None
    #: Words looked for in the site's sector and trades, case and accents ignored.
    trade: str | None = None
    statuses: tuple[SlotStatus, ...] = DEFAULT_STATUSES


@dataclass(frozen=True)
class CatalogueRow:
    """A slot of the catalogue, the open tours of its day and the live tours it is already in."""

    slot: Slot
    #: Draft or published tours that start on the slot's local day.
    tours_of_day: list[Tour] = field(default_factory=list)
    #: Draft, published or closed tours that have this slot among their candidates.
    candidate_of: list[Tour] = field(default_factory=list)

    @property
    def tours_to_add_to(self) -> list[Tour]:
        """Tours of the day that do not have this slot yet."""
        taken = {tour.id for tour in self.candidate_of}
        return [tour for tour in self.tours_of_day if tour.id not in taken]


def local_day_bounds(first: date, last: date) -> tuple[datetime, datetime]:
    """The aware instants at which local day `first` begins and the day after `last` begins."""
    zone = local_zone()
    return (
        datetime.combine(first, time(0), tzinfo=zone),
        datetime.combine(last + timedelta(days=1), time(0), tzinfo=zone),
    )


def catalogue_slots(filters: SlotFilters, viewer: User) -> list[CatalogueRow]:
    """The slots that pass `filters`, by start time, each with the tours it may join or is in (organisers only)."""
    require_organiser(viewer)
    return _rows(list(db.session.scalars(_slots_query(filters)).unique()), filters, viewer)


def catalogue_slots_page(filters: SlotFilters, page: PageRequest, viewer: User) -> Page[CatalogueRow]:
    """One page of `catalogue_slots`, keyset on (start, id). The trade filter narrows the page's slots after
    they are read, so a page may show fewer than `page.limit`; the next page goes on from the last one read.
    Organisers only."""
    require_organiser(viewer)
    slots = keyset_page(
        _slots_query(filters),
        [(Slot.start_at, datetime), (Slot.id, int)],
        lambda slot: (slot.start_at, slot.id),
        page,
        lambda statement: list(db.session.scalars(statement).unique()),
    )
    return Page(_rows(slots.items, filters, viewer), slots.next_cursor)


def _slots_query(filters: SlotFilters):
    """The statement of the slots that pass `filters` (trade aside), by start then id, with site, company, zone."""
    query = (
        select(Slot)
        .join(Slot.site)
        .outerjoin(Site.zone)
        .options(joinedload(Slot.site).joinedload(Site.organisation), joinedload(Slot.site).joinedload(Site.zone))
        .where(Slot.status.in_(filters.statuses or DEFAULT_STATUSES))
        .order_by(Slot.start_at, Slot.id)
    )
    zone = local_zone()
    if filters.date_from is not None:
        query = query.where(Slot.end_at > datetime.combine(filters.date_from, time(0), tzinfo=zone))
    if filters.date_to is not None:
        query = query.where(Slot.start_at < datetime.combine(filters.date_to + timedelta(days=1), time(0), tzinfo=zone))
    if filters.territory:
        query = query.where(IndustrialZone.territory == filters.territory)
    return query


def _rows(slots: list[Slot], filters: SlotFilters, viewer: User) -> list[CatalogueRow]:
    """These slots, narrowed by the trade filter, with the tours of their day `viewer` may add them to (their
    own territory's) and the tours they are in that `viewer` may see (another territory's drafts stay unseen)."""
    slots = [slot for slot in slots if site_matches_trade(slot.site, filters.trade)]
    if not slots:
        return []
    days = {to_local(slot.start_at).date() for slot in slots}
    by_day = open_tours_by_day(min(days), max(days), viewer)
    in_use = live_tours_by_slot([slot.id for slot in slots], viewer)
    return [
        CatalogueRow(slot, by_day.get(to_local(slot.start_at).date(), []), in_use.get(slot.id, [])) for slot in slots
    ]


def open_tours_by_day(first: date, last: date, manager: User) -> dict[date, list[Tour]]:
    """Draft and published tours `manager` manages starting between local days `first` and `last`, by local day."""
    start, end = local_day_bounds(first, last)
    tours = db.session.scalars(
        select(Tour)
        .where(Tour.status.in_(OPEN_TOUR_STATUSES), Tour.start_at >= start, Tour.start_at < end)
        .where(managed_by(manager))
        .order_by(Tour.start_at, Tour.id)
    )
    grouped: dict[date, list[Tour]] = defaultdict(list)
    for tour in tours:
        grouped[to_local(tour.start_at).date()].append(tour)
    return dict(grouped)


def live_tours_by_slot(slot_ids: list[int], viewer: User | None = None) -> dict[int, list[Tour]]:
    """For each of these slots, the draft, published or closed tours that have it as a candidate: all of them,
    or with `viewer` those they may see (drafts are their own territory's alone)."""
    if not slot_ids:
        return {}
    query = (
        select(TourCandidate.slot_id, Tour)
        .join(Tour, TourCandidate.tour_id == Tour.id)
        .where(TourCandidate.slot_id.in_(slot_ids), Tour.status.in_(LIVE_TOUR_STATUSES))
        .order_by(Tour.start_at, Tour.id)
    )
    if viewer is not None:
        query = query.where(or_(managed_by(viewer), Tour.status != TourStatus.DRAFT))
    rows = db.session.execute(query)
    grouped: dict[int, list[Tour]] = defaultdict(list)
    for slot_id, tour in rows:
        grouped[slot_id].append(tour)
    return dict(grouped)


def filter_territories(viewer: User) -> list[str]:
    """The catalogue's territory filter: every territory that has an industrial zone (organisers only)."""
    require_organiser(viewer)
    return territories()


def territories() -> list[str]:
    """Every territory that has an industrial zone, alphabetically."""
    return list(db.session.scalars(select(IndustrialZone.territory).distinct().order_by(IndustrialZone.territory)))


def sectors() -> list[str]:
    """Every sector named by a site, alphabetically (suggestions for the trade filter)."""
    return list(
        db.session.scalars(select(Site.sector).where(Site.sector.is_not(None)).distinct().order_by(Site.sector))
    )
