"""A company's visits: the stops at its sites in published tours, and its answer to each.

A company contact sees the visits planned at its organisation's sites once the tour is
published (published, closed or done tours; never drafts or cancelled ones). It confirms
or declines each. A decline never changes the itinerary: it records the answer, marks the
tour as needing re-optimisation and mails the organiser who created the tour (every
active organiser when nobody did), who decides what to do.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import joinedload

from tourplanner.accounts.enums import Role
from tourplanner.accounts.models import User
from tourplanner.accounts.permissions import require_role
from tourplanner.audit.operations import record
from tourplanner.db import utcnow
from tourplanner.errors import Conflict, InvalidInput, NotFound
from tourplanner.extensions import db
from tourplanner.mail.compose import MailText, compose
from tourplanner.mail.operations import enqueue
from tourplanner.pagination import Page, PageRequest, decode_cursor, encode_cursor, keyset_page
from tourplanner.sites.enums import SlotStatus, VisitResponse
from tourplanner.sites.models import Site, Slot
from tourplanner.tours.enums import TourStatus
from tourplanner.tours.models import AmbassadorAssignment, Bus, Stop, Tour
from tourplanner.tours.notices import plan_changed
from tourplanner.tours.queries import manages_tour
from tourplanner.tours.seats import seats_of_tour, seats_of_tours

#: Tours whose visits a company sees: published ones, before and after the day.
VISIBLE_TOUR_STATUSES = (TourStatus.PUBLISHED, TourStatus.CLOSED, TourStatus.DONE)
#: Tours whose visits a company may still answer.
ANSWERABLE_TOUR_STATUSES = (TourStatus.PUBLISHED, TourStatus.CLOSED)
#: Longest reason for a decline.
MAX_REASON = 500


@dataclass(frozen=True)
class Visit:
    """A visit as its company sees it: the stop, the bus, the group and its ambassadors."""

    stop: Stop
    tour: Tour
    site: Site
    bus: Bus
    #: Confirmed seats on that bus (all confirmed seats when the tour has one bus).
    group_size: int
    ambassadors: list[str]

    @property
    def is_answerable(self) -> bool:
        """Whether the company may still confirm or decline it (live tour, visit to come)."""
        return self.tour.status in ANSWERABLE_TOUR_STATUSES and self.stop.start_at > utcnow()


def group_size(tour: Tour, bus: Bus) -> int:
    """Seats confirmed on a bus; all confirmed seats when the tour has one bus (as calendar.events)."""
    seats = seats_of_tour(tour)
    if len(tour.buses) == 1:
        return seats.confirmed
    return seats.confirmed_by_bus.get(bus.id, 0)


def _visit(stop: Stop) -> Visit:
    return _visits([stop])[0]


def _visits(stops: list[Stop]) -> list[Visit]:
    """The visits of these stops, with their groups and ambassadors read in a few statements for all of them."""
    if not stops:
        return []
    bus_ids = {stop.bus_id for stop in stops}
    names: dict[int, list[str]] = {bus_id: [] for bus_id in bus_ids}
    for bus_id, name in db.session.execute(
        select(AmbassadorAssignment.bus_id, User.name)
        .join(User, User.id == AmbassadorAssignment.user_id)
        .where(AmbassadorAssignment.bus_id.in_(bus_ids))
        .order_by(AmbassadorAssignment.id)
    ):
        names[bus_id].append(name)
    seats = seats_of_tours(list({stop.bus.tour.id: stop.bus.tour for stop in stops}.values()))
    visits = []
    for stop in stops:
        tour = stop.bus.tour
        if len(tour.buses) == 1:  # as group_size: one bus carries every confirmed seat
            size = seats[tour.id].confirmed
        else:
            size = seats[tour.id].confirmed_by_bus.get(stop.bus_id, 0)
        visits.append(Visit(stop, tour, stop.slot.site, stop.bus, size, names[stop.bus_id]))
    return visits


#: What a visit shows of its stop, loaded for a whole list at once.
VISIT_LOADS = (
    joinedload(Stop.bus).joinedload(Bus.tour).selectinload(Tour.buses),
    joinedload(Stop.slot).joinedload(Slot.site).joinedload(Site.organisation),
)


def _visits_query(user: User):
    require_role(user, Role.COMPANY)
    return (
        select(Stop)
        .join(Tour, Stop.tour_id == Tour.id)
        .join(Slot, Stop.slot_id == Slot.id)
        .join(Site, Slot.site_id == Site.id)
        .where(Site.organisation_id == user.organisation_id, Tour.status.in_(VISIBLE_TOUR_STATUSES))
    )


def company_visits(user: User, since: datetime | None = None) -> list[Visit]:
    """The visits at the sites of `user`'s company (company contacts), those ending after `since` when given."""
    query = _visits_query(user).options(*VISIT_LOADS).order_by(Stop.arrival_at, Stop.id)
    if since is not None:
        query = query.where(Stop.departure_at >= since)
    return _visits(list(db.session.scalars(query).unique()))


def company_visits_page(user: User, page: PageRequest) -> Page[Visit]:
    """One page of `company_visits`, keyset on (arrival, id)."""
    query = _visits_query(user).options(*VISIT_LOADS).order_by(Stop.arrival_at, Stop.id)
    stops = keyset_page(
        query,
        [(Stop.arrival_at, datetime), (Stop.id, int)],
        lambda stop: (stop.arrival_at, stop.id),
        page,
        lambda statement: list(db.session.scalars(statement).unique()),
    )
    return Page(_visits(stops.items), stops.next_cursor)


