"""The verbs of tours: create, edit, publish, cancel."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from sqlalchemy import func, select

from tourplanner.accounts.models import User
from tourplanner.accounts.permissions import require_organiser
from tourplanner.audit.operations import record
from tourplanner.bookings.enums import BookingStatus
from tourplanner.bookings.models import Booking
from tourplanner.bookings.operations import fill_from_waiting_list, lock_tour
from tourplanner.db import utcnow
from tourplanner.errors import Conflict, InvalidInput
from tourplanner.extensions import db
from tourplanner.tours.details import UNCHANGED, PickupPoint, Quota, TourDetails, check_details
from tourplanner.tours.enums import TourStatus
from tourplanner.tours.models import Bus, Tour, TourPickupPoint, TourQuota
from tourplanner.tours.notices import plan_changed
from tourplanner.tours.queries import check_manages
from tourplanner.tours.seats import seats_of_tour

#: Why the go/no-go job cancels a tour (told to everyone concerned).
MINIMUM_NOT_REACHED = "nombre minimum de participants non atteint"


def check_may_create_tour(user: User) -> None:
    """Refuse (PermissionDenied) unless `user` may create tours: organisers, for their own territory."""
    require_organiser(user)


def create_tour(details: TourDetails, organiser: User) -> Tour:
    """Create a draft tour with its buses, run by the organiser's organisation (organisers only)."""
    check_may_create_tour(organiser)
    check_details(details)
    tour = Tour(status=TourStatus.DRAFT, created_by=organiser, organisation_id=organiser.organisation_id)
    _apply(tour, details)
    db.session.add(tour)
    record(organiser, "tour.create", tour, title=tour.title)
    return tour


def update_tour(tour: Tour, details: TourDetails, organiser: User) -> Tour:
    """Change a tour's details (its managing organisers); buses can only be removed while they carry no one."""
    check_manages(organiser, tour)
    if tour.status in (TourStatus.CANCELLED, TourStatus.DONE):
        raise Conflict(f"un tour {tour.status.label.lower()} ne se modifie plus")
    details = _with_current_rules(tour, details)
    check_details(details)
    confirmed = seats_of_tour(tour).confirmed
    if sum(details.bus_seats) < confirmed:
        raise InvalidInput.one(
            "buses", f"{confirmed} places sont déjà confirmées : la capacité ne peut pas descendre en dessous"
        )
    before = {"start": tour.start_at.isoformat() if tour.start_at else None, "title": tour.title}
    when_and_where = _when_and_where(tour)
    _apply(tour, details)
    record(organiser, "tour.update", tour, before=before)
    if _when_and_where(tour) != when_and_where:
        plan_changed(tour)
    # Seats may have been added: the waiting list moves up at once.
    db.session.flush()
    fill_from_waiting_list(lock_tour(tour.id), organiser)
    return tour


def _with_current_rules(tour: Tour, details: TourDetails) -> TourDetails:
    """The details with each UNCHANGED booking rule replaced by the tour's current one, to check them all."""
    current = {
        "min_participants": tour.min_participants,
        "go_no_go_at": tour.go_no_go_at,
        "quotas": [Quota(q.seats, q.organisation_id, q.organisation_kind, q.released_at) for q in tour.quotas],
        "pickup_points": [PickupPoint(p.name, p.lat, p.lon) for p in tour.pickup_points],
        "host_organisation_id": tour.host_organisation_id,
    }
    return replace(details, **{name: value for name, value in current.items() if getattr(details, name) is UNCHANGED})


def _when_and_where(tour: Tour) -> tuple[object, ...]:
    """The times and meeting point: a change in them calls for updated invitations."""
    return (
        tour.start_at,
        tour.end_at,
        tour.meeting_point_name,
        tour.meeting_lat,
        tour.meeting_lon,
        tour.boarding_minutes,
        [bus.seats for bus in tour.buses],
        [bus.label for bus in tour.buses],
    )


def _apply(tour: Tour, details: TourDetails) -> None:
    tour.kind = details.kind
    if details.host_organisation_id is not UNCHANGED:
        tour.host_organisation_id = details.host_organisation_id
    tour.title = details.title.strip()
    tour.description = details.description
    tour.start_at = details.start
    tour.end_at = details.end
    tour.meeting_point_name = details.meeting_point_name.strip()
    tour.meeting_lat = details.meeting_lat
    tour.meeting_lon = details.meeting_lon
    if details.meeting_address is not UNCHANGED:
        tour.meeting_address = (details.meeting_address or "").strip()[:300] or None
    if details.lunch_place is not UNCHANGED:
        tour.lunch_place = (details.lunch_place or "").strip()[:300] or None
    tour.booking_deadline_at = details.booking_deadline
    tour.max_seats_per_booking = details.max_seats_per_booking
    if details.boarding_minutes is not UNCHANGED:
        tour.boarding_minutes = details.boarding_minutes
    elif tour.boarding_minutes is None:
        tour.boarding_minutes = 0
    lunch = details.lunch
    tour.lunch_earliest_at = lunch.earliest if lunch else None
    tour.lunch_latest_at = lunch.latest if lunch else None
    tour.lunch_minutes = lunch.minutes if lunch else None
    labels = details.bus_labels or [None] * len(details.bus_seats)
    for position, seats in enumerate(details.bus_seats):
        if position < len(tour.buses):
            tour.buses[position].seats = seats
            tour.buses[position].label = labels[position]
        else:
            tour.buses.append(Bus(position=position, seats=seats, label=labels[position]))
    for bus in tour.buses[len(details.bus_seats) :]:
        if bus.stops or _bus_in_use(bus):
            raise InvalidInput.one(
                "buses", f"{bus.name} a déjà un itinéraire ou des passagers : il ne peut pas être retiré"
            )
        tour.buses.remove(bus)
    minimum_before = (tour.min_participants, tour.go_no_go_at)
    if details.min_participants is not UNCHANGED:
        tour.min_participants = details.min_participants
    if details.go_no_go_at is not UNCHANGED:
        tour.go_no_go_at = details.go_no_go_at
    if (tour.min_participants, tour.go_no_go_at) != minimum_before:
        tour.go_confirmed_at = None  # a new minimum or date: the check is made again
    if details.quotas is not UNCHANGED:
        _apply_quotas(tour, details.quotas)
    if details.pickup_points is not UNCHANGED:
        _apply_pickup_points(tour, details.pickup_points)


