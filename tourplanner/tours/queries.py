"""Read-only queries of tours, and who may see which: one rule for the API and the pages."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, Select, false, or_, select
from sqlalchemy.orm import joinedload, selectinload

from tourplanner.accounts.enums import OrganisationKind, Role
from tourplanner.accounts.models import Organisation, User
from tourplanner.accounts.permissions import require_organiser, require_role
from tourplanner.bookings.enums import BookingStatus
from tourplanner.bookings.models import Booking
from tourplanner.bookings.rules import is_host
from tourplanner.db import utcnow
from tourplanner.errors import NotFound, PermissionDenied
from tourplanner.extensions import db
from tourplanner.pagination import Page, PageRequest, keyset_page
from tourplanner.sites.models import Site, Slot
from tourplanner.tours.enums import TourKind, TourStatus
from tourplanner.tours.models import AmbassadorAssignment, Stop, Tour, TourQuota

# --- who manages which tour: the one rule of territories ------------------------------------
#
# An organiser manages (edits, optimises, publishes, reads the bookings, participants,
# attendance and bilan of) the tours of their own organisation, i.e. of their territory.
# An organiser without an organisation manages the tours of organisers without one.
# Other organisations' tours are theirs alone: a draft is 404 (its existence is private),
# a published tour, which every signed-in user may read, is 403 for management.


def manages_tour(user: User, tour: Tour) -> bool:
    """Whether `user` is an organiser of the organisation that runs `tour`."""
    return user.role is Role.ORGANISER and tour.organisation_id == user.organisation_id


def managed_by(user: User) -> ColumnElement[bool]:
    """The condition on Tour for "tours `user` manages", to add to any query of tours."""
    if user.role is not Role.ORGANISER:
        return false()
    if user.organisation_id is None:
        return Tour.organisation_id.is_(None)
    return Tour.organisation_id == user.organisation_id


def is_tour_visible(user: User, tour: Tour) -> bool:
    """Whether `user` may see `tour` at all: a draft is its managing organisers' alone."""
    return tour.status is not TourStatus.DRAFT or manages_tour(user, tour)


def get_visible_tour(user: User, tour_id: int) -> Tour:
    """The tour with this id as `user` may read it; NotFound when unknown or invisible to them."""
    tour = db.session.get(Tour, tour_id)
    if tour is None or not is_tour_visible(user, tour):
        raise NotFound("ce tour n'existe pas")
    return tour


def reverse_visit_hosts() -> list[Organisation]:
    """The organisations a reverse visit may be hosted by (insertion structures, SIAE), by name: the tour form's
    choices (the same rule as tours.operations' host check; names of structures, nothing private)."""
    return list(
        db.session.scalars(
            select(Organisation).where(Organisation.kind == OrganisationKind.SIAE).order_by(Organisation.name)
        )
    )


def reverse_visit_for_host(user: User, tour_id: int) -> Tour:
    """A reverse visit's tour, for the page saying who is coming: its host structure's people and its organisers
    (403 for others; 404 unknown or a draft they do not manage)."""
    tour = get_visible_tour(user, tour_id)
    if not (manages_tour(user, tour) or is_host(tour, user)):
        raise PermissionDenied("page réservée à la structure qui accueille la visite et aux organisateurs")
    return tour


def check_manages(user: User, tour: Tour) -> None:
    """Refuse unless `user` manages `tour`: 403 for others' published tours, 404 for their drafts."""
    require_organiser(user)
    if manages_tour(user, tour):
        return
    if not is_tour_visible(user, tour):
        raise NotFound("ce tour n'existe pas")
    raise PermissionDenied("ce tour est géré par une autre organisation (un autre territoire)")


def get_managed_tour(user: User, tour_id: int) -> Tour:
    """The tour with this id if `user` manages it (403 not an organiser or another territory's; 404 unknown)."""
    require_organiser(user)
    tour = db.session.get(Tour, tour_id)
    if tour is None:
        raise NotFound("ce tour n'existe pas")
    check_manages(user, tour)
    return tour


