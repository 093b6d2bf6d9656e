"""What an organiser gives to create or edit a tour, and the rules those details must follow on their own."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime, timedelta

from tourplanner.accounts.enums import OrganisationKind
from tourplanner.accounts.models import Organisation
from tourplanner.errors import FieldError, InvalidInput
from tourplanner.extensions import db
from tourplanner.sites.geocoding import Geocoder, resolve_place
from tourplanner.tours.enums import TourKind
from tourplanner.tours.models import Tour

#: Largest bus we expect; beyond this a typo is more likely than a vehicle.
MAX_BUS_SEATS = 100
#: Longest boarding margin: the buses leave at most this many minutes after the meeting time.
MAX_BOARDING_MINUTES = 30
#: Most pickup points a tour may have.
MAX_PICKUP_POINTS = 20


class Unchanged(enum.Enum):
    """Marks a setting a form does not show: editing the tour keeps its current value."""

    UNCHANGED = "unchanged"


#: Default of the booking rules in TourDetails: keep what the tour has (nothing, for a new tour).
UNCHANGED = Unchanged.UNCHANGED


@dataclass(frozen=True)
class Lunch:
    """A lunch break: it starts between `earliest` and `latest` and lasts `minutes`."""

    earliest: datetime
    latest: datetime
    minutes: int


@dataclass(frozen=True)
class Quota:
    """Seats an organisation (by id) or a kind of organisation may hold until `released_at` (none: until bookings
    close)."""

    seats: int
    organisation_id: int | None = None
    organisation_kind: OrganisationKind | None = None
    released_at: datetime | None = None


@dataclass(frozen=True)
class PickupPoint:
    """A place where participants board a bus of the tour."""

    name: str
    lat: float
    lon: float


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
    #: Minutes between the meeting (the start) and the buses' departure, 0–30; UNCHANGED keeps the tour's (0 for a new
    #: one).
    boarding_minutes: int | Unchanged = UNCHANGED
    # Booking rules: UNCHANGED keeps the tour's (for forms that do not show them).
    #: Fewer confirmed seats than this at `go_no_go_at` cancels the tour; set both or neither.
    min_participants: int | None | Unchanged = UNCHANGED
    go_no_go_at: datetime | None | Unchanged = UNCHANGED
    quotas: list[Quota] | Unchanged = UNCHANGED
    pickup_points: list[PickupPoint] | Unchanged = UNCHANGED
    #: The insertion structure (an organisation of kind SIAE) hosting a reverse visit.
    host_organisation_id: int | None | Unchanged = UNCHANGED
    #: The meeting point's postal address (it was placed from it); UNCHANGED keeps the tour's.
    meeting_address: str | None | Unchanged = UNCHANGED
    #: Where the group has lunch (restaurant, canteen…); UNCHANGED keeps the tour's.
    lunch_place: str | None | Unchanged = UNCHANGED


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
            errors.append(
                FieldError(f"buses.{index}.seats", f"le nombre de places doit être entre 1 et {MAX_BUS_SEATS}")
            )
    if details.boarding_minutes is not UNCHANGED and not 0 <= details.boarding_minutes <= MAX_BOARDING_MINUTES:
        errors.append(
            FieldError(
                "boarding_minutes", f"la marge d'embarquement doit être entre 0 et {MAX_BOARDING_MINUTES} minutes"
            )
        )
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
    errors += _minimum_errors(details) + _quota_errors(details) + _pickup_errors(details) + _host_errors(details)
    if errors:
        raise InvalidInput(errors)


def _host_errors(details: TourDetails) -> list[FieldError]:
    """A host is an insertion structure (SIAE), and only a reverse visit (siae_visit) has one."""
    host_id = details.host_organisation_id
    if host_id is UNCHANGED or host_id is None:
        return []
    if details.kind is not TourKind.SIAE_VISIT:
        return [
            FieldError(
                "host_organisation_id", "seule une visite inversée (siae_visit) est accueillie par une structure"
            )
        ]
    host = db.session.get(Organisation, host_id)
    if host is None:
        return [FieldError("host_organisation_id", f"aucune organisation n°{host_id}")]
    if host.kind is not OrganisationKind.SIAE:
        return [FieldError("host_organisation_id", f"« {host.name} » n'est pas une structure d'insertion (SIAE)")]
    return []


def _minimum_errors(details: TourDetails) -> list[FieldError]:
    minimum, go_no_go_at = details.min_participants, details.go_no_go_at
    if minimum is UNCHANGED and go_no_go_at is UNCHANGED:
        return []
    minimum = None if minimum is UNCHANGED else minimum
    go_no_go_at = None if go_no_go_at is UNCHANGED else go_no_go_at
    errors: list[FieldError] = []
    if minimum is not None:
        if minimum < 1:
            errors.append(FieldError("min_participants", "doit être au moins 1"))
        elif minimum > sum(details.bus_seats):
            errors.append(FieldError("min_participants", f"dépasse les {sum(details.bus_seats)} places des cars"))
        if go_no_go_at is None:
            errors.append(
                FieldError("go_no_go_at", "la date de décision est obligatoire avec un minimum de participants")
            )
    elif go_no_go_at is not None:
        errors.append(
            FieldError("min_participants", "le minimum de participants est obligatoire avec une date de décision")
        )
    if go_no_go_at is not None and go_no_go_at >= details.start:
        errors.append(FieldError("go_no_go_at", "la date de décision doit précéder le début du tour"))
    return errors


def _quota_errors(details: TourDetails) -> list[FieldError]:
    if details.quotas is UNCHANGED:
        return []
    errors: list[FieldError] = []
    seen: set[object] = set()
    for index, quota in enumerate(details.quotas):
        where = f"quotas.{index}"
        if (quota.organisation_id is None) == (quota.organisation_kind is None):
            errors.append(FieldError(where, "indiquez soit organisation_id, soit organisation_kind (l'un des deux)"))
        elif quota.organisation_id is not None and db.session.get(Organisation, quota.organisation_id) is None:
            errors.append(FieldError(f"{where}.organisation_id", f"aucune organisation n°{quota.organisation_id}"))
        holder = quota.organisation_id if quota.organisation_id is not None else quota.organisation_kind
        if holder is not None:
            if holder in seen:
                errors.append(FieldError(where, "un quota par organisation ou type d'organisation"))
            seen.add(holder)
        if quota.seats < 0:
            errors.append(FieldError(f"{where}.seats", "le nombre de places ne peut pas être négatif"))
        if quota.released_at is not None and quota.released_at > details.booking_deadline:
            errors.append(
                FieldError(f"{where}.released_at", "la libération doit précéder la date limite d'inscription")
            )
    return errors


def _pickup_errors(details: TourDetails) -> list[FieldError]:
    if details.pickup_points is UNCHANGED:
        return []
    errors: list[FieldError] = []
    if len(details.pickup_points) > MAX_PICKUP_POINTS:
        errors.append(FieldError("pickup_points", f"au plus {MAX_PICKUP_POINTS} points de prise en charge"))
    for index, point in enumerate(details.pickup_points):
        if not point.name.strip():
            errors.append(
                FieldError(f"pickup_points.{index}.name", "le nom du point de prise en charge est obligatoire")
            )
        if not -90 <= point.lat <= 90:
            errors.append(FieldError(f"pickup_points.{index}.lat", "la latitude doit être comprise entre -90 et 90"))
        if not -180 <= point.lon <= 180:
            errors.append(FieldError(f"pickup_points.{index}.lon", "la longitude doit être comprise entre -180 et 180"))
    return errors


def meeting_place(
    address: str | None, lat: float | None, lon: float | None, geocoder: Geocoder, tour: Tour | None = None
) -> tuple[float, float]:
    """Where the group meets: the point picked on the map (or typed), else the address geocoded.

    Editing `tour` from a form that showed its coordinates: left as they were while the address changed, they
    follow the new address (geocoded again).
    """
    address = (address or "").strip()
    if (
        tour is not None
        and address
        and address != (tour.meeting_address or "")
        and (lat, lon) == (tour.meeting_lat, tour.meeting_lon)
    ):
        lat = lon = None
    return resolve_place(address, lat, lon, geocoder, "meeting_point")
