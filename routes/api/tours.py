"""Tours in the API: create, read, edit, publish, cancel."""

from __future__ import annotations

from typing import Any

from flask import jsonify
from pydantic import Field
from spectree import Response

from routes.api import api, current_user, spec
from routes.api.schemas import CancelIn, PageQuery, Problem, TourIn, TourList, TourOut, ValidationProblem, page_json
from tourplanner.errors import NotFound
from tourplanner.extensions import db
from tourplanner.sites.geocoding import configured_geocoder, resolve_place
from tourplanner.timeutil import isoformat_local
from tourplanner.tours import operations
from tourplanner.tours.details import UNCHANGED, Lunch, PickupPoint, Quota, TourDetails
from tourplanner.tours.models import Tour
from tourplanner.tours.queries import get_managed_tour, get_visible_tour, visible_tours_page
from tourplanner.tours.seats import TourSeats, seats_of_tour, seats_of_tours

ERRORS = {"HTTP_401": Problem, "HTTP_403": Problem, "HTTP_404": Problem, "HTTP_409": Problem}


def load_tour(tour_id: int) -> Tour:
    """The tour with this id, or 404."""
    tour = db.session.get(Tour, tour_id)
    if tour is None:
        raise NotFound(f"aucun tour n°{tour_id}")
    return tour


def load_visible_tour(tour_id: int) -> Tour:
    """The tour as the caller may read it, else 404: a draft is its managing organisers' alone, as on the pages."""
    return get_visible_tour(current_user(), tour_id)


def tour_json(tour: Tour, seats: TourSeats | None = None) -> dict[str, Any]:
    """A tour as the API shows it: seats counted (unless a list counted them already), local times with offset."""
    if seats is None:
        seats = seats_of_tour(tour)
    lunch = None
    if tour.has_lunch:
        lunch = {
            "earliest": isoformat_local(tour.lunch_earliest_at),
            "latest": isoformat_local(tour.lunch_latest_at),
            "minutes": tour.lunch_minutes,
            "place": tour.lunch_place,
        }
    return {
        "id": tour.id,
        "kind": tour.kind.value,
        "status": tour.status.value,
        "title": tour.title,
        "description": tour.description,
        "start": isoformat_local(tour.start_at),
        "end": isoformat_local(tour.end_at),
        "meeting_point": {
            "name": tour.meeting_point_name,
            "address": tour.meeting_address,
            "lat": tour.meeting_lat,
            "lon": tour.meeting_lon,
        },
        "buses": [{"bus": bus.position, "seats": bus.seats, "label": bus.label} for bus in tour.buses],
        "booking_deadline": isoformat_local(tour.booking_deadline_at),
        "lunch": lunch,
        "max_seats_per_booking": tour.max_seats_per_booking,
        "boarding_minutes": tour.boarding_minutes,
        "meeting_at": isoformat_local(tour.meeting_at),
        "return": isoformat_local(tour.return_at),
        "seats_total": tour.seats_total,
        "seats_confirmed": seats.confirmed,
        "seats_waitlisted": seats.waitlisted,
        "seats_left": seats.free,
        "min_participants": tour.min_participants,
        "go_no_go_at": isoformat_local(tour.go_no_go_at),
        "quotas": [
            {
                "organisation_id": quota.organisation_id,
                "organisation_kind": quota.organisation_kind.value if quota.organisation_kind else None,
                "organisation": quota.organisation.name if quota.organisation is not None else None,
                "seats": quota.seats,
                "released_at": isoformat_local(quota.released_at),
            }
            for quota in tour.quotas
        ],
        "pickup_points": [
            {"pickup_point": point.position, "name": point.name, "lat": point.lat, "lon": point.lon}
            for point in tour.pickup_points
        ],
        "host_organisation_id": tour.host_organisation_id,
        "host_organisation": tour.host_organisation.name if tour.host_organisation is not None else None,
    }


def details_from(body: TourIn) -> TourDetails:
    """The domain's view of a tour body."""
    lunch = None
    if body.lunch is not None:
        lunch = Lunch(body.lunch.earliest, body.lunch.latest, body.lunch.minutes)
    point = body.meeting_point
    meeting_lat, meeting_lon = resolve_place(
        point.address, point.lat, point.lon, configured_geocoder(), "meeting_point"
    )
    return TourDetails(
        title=body.title,
        start=body.start,
        end=body.end,
        meeting_point_name=body.meeting_point.name,
        meeting_lat=meeting_lat,
        meeting_lon=meeting_lon,
        meeting_address=body.meeting_point.address,
        lunch_place=body.lunch.place if body.lunch is not None else None,
        bus_seats=[bus.seats for bus in body.buses],
        bus_labels=[bus.label for bus in body.buses],
        booking_deadline=body.booking_deadline,
        lunch=lunch,
        kind=body.kind,
        description=body.description,
        max_seats_per_booking=body.max_seats_per_booking,
        boarding_minutes=UNCHANGED if body.boarding_minutes is None else body.boarding_minutes,
        **_booking_rules_from(body),
    )