def visible_tours_query(user: User, upcoming_only: bool = True) -> Select[tuple[Tour]]:
    """The statement of the tours `user` may list: the visible ones still running (published, closed or
    done: a cancelled tour is read through its bookings, not listed), and every tour an organiser manages.
    Ordered by start, then id."""
    query = select(Tour).order_by(Tour.start_at, Tour.id)
    if upcoming_only:
        query = query.where(Tour.end_at >= utcnow() - timedelta(days=1))
    running = Tour.status.in_([TourStatus.PUBLISHED, TourStatus.CLOSED, TourStatus.DONE])
    # Organisers list their own territory's tours, drafts and cancelled ones included, and
    # the other territories' running ones (public to all: prescribers book across territories).
    return query.where(or_(managed_by(user), running))


def visible_tours(user: User, upcoming_only: bool = True) -> list[Tour]:
    """Tours `user` may list (see `visible_tours_query`), each with its buses and rules loaded."""
    return list(db.session.scalars(visible_tours_query(user, upcoming_only).options(*TOUR_LIST_LOADS)))


def visible_tours_page(user: User, page: PageRequest, upcoming_only: bool = True) -> Page[Tour]:
    """One page of the tours `user` may list, keyset on (start, id): stable while tours are added."""
    query = visible_tours_query(user, upcoming_only).options(*TOUR_LIST_LOADS)
    return keyset_page(
        query,
        [(Tour.start_at, datetime), (Tour.id, int)],
        lambda tour: (tour.start_at, tour.id),
        page,
        lambda statement: list(db.session.scalars(statement)),
    )


#: What a list of tours shows of each tour, loaded in a few statements for the whole list (never one per tour).
TOUR_LIST_LOADS = (
    selectinload(Tour.buses),
    selectinload(Tour.quotas).joinedload(TourQuota.organisation),
    selectinload(Tour.pickup_points),
    joinedload(Tour.host_organisation),
)


def home_tours(user: User) -> list[Tour]:
    """The tours shown on a person's home page, by role."""
    upcoming = Tour.end_at >= utcnow() - timedelta(days=1)
    query = select(Tour).where(upcoming).order_by(Tour.start_at, Tour.id)
    if user.role is Role.ORGANISER:
        query = query.where(managed_by(user))
    elif user.role is Role.PRESCRIBER:
        booked = select(Booking.tour_id).where(
            Booking.prescriber_id == user.id, Booking.status != BookingStatus.CANCELLED
        )
        query = query.where((Tour.status == TourStatus.PUBLISHED) | Tour.id.in_(booked))
    elif user.role is Role.AMBASSADOR:
        query = query.where(
            Tour.id.in_(select(AmbassadorAssignment.tour_id).where(AmbassadorAssignment.user_id == user.id))
        )
    else:
        visited = (
            select(Stop.tour_id)
            .join(Slot, Stop.slot_id == Slot.id)
            .join(Site, Slot.site_id == Site.id)
            .where(Site.organisation_id == user.organisation_id)
        )
        query = query.where(Tour.id.in_(visited), Tour.status != TourStatus.DRAFT)
    return list(db.session.scalars(query))


def reverse_visits_to_come(user: User) -> list[Tour]:
    """Reverse visits to come, open to bookings or closed, for company contacts to book seats on (others: 403)."""
    require_role(user, Role.COMPANY)
    return list(
        db.session.scalars(
            select(Tour)
            .where(
                Tour.kind == TourKind.SIAE_VISIT,
                Tour.status.in_((TourStatus.PUBLISHED, TourStatus.CLOSED)),
                Tour.end_at >= utcnow(),
            )
            .order_by(Tour.start_at, Tour.id)
        )
    )


def own_bookings_on(user: User, tours: list[Tour]) -> dict[int, list[Booking]]:
    """`user`'s own bookings on these tours, by tour id, oldest first."""
    found: dict[int, list[Booking]] = {}
    for booking in db.session.scalars(
        select(Booking)
        .where(Booking.prescriber_id == user.id, Booking.tour_id.in_([t.id for t in tours]))
        .order_by(Booking.id)
    ):
        found.setdefault(booking.tour_id, []).append(booking)
    return found