def visit_for(user: User, stop_id: int) -> Visit:
    """The visit of this stop, at a site of `user`'s company; NotFound otherwise (existence stays private)."""
    stop = db.session.scalar(_visits_query(user).where(Stop.id == stop_id))
    if stop is None:
        raise NotFound(f"aucune visite n°{stop_id}")
    return _visit(stop)


def _require_answerable(visit: Visit) -> None:
    if visit.tour.status not in ANSWERABLE_TOUR_STATUSES:
        raise Conflict(f"le tour est {visit.tour.status.label.lower()} : la visite ne peut plus recevoir de réponse")
    if visit.stop.start_at <= utcnow():
        raise Conflict("la visite a déjà commencé : elle ne peut plus recevoir de réponse")


def confirm_visit(visit: Visit, actor: User) -> Stop:
    """The company confirms it receives the visit (again: nothing changes); refused once declined."""
    _require_answerable(visit)
    stop = visit.stop
    if stop.company_response is VisitResponse.DECLINED:
        raise Conflict(
            "vous avez décliné cette visite : l'organisateur en a été prévenu ; contactez-le pour revenir dessus"
        )
    if stop.company_response is VisitResponse.CONFIRMED:
        return stop
    stop.company_response = VisitResponse.CONFIRMED
    stop.responded_at = utcnow()
    if stop.slot.status is SlotStatus.OFFERED:
        stop.slot.status = SlotStatus.ACCEPTED
    db.session.flush()
    record(actor, "visit.confirm", stop, tour_id=visit.tour.id, slot_id=stop.slot_id)
    return stop


def decline_visit(visit: Visit, actor: User, reason: str | None = None) -> Stop:
    """The company cannot receive the visit: answer recorded, tour marked for re-optimisation, organiser mailed.

    The itinerary itself is left as it is: only the organiser changes it.
    """
    _require_answerable(visit)
    reason = (reason or "").strip() or None
    if reason is not None and len(reason) > MAX_REASON:
        raise InvalidInput.one("reason", f"{MAX_REASON} caractères au plus")
    stop = visit.stop
    if stop.company_response is VisitResponse.DECLINED:
        raise Conflict("cette visite est déjà déclinée")
    stop.company_response = VisitResponse.DECLINED
    stop.responded_at = utcnow()
    stop.decline_reason = reason
    # The slot is no longer on offer: no other tour picks it up.
    if stop.slot.status in (SlotStatus.OFFERED, SlotStatus.ACCEPTED, SlotStatus.PAUSED):
        stop.slot.status = SlotStatus.DECLINED
    visit.tour.needs_reoptimisation = True
    # Nobody's programme announces it any more; the company's own invitation is withdrawn.
    plan_changed(visit.tour)
    for organiser in _organisers_of(visit.tour):
        mail = decline_mail(visit, actor, reason, organiser)
        enqueue(organiser.email, mail.subject, mail.text, mail.html)
    db.session.flush()
    record(actor, "visit.decline", stop, tour_id=visit.tour.id, slot_id=stop.slot_id, reason=reason)
    return stop


def _organisers_of(tour: Tour) -> list[User]:
    """Who hears of a decline: the tour's creator, else the active organisers who manage it (its territory's)."""
    creator = tour.created_by
    if creator is not None and creator.is_active and creator.role is Role.ORGANISER and manages_tour(creator, tour):
        return [creator]
    managers = (
        User.organisation_id.is_(None) if tour.organisation_id is None else User.organisation_id == tour.organisation_id
    )
    return list(
        db.session.scalars(
            select(User).where(User.role == Role.ORGANISER, User.is_active.is_(True), managers).order_by(User.id)
        )
    )


def decline_mail(visit: Visit, actor: User, reason: str | None, organiser: User) -> MailText:
    """The organiser's mail about a declined visit, in French."""
    from flask import current_app

    base = current_app.config["BASE_URL"].rstrip("/")
    return compose(
        "visit_declined",
        f"Visite déclinée : {visit.site.name} — {visit.tour.title}",
        name=organiser.name,
        actor=actor,
        site=visit.site,
        tour=visit.tour,
        stop=visit.stop,
        bus=visit.bus,
        reason=reason,
        itinerary_url=f"{base}/tours/{visit.tour.id}/itineraire",
    )


def company_visits_page_of(user: User, page: PageRequest, upcoming: bool, now: datetime) -> Page[Visit]:
    """One page of the visits to come (ending at `now` or later, soonest first) or past ones (latest first)."""
    query = _visits_query(user).options(*VISIT_LOADS)
    if upcoming:
        stops = keyset_page(
            query.where(Stop.departure_at >= now).order_by(Stop.arrival_at, Stop.id),
            [(Stop.arrival_at, datetime), (Stop.id, int)],
            lambda stop: (stop.arrival_at, stop.id),
            page,
            lambda statement: list(db.session.scalars(statement).unique()),
        )
        return Page(_visits(stops.items), stops.next_cursor)
    # Past visits, latest first: the keyset runs backwards.
    query = query.where(Stop.departure_at < now).order_by(Stop.arrival_at.desc(), Stop.id.desc())
    if page.cursor is not None:
        arrival, stop_id = decode_cursor(page.cursor, [datetime, int])
        query = query.where(or_(Stop.arrival_at < arrival, and_(Stop.arrival_at == arrival, Stop.id < stop_id)))
    rows = list(db.session.scalars(query.limit(page.limit + 1)).unique())
    cursor = (
        encode_cursor((rows[page.limit - 1].arrival_at, rows[page.limit - 1].id)) if len(rows) > page.limit else None
    )
    return Page(_visits(rows[: page.limit]), cursor)
