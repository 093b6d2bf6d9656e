"""The verbs and queries of trades: tag sites and tours with ROME codes, find tours by trade, passerelles.

A site's trades are the lines its company wrote ("H2903 Conduite de tour à commande
numérique"); each line that starts with a code of the referential, or is exactly one of its
labels, tags the site with that code. A tour shows the trades of the sites it visits
(its stops, else its candidate slots) and those its organiser tagged it with.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, select

from tourplanner.accounts.models import User
from tourplanner.audit.operations import record
from tourplanner.db import utcnow
from tourplanner.errors import FieldError, InvalidInput
from tourplanner.extensions import db
from tourplanner.sites.models import Site, Slot
from tourplanner.text import fold
from tourplanner.tours.enums import TourStatus
from tourplanner.tours.models import Stop, Tour, TourCandidate
from tourplanner.tours.queries import check_manages
from tourplanner.trades.models import SiteTrade, TourTrade
from tourplanner.trades.referential import ROME_CODE, Referential, RomeTrade, load

#: Tours a search lists: open to bookings, closed or held (never drafts nor cancelled ones).
LISTED_STATUSES = (TourStatus.PUBLISHED, TourStatus.CLOSED, TourStatus.DONE)


def code_of_line(line: str, referential: Referential | None = None) -> str | None:
    """The ROME code a trade line stands for: its leading code, or the code of the label it is; else None."""
    referential = referential or load()
    line = line.strip()
    head = line[:5].upper()
    if ROME_CODE.match(head) and (len(line) == 5 or not line[5].isalnum()):
        return head
    for trade in referential.trades.values():
        if fold(trade.label) == fold(line):
            return trade.code
    return None


def line_errors(lines: list[str], field: str = "trades") -> list[FieldError]:
    """Lines that start with something shaped like a ROME code but is not one (a domain letter beyond N).

    A well-formed code the shipped referential lacks is kept as the company wrote it (the
    referential holds the industrial trades, not all of ROME); it only tags nothing.
    """
    errors = []
    for index, line in enumerate(lines):
        head = line.strip()[:5].upper()
        if re.match(r"^[A-Z]\d{4}$", head) and not ROME_CODE.match(head) and not line.strip()[5:6].isalnum():
            errors.append(
                FieldError(f"{field}.{index}", f"code ROME invalide : {head} (une lettre de A à N et quatre chiffres)")
            )
    return errors


def tag_site(site: Site) -> list[str]:
    """Tag the site with the ROME codes of its trade lines (replacing its tags); returns the codes."""
    referential = load()
    codes: list[str] = []
    for line in (site.trades or "").splitlines():
        code = code_of_line(line, referential)
        if code is not None and referential.get(code) is not None and code not in codes:
            codes.append(code)
    db.session.flush()
    db.session.execute(delete(SiteTrade).where(SiteTrade.site_id == site.id))
    db.session.add_all(SiteTrade(site_id=site.id, rome_code=code) for code in codes)
    db.session.flush()
    return codes


def site_codes(site: Site) -> list[str]:
    """The ROME codes a site is tagged with."""
    return list(
        db.session.scalars(select(SiteTrade.rome_code).where(SiteTrade.site_id == site.id).order_by(SiteTrade.id))
    )


def set_tour_trades(tour: Tour, codes: list[str], organiser: User) -> list[str]:
    """Tag a tour with these ROME codes (replacing its tags); unknown codes are refused (422)."""
    check_manages(organiser, tour)
    referential = load()
    wanted: list[str] = []
    errors = []
    for index, code in enumerate(codes):
        trade = referential.get(code)
        if trade is None:
            errors.append(FieldError(f"codes.{index}", f"code ROME inconnu : {code.strip()}"))
        elif trade.code not in wanted:
            wanted.append(trade.code)
    if errors:
        raise InvalidInput(errors)
    db.session.execute(delete(TourTrade).where(TourTrade.tour_id == tour.id))
    db.session.add_all(TourTrade(tour_id=tour.id, rome_code=code) for code in wanted)
    db.session.flush()
    record(organiser, "tour.trades", tour, codes=wanted)
    return wanted


@dataclass(frozen=True)
class TradeShown:
    """A trade a tour shows, where (the sector of the site, or of the referential) and at which sites."""

    trade: RomeTrade
    sectors: tuple[str, ...]
    sites: tuple[str, ...]


@dataclass(frozen=True)
class Passerelle:
    """Where a trade seen on a tour leads elsewhere: the same know-how in another sector."""

    trade: RomeTrade
    family_label: str | None
    #: (sector, trade of that sector) pairs, other sectors than those where the tour shows it.
    elsewhere: tuple[tuple[str, RomeTrade], ...]


def _visited_sites(tour_ids: list[int]) -> dict[int, list[Site]]:
    """Tour id → the sites it visits (its stops and its candidate slots), each once."""
    found: dict[int, list[Site]] = {tour_id: [] for tour_id in tour_ids}
    if not tour_ids:
        return found
    rows = db.session.execute(
        select(Stop.tour_id, Slot.site_id)
        .join(Slot, Stop.slot_id == Slot.id)
        .where(Stop.tour_id.in_(tour_ids))
        .union_all(
            select(TourCandidate.tour_id, Slot.site_id)
            .join(Slot, TourCandidate.slot_id == Slot.id)
            .where(TourCandidate.tour_id.in_(tour_ids))
        )
    ).all()
    for tour_id, site_id in rows:
        site = db.session.get(Site, site_id)
        if site is not None and site not in found[tour_id]:
            found[tour_id].append(site)
    return found


def trades_shown(tour: Tour) -> list[TradeShown]:
    """The trades a tour shows: its sites' (with their sectors) and its own tags, by code."""
    return _trades_shown_by_tour([tour])[tour.id]


