"""The verbs of tours: create, edit, publish, cancel."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select

from tourplanner.accounts.models import User
from tourplanner.audit.operations import record
from tourplanner.bookings.enums import BookingStatus
from tourplanner.bookings.operations import fill_from_waiting_list, lock_tour
from tourplanner.bookings.models import Booking
from tourplanner.calendar import invitations
from tourplanner.db import utcnow
from tourplanner.errors import Conflict, FieldError, InvalidInput
from tourplanner.extensions import db
from tourplanner.tours.enums import TourKind, TourStatus
from tourplanner.tours.models import Bus, Tour

#: Largest coach we expect; beyond this a typo is more likely than a vehicle.
MAX_BUS_SEATS = 100


@dataclass(frozen=True)
class Lunch:
    """A lunch break: it starts between `earliest` and `latest` and lasts `minutes`."""

    earliest: datetime
    latest: datetime
    minutes: int


@dataclass(frozen=True)
class TourDetails:
    """Everything an organiser sets when creating or editing a tour."""

    title: str
    start: datetime
    end: datetime
    meeting_point_name: str
    meeting_lat: float
    meeting_lon: float
    bus_seats: list[int]
    booking_deadline: datetime
    lunch: Lunch | None = None
    kind: TourKind = TourKind.ZI_TOUR
    description: str | None = None
    max_seats_per_booking: int | None = None
    bus_labels: list[str | None] | None = None


def check_details(details: TourDetails) -> None:
    """Raise InvalidInput naming every field of `details` that breaks a rule."""
    errors: list[FieldError] = []
    if not details.title.strip():
        errors.append(FieldError("title", "le titre est obligatoire"))
    if details.end <= details.start:
        errors.append(FieldError("end", "la fin doit être après le début"))
    if details.booking_deadline > details.start:
        errors.append(FieldError("booking_deadline", "la date limite d'inscription doit précéder le début"))
    if not details.meeting_point_name.strip():
        errors.append(FieldError("meeting_point.name", "le lieu de rendez-vous est obligatoire"))
    if not -90 <= details.meeting_lat <= 90:
        errors.append(FieldError("meeting_point.lat", "la latitude doit être comprise entre -90 et 90"))
    if not -180 <= details.meeting_lon <= 180:
        errors.append(FieldError("meeting_point.lon", "la longitude doit être comprise entre -180 et 180"))
    if not details.bus_seats:
        errors.append(FieldError("buses", "il faut au moins un car"))
    for index, seats in enumerate(details.bus_seats):
        if not 1 <= seats <= MAX_BUS_SEATS:
            errors.append(FieldError(f"buses.{index}.seats", f"le nombre de places doit être entre 1 et {MAX_BUS_SEATS}"))
    if details.max_seats_per_booking is not None and details.max_seats_per_booking < 1:
        errors.append(FieldError("max_seats_per_booking", "doit être au moins 1"))
    lunch = details.lunch
    if lunch is not None:
        if lunch.minutes < 1:
            errors.append(FieldError("lunch.minutes", "la durée du déjeuner doit être positive"))
        if lunch.latest < lunch.earliest:
            errors.append(FieldError("lunch.latest", "doit être après lunch.earliest"))
        if lunch.earliest < details.start:
            errors.append(FieldError("lunch.earliest", "le déjeuner doit commencer pendant le tour"))
        if lunch.latest + timedelta(minutes=lunch.minutes) > details.end:
            errors.append(FieldError("lunch.latest", "le déjeuner doit finir avant la fin du tour"))
    if errors:
        raise InvalidInput(errors)


def create_tour(details: TourDetails, organiser: User) -> Tour:
    """Create a draft tour with its buses."""
    check_details(details)
    tour = Tour(status=TourStatus.DRAFT, created_by=organiser)
    _apply(tour, details)
    db.session.add(tour)
    record(organiser, "tour.create", tour, title=tour.title)
    return tour


def update_tour(tour: Tour, details: TourDetails, organiser: User) -> Tour:
    """Change a tour's details; buses can only be removed while they carry no one."""
    if tour.status in (TourStatus.CANCELLED, TourStatus.DONE):
        raise Conflict(f"un tour {tour.status.label.lower()} ne se modifie plus")
    check_details(details)
    confirmed = seats_by_status(tour)[BookingStatus.CONFIRMED]
    if sum(details.bus_seats) < confirmed:
        raise InvalidInput.one("buses", f"{confirmed} places sont déjà confirmées : la capacité ne peut pas descendre en dessous")
    before = {"start": tour.start_at.isoformat() if tour.start_at else None, "title": tour.title}
    when_and_where = _when_and_where(tour)
    _apply(tour, details)
    record(organiser, "tour.update", tour, before=before)
    if _when_and_where(tour) != when_and_where:
        invitations.tour_changed(tour)
    # Seats may have been added: the waiting list moves up at once.
    db.session.flush()
    fill_from_waiting_list(lock_tour(tour.id), organiser)
    return tour


