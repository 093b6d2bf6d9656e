"""Booking rules an organiser sets per tour: quotas per organisation or kind, pickup points.

Quotas, in the users' words:
- A quota names one organisation, or one kind of organisation (all the missions locales,
  say), and a number of seats. Until its release date, that organisation — or all the
  organisations of that kind together — cannot hold more confirmed and waiting seats on
  the tour than its quota. A booking that would go beyond it is refused (409), not put on
  the waiting list: the waiting list is for seats, the quota is for fairness.
- Quotas only limit the organisations and kinds they name: a prescriber whose
  organisation (and its kind) has no quota books as usual, and so does a prescriber with
  no organisation.
- From the release date on, a quota no longer limits anyone; a quota without a release
  date limits until bookings close.
- Cancelled bookings hold no seats, so cancelling frees room under the quota.

Who books, in the users' words: prescribers book seats on tours; on a reverse visit (kind
`siae_visit`, industrials visiting an insertion structure) company contacts book its seats
instead, with the same rules, and prescribers may not. The hosting structure's people see
who is coming.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select

from tourplanner.accounts.enums import Role
from tourplanner.accounts.models import Organisation, User
from tourplanner.accounts.permissions import require_role
from tourplanner.bookings.enums import BookingStatus
from tourplanner.bookings.models import Booking
from tourplanner.db import utcnow
from tourplanner.errors import Conflict, FieldError, InvalidInput
from tourplanner.extensions import db
from tourplanner.timeutil import to_local
from tourplanner.tours.enums import TourKind
from tourplanner.tours.models import Tour, TourPickupPoint, TourQuota

#: Statuses whose seats count against a quota.
HOLDING_STATUSES = (BookingStatus.CONFIRMED, BookingStatus.WAITLISTED)


def booking_role(tour: Tour) -> Role:
    """Who books the tour's seats: company contacts on a reverse visit, prescribers elsewhere."""
    return Role.COMPANY if tour.kind is TourKind.SIAE_VISIT else Role.PRESCRIBER


def check_may_book(tour: Tour, user: User) -> None:
    """Refuse (403) a user whose role does not book this kind of tour."""
    require_role(user, booking_role(tour))


def is_host(tour: Tour, user: User) -> bool:
    """Whether `user` belongs to the structure hosting the tour (a reverse visit's SIAE)."""
    return tour.host_organisation_id is not None and user.organisation_id == tour.host_organisation_id


def quota_in_force(quota: TourQuota, now: datetime | None = None) -> bool:
    """Whether the quota still limits its holder (its release date has not come)."""
    return quota.released_at is None or (now or utcnow()) < quota.released_at


def quotas_for(tour: Tour, organisation: Organisation | None, now: datetime | None = None) -> list[TourQuota]:
    """The quotas in force on the tour that limit this organisation: its own, then its kind's."""
    if organisation is None:
        return []
    own = [q for q in tour.quotas if q.organisation_id == organisation.id]
    of_kind = [q for q in tour.quotas if q.organisation_kind is organisation.kind]
    return [q for q in own + of_kind if quota_in_force(q, now)]


def seats_held(quota: TourQuota) -> int:
    """Confirmed and waiting seats the quota's holder has on its tour now."""
    query = select(func.coalesce(func.sum(Booking.seats), 0)).where(
        Booking.tour_id == quota.tour_id, Booking.status.in_(HOLDING_STATUSES)
    )
    if quota.organisation_id is not None:
        query = query.where(Booking.organisation_id == quota.organisation_id)
    else:
        query = query.join(Organisation, Booking.organisation_id == Organisation.id).where(
            Organisation.kind == quota.organisation_kind
        )
    return int(db.session.scalar(query) or 0)


def check_quotas(tour: Tour, prescriber: User, seats: int, now: datetime | None = None) -> None:
    """Raise Conflict when `seats` more would put the prescriber's organisation (or kind) over its quota.

    The caller holds the tour's lock, so the seats counted cannot change meanwhile.
    """
    for quota in quotas_for(tour, prescriber.organisation, now):
        held = seats_held(quota)
        if held + seats <= quota.seats:
            continue
        holder = (
            "de l'organisation"
            if quota.organisation_id is not None
            else f"des organisations « {quota.organisation_kind.label} »"
        )
        until = (
            f"jusqu'au {to_local(quota.released_at).strftime('%d/%m/%Y à %H:%M')}"
            if quota.released_at is not None
            else "jusqu'à la clôture des inscriptions"
        )
        left = max(quota.seats - held, 0)
        raise Conflict(
            f"quota {holder} atteint {until} : {quota.seats} places au plus, {held} déjà réservées "
            f"ou en attente, il en reste {left} (demandées : {seats})"
        )


def pickup_point_error(tour: Tour, index: int | None) -> FieldError | None:
    """What is wrong with the pickup point chosen: required when the tour has some, refused when it has none."""
    points = tour.pickup_points
    if not points:
        return FieldError("pickup_point", "ce tour n'a pas de point de prise en charge") if index is not None else None
    if index is None:
        return FieldError("pickup_point", _choose(points))
    if not 0 <= index < len(points):
        return FieldError("pickup_point", f"aucun point de prise en charge n°{index} : {_choose(points)}")
    return None


def pickup_point_for(tour: Tour, index: int | None) -> TourPickupPoint | None:
    """The tour's pickup point at `index` (None on a tour without pickup points); InvalidInput if wrong."""
    error = pickup_point_error(tour, index)
    if error is not None:
        raise InvalidInput([error])
    return tour.pickup_points[index] if index is not None else None


def _choose(points: list[TourPickupPoint]) -> str:
    names = ", ".join(f"{p.position} = {p.name}" for p in points)
    return f"choisissez le point de prise en charge ({names})"