def _apply_quotas(tour: Tour, quotas: list[Quota]) -> None:
    """Replace the tour's quotas (the old rows go first: an organisation has one quota per tour)."""
    wanted = [(q.organisation_id, q.organisation_kind, q.seats, q.released_at) for q in quotas]
    current = [(q.organisation_id, q.organisation_kind, q.seats, q.released_at) for q in tour.quotas]
    if wanted == current:
        return
    tour.quotas.clear()
    if tour.id is not None:
        db.session.flush()
    for quota in quotas:
        tour.quotas.append(
            TourQuota(
                organisation_id=quota.organisation_id,
                organisation_kind=quota.organisation_kind,
                seats=quota.seats,
                released_at=quota.released_at,
            )
        )


def _apply_pickup_points(tour: Tour, points: list[PickupPoint]) -> None:
    """Pickup points are kept by position, like buses; one a live booking boards at cannot go."""
    for position, point in enumerate(points):
        if position < len(tour.pickup_points):
            kept = tour.pickup_points[position]
            kept.name, kept.lat, kept.lon = point.name.strip(), point.lat, point.lon
        else:
            tour.pickup_points.append(
                TourPickupPoint(position=position, name=point.name.strip(), lat=point.lat, lon=point.lon)
            )
    for point in tour.pickup_points[len(points) :]:
        if point.id is not None:
            boarding = db.session.scalars(select(Booking).where(Booking.pickup_point_id == point.id)).all()
            if any(b.status is not BookingStatus.CANCELLED for b in boarding):
                raise InvalidInput.one(
                    "pickup_points", f"des participants montent à « {point.name} » : ce point ne peut pas être retiré"
                )
            for booking in boarding:  # cancelled: where they would have boarded no longer matters
                booking.pickup_point_id = None
        tour.pickup_points.remove(point)


def _bus_in_use(bus: Bus) -> bool:
    if bus.id is None:
        return False
    return bool(db.session.scalar(select(func.count()).select_from(Booking).where(Booking.bus_id == bus.id)))


def publish_tour(tour: Tour, organiser: User) -> Tour:
    """Open a draft tour to bookings (its managing organisers)."""
    check_manages(organiser, tour)
    if tour.status is not TourStatus.DRAFT:
        raise Conflict(f"seul un brouillon peut être publié (ce tour est : {tour.status.label.lower()})")
    if tour.booking_deadline_at <= utcnow():
        raise Conflict("la date limite d'inscription est passée : modifiez-la avant de publier")
    tour.status = TourStatus.PUBLISHED
    tour.published_at = utcnow()
    record(organiser, "tour.publish", tour)
    plan_changed(tour)
    return tour


def close_bookings(tour: Tour, now: datetime | None = None) -> bool:
    """Close a published tour to bookings once its booking deadline has passed; True when closed.

    The scheduler calls it for every tour past its deadline; a tour already closed (or not
    published) is left as it is, so calling it twice closes once.
    """
    now = now or utcnow()
    if tour.status is not TourStatus.PUBLISHED or tour.booking_deadline_at > now:
        return False
    tour.status = TourStatus.CLOSED
    record(None, "tour.close", tour, booking_deadline=tour.booking_deadline_at.isoformat())
    return True


def cancel_tour(tour: Tour, actor: User | None, reason: str | None = None) -> Tour:
    """Cancel a tour and tell everyone concerned: its managing organisers, or the system (`actor` None)."""
    if actor is not None:
        check_manages(actor, tour)
    if tour.status in (TourStatus.CANCELLED, TourStatus.DONE):
        raise Conflict(f"ce tour est déjà {tour.status.label.lower()}")
    tour.status = TourStatus.CANCELLED
    tour.cancelled_at = utcnow()
    tour.cancellation_reason = reason[:500] if reason else None
    record(actor, "tour.cancel", tour, reason=reason)
    # Even a draft: its ambassadors may hold an invitation.
    plan_changed(tour)
    return tour


def cancel_if_under_minimum(tour: Tour, now: datetime | None = None) -> bool:
    """At its go/no-go date, cancel a published or closed tour with fewer confirmed seats than its minimum.

    Returns whether the tour was cancelled. A tour with enough participants is marked as
    going ahead (`go_confirmed_at`) and later cancellations do not undo it; a tour already
    decided is left as it is, so calling this twice cancels once.
    """
    now = now or utcnow()
    tour = lock_tour(tour.id)  # no booking slips in while we count
    if (
        tour.status not in (TourStatus.PUBLISHED, TourStatus.CLOSED)
        or tour.min_participants is None
        or tour.go_no_go_at is None
        or now < tour.go_no_go_at
        or tour.go_confirmed_at is not None
    ):
        return False
    if seats_of_tour(tour).confirmed >= tour.min_participants:
        tour.go_confirmed_at = now
        record(None, "tour.go", tour, min_participants=tour.min_participants)
        return False
    cancel_tour(tour, None, reason=MINIMUM_NOT_REACHED)
    return True