def _when_and_where(tour: Tour) -> tuple[object, ...]:
    """The times and meeting point: a change in them calls for updated invitations."""
    return (tour.start_at, tour.end_at, tour.meeting_point_name, tour.meeting_lat, tour.meeting_lon)


def _apply(tour: Tour, details: TourDetails) -> None:
    tour.kind = details.kind
    tour.title = details.title.strip()
    tour.description = details.description
    tour.start_at = details.start
    tour.end_at = details.end
    tour.meeting_point_name = details.meeting_point_name.strip()
    tour.meeting_lat = details.meeting_lat
    tour.meeting_lon = details.meeting_lon
    tour.booking_deadline_at = details.booking_deadline
    tour.max_seats_per_booking = details.max_seats_per_booking
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
    for bus in tour.buses[len(details.bus_seats):]:
        if bus.stops or _bus_in_use(bus):
            raise InvalidInput.one("buses", f"{bus.name} a déjà un itinéraire ou des passagers : il ne peut pas être retiré")
        tour.buses.remove(bus)


def _bus_in_use(bus: Bus) -> bool:
    if bus.id is None:
        return False
    return bool(db.session.scalar(select(func.count()).select_from(Booking).where(Booking.bus_id == bus.id)))


def publish_tour(tour: Tour, organiser: User) -> Tour:
    """Open a draft tour to bookings."""
    if tour.status is not TourStatus.DRAFT:
        raise Conflict(f"seul un brouillon peut être publié (ce tour est : {tour.status.label.lower()})")
    if tour.booking_deadline_at <= utcnow():
        raise Conflict("la date limite d'inscription est passée : modifiez-la avant de publier")
    tour.status = TourStatus.PUBLISHED
    tour.published_at = utcnow()
    record(organiser, "tour.publish", tour)
    invitations.tour_published(tour)
    return tour


def cancel_tour(tour: Tour, actor: User | None, reason: str | None = None) -> Tour:
    """Cancel a tour and tell everyone concerned."""
    if tour.status in (TourStatus.CANCELLED, TourStatus.DONE):
        raise Conflict(f"ce tour est déjà {tour.status.label.lower()}")
    tour.status = TourStatus.CANCELLED
    tour.cancelled_at = utcnow()
    record(actor, "tour.cancel", tour, reason=reason)
    # Even a draft: its ambassadors may hold an invitation.
    invitations.tour_cancelled(tour, reason=reason)
    return tour


def seats_by_status(tour: Tour) -> dict[BookingStatus, int]:
    """Seats of the tour's bookings, per booking status."""
    rows = db.session.execute(
        select(Booking.status, func.coalesce(func.sum(Booking.seats), 0))
        .where(Booking.tour_id == tour.id)
        .group_by(Booking.status)
    ).all()
    totals = {status: 0 for status in BookingStatus}
    totals.update({status: int(seats) for status, seats in rows})
    return totals