def _trades_shown_by_tour(tours: list[Tour]) -> dict[int, list[TradeShown]]:
    referential = load()
    sites_by_tour = _visited_sites([t.id for t in tours])
    all_sites = {site.id: site for sites in sites_by_tour.values() for site in sites}
    site_tags: dict[int, list[str]] = {}
    if all_sites:
        for site_id, code in db.session.execute(
            select(SiteTrade.site_id, SiteTrade.rome_code)
            .where(SiteTrade.site_id.in_(list(all_sites)))
            .order_by(SiteTrade.id)
        ):
            site_tags.setdefault(site_id, []).append(code)
    tour_tags: dict[int, list[str]] = {}
    for tour_id, code in db.session.execute(
        select(TourTrade.tour_id, TourTrade.rome_code)
        .where(TourTrade.tour_id.in_([t.id for t in tours]))
        .order_by(TourTrade.id)
    ):
        tour_tags.setdefault(tour_id, []).append(code)
    result: dict[int, list[TradeShown]] = {}
    for tour in tours:
        sectors: dict[str, list[str]] = {}
        sites: dict[str, list[str]] = {}
        for site in sites_by_tour[tour.id]:
            for code in site_tags.get(site.id, []):
                if site.sector and site.sector not in sectors.setdefault(code, []):
                    sectors[code].append(site.sector)
                sites.setdefault(code, []).append(site.organisation.name)
        for code in tour_tags.get(tour.id, []):
            sectors.setdefault(code, [])
        shown = []
        for code in sorted(sectors):
            trade = referential.get(code)
            if trade is None:
                continue
            where = tuple(sectors[code]) or trade.sectors
            shown.append(TradeShown(trade, tuple(where), tuple(dict.fromkeys(sites.get(code, [])))))
        result[tour.id] = shown
    return result


def passerelles(tour: Tour) -> list[Passerelle]:
    """For each trade the tour shows, the other sectors where the same know-how is met (its passerelles)."""
    referential = load()
    found = []
    for shown in trades_shown(tour):
        here = {fold(s) for s in shown.sectors}
        family = referential.families.get(shown.trade.family or "")
        kin = referential.family_members(family.key) if family else [shown.trade]
        if shown.trade not in kin:
            kin.append(shown.trade)
        elsewhere: dict[str, RomeTrade] = {}
        # The trade itself in its other sectors first, then its family's trades of other sectors.
        for trade in [shown.trade] + [t for t in kin if t != shown.trade]:
            for sector in trade.sectors:
                if fold(sector) not in here and sector not in elsewhere:
                    elsewhere[sector] = trade
        found.append(Passerelle(shown.trade, family.label if family else None, tuple(sorted(elsewhere.items()))))
    return found


@dataclass(frozen=True)
class TourMatch:
    """A tour showing a trade searched for: which of the trades matched, in which sectors."""

    tour: Tour
    trades: tuple[TradeShown, ...]


@dataclass(frozen=True)
class TradeSearch:
    """What a search for a trade found: the trades it means (their families included) and the tours showing them."""

    query: str
    trades: tuple[RomeTrade, ...]
    tours: tuple[TourMatch, ...]

    @property
    def sectors(self) -> list[str]:
        """Every sector where the tours found show the trade, sorted."""
        return sorted({s for match in self.tours for shown in match.trades for s in shown.sectors})


def search_tours(text: str, upcoming_only: bool = True) -> TradeSearch:
    """Tours (published, closed or held) showing a trade matching `text`, or one of its family, in every sector."""
    referential = load()
    matched = referential.search(text)
    families = {t.family for t in matched if t.family}
    wanted = {t.code: t for t in matched}
    for family in families:
        wanted.update({t.code: t for t in referential.family_members(family)})
    if not wanted:
        return TradeSearch(text, (), ())
    codes = list(wanted)
    by_site = (
        select(Stop.tour_id)
        .join(Slot, Stop.slot_id == Slot.id)
        .join(SiteTrade, SiteTrade.site_id == Slot.site_id)
        .where(SiteTrade.rome_code.in_(codes))
    )
    by_candidate = (
        select(TourCandidate.tour_id)
        .join(Slot, TourCandidate.slot_id == Slot.id)
        .join(SiteTrade, SiteTrade.site_id == Slot.site_id)
        .where(SiteTrade.rome_code.in_(codes))
    )
    by_tag = select(TourTrade.tour_id).where(TourTrade.rome_code.in_(codes))
    query = (
        select(Tour)
        .where(Tour.id.in_(by_site.union(by_candidate, by_tag)), Tour.status.in_(LISTED_STATUSES))
        .order_by(Tour.start_at, Tour.id)
    )
    if upcoming_only:
        query = query.where(Tour.end_at >= utcnow() - timedelta(days=1))
    tours = list(db.session.scalars(query))
    shown = _trades_shown_by_tour(tours)
    matches = tuple(TourMatch(tour, tuple(s for s in shown[tour.id] if s.trade.code in wanted)) for tour in tours)
    return TradeSearch(text, tuple(sorted(wanted.values(), key=lambda t: t.code)), matches)