def _booking_rules_from(body: TourIn) -> dict[str, Any]:
    """The booking rules the body sends: one left out keeps the tour's (none for a new tour); null clears it."""
    sent = body.model_fields_set
    rules: dict[str, Any] = {}
    if "min_participants" in sent:
        rules["min_participants"] = body.min_participants
    if "go_no_go_at" in sent:
        rules["go_no_go_at"] = body.go_no_go_at
    if "quotas" in sent:
        rules["quotas"] = [
            Quota(q.seats, q.organisation_id, q.organisation_kind, q.released_at) for q in body.quotas or []
        ]
    if "host_organisation_id" in sent:
        rules["host_organisation_id"] = body.host_organisation_id
    if "pickup_points" in sent:
        rules["pickup_points"] = [PickupPoint(p.name, p.lat, p.lon) for p in body.pickup_points or []]
    return rules


@api.post("/tours")
@spec.validate(json=TourIn, resp=Response(HTTP_201=TourOut, HTTP_422=ValidationProblem, **ERRORS), tags=["tours"])
def create_tour(json: TourIn):
    """Create a draft tour (organisers).

    Optional booking rules: `max_seats_per_booking`; `min_participants` with `go_no_go_at`
    (fewer confirmed seats at that date and the tour is cancelled, everyone told);
    `quotas` per organisation or kind of organisation until their release date (a booking
    beyond a quota in force is refused with 409 « quota … atteint jusqu'au … »; quotas only
    limit the organisations and kinds they name); `pickup_points` (each booking then names
    one by its index, `pickup_point`).
    """
    user = current_user()
    operations.check_may_create_tour(user)  # before geocoding the meeting point for someone refused
    tour = operations.create_tour(details_from(json), user)
    db.session.commit()
    return jsonify(tour_json(tour)), 201


class TourListQuery(PageQuery):
    """A page of tours, optionally only those not over yet."""

    upcoming: bool = Field(
        default=False,
        description="true: only the tours not over yet (ended less than a day ago), without the past ones",
    )


@api.get("/tours")
@spec.validate(
    query=TourListQuery, resp=Response(HTTP_200=TourList, HTTP_422=ValidationProblem, **ERRORS), tags=["tours"]
)
def list_tours(query: TourListQuery):
    """Tours past and to come, by start: organisers see drafts too, others the published ones.

    Paginated: `limit` tours (50 by default, at most 200); `next`, when present, is the
    `cursor` of the following page. `upcoming=true` leaves out the tours that are over (a
    partner that books need not page through years of past tours).
    """
    page = visible_tours_page(current_user(), query.page(), upcoming_only=query.upcoming)
    seats = seats_of_tours(page.items)
    return jsonify(page_json("tours", [tour_json(tour, seats[tour.id]) for tour in page.items], page.next_cursor))


@api.get("/tours/<int:tour_id>")
@spec.validate(resp=Response(HTTP_200=TourOut, **ERRORS), tags=["tours"])
def get_tour(tour_id: int):
    """A tour with its seats: total, confirmed and waitlisted (any signed-in user; a draft: organisers only)."""
    return jsonify(tour_json(get_visible_tour(current_user(), tour_id)))


@api.put("/tours/<int:tour_id>")
@spec.validate(json=TourIn, resp=Response(HTTP_200=TourOut, HTTP_422=ValidationProblem, **ERRORS), tags=["tours"])
def update_tour(tour_id: int, json: TourIn):
    """Replace a tour's details (organisers).

    The booking rules (`min_participants`, `go_no_go_at`, `quotas`, `pickup_points`) left
    out of the body are kept; send null (or an empty list) to remove them. A pickup point a
    live booking boards at cannot be removed (422 `pickup_points`).
    """
    user = current_user()
    tour = operations.update_tour(get_managed_tour(user, tour_id), details_from(json), user)
    db.session.commit()
    return jsonify(tour_json(tour))


@api.post("/tours/<int:tour_id>/publish")
@spec.validate(resp=Response(HTTP_200=TourOut, **ERRORS), tags=["tours"])
def publish_tour(tour_id: int):
    """Open a draft tour to bookings (organisers)."""
    user = current_user()
    tour = operations.publish_tour(get_managed_tour(user, tour_id), user)
    db.session.commit()
    return jsonify(tour_json(tour))


@api.post("/tours/<int:tour_id>/cancel")
@spec.validate(json=CancelIn, resp=Response(HTTP_200=TourOut, **ERRORS), tags=["tours"])
def cancel_tour(tour_id: int, json: CancelIn):
    """Cancel a tour; everyone concerned is told (organisers)."""
    user = current_user()
    tour = operations.cancel_tour(get_managed_tour(user, tour_id), user, json.reason)
    db.session.commit()
    return jsonify(tour_json(tour))
