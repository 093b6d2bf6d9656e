"""Candidates, optimisation and itineraries in the API."""

from __future__ import annotations

from typing import Any, Literal

from flask import jsonify
from pydantic import BaseModel, Field
from spectree import Response

from routes.api import api, current_user, spec
from routes.api.schemas import Body, Flag, Id, Number, Problem, ValidationProblem
from tourplanner.extensions import db
from tourplanner.timeutil import isoformat_local
from tourplanner.tours import itinerary, road_book
from tourplanner.tours.models import Tour
from tourplanner.tours.queries import get_managed_tour

ERRORS = {"HTTP_401": Problem, "HTTP_403": Problem, "HTTP_404": Problem, "HTTP_409": Problem}


class CandidatesIn(Body):
    """The slots the optimiser may use for a tour (replaces the previous list)."""

    slot_ids: list[Id] = Field(max_length=500)


class OptimiseIn(Body):
    """Optimisation settings."""

    time_limit: Number | None = Field(
        default=None, gt=0, le=20, description="seconds of search (at most 20); none = deterministic"
    )


class LockIn(Body):
    """Lock or unlock a visit of the itinerary."""

    slot_id: Id
    locked: Flag = True
    mode: Literal["bus", "place"] = Field(
        default="bus", description='"bus": keep it on its bus; "place": on its bus at the same time'
    )


class StopOut(BaseModel):
    """A visit of a bus's itinerary."""

    slot_id: int
    site_id: int
    site_name: str
    lat: float
    lon: float
    arrival: str
    start: str
    end: str
    departure: str
    locked: bool = Field(description="kept on its bus when the tour is optimised again")
    locked_in_place: bool = Field(description="kept on its bus at the same time when optimised again")


class BusItinerary(BaseModel):
    """A bus's stops and its return to the meeting point."""

    bus: int
    label: str
    seats: int
    #: When the group meets at the meeting point: the tour's start.
    meeting: str | None = None
    #: When the bus leaves the meeting point (the tour's start plus its boarding margin).
    departure: str | None = None
    stops: list[StopOut]
    return_: str | None = Field(default=None, alias="return")


class UnassignedOut(BaseModel):
    """A candidate visit left out, and why (French)."""

    slot_id: int
    reason: str


class ItineraryOut(BaseModel):
    """A tour's itinerary."""

    tour_id: int
    optimised_at: str | None = None
    buses: list[BusItinerary]
    unassigned: list[UnassignedOut]


class CandidateOut(BaseModel):
    """A slot the optimiser may use."""

    slot_id: int
    site_id: int


class CandidatesOut(BaseModel):
    """The candidate slots of a tour."""

    tour_id: int
    candidates: list[CandidateOut]


def itinerary_json(tour: Tour) -> dict[str, Any]:
    """A tour's stored itinerary, as the contract shapes it."""
    buses = []
    for bus in tour.buses:
        buses.append(
            {
                "bus": bus.position,
                "label": bus.name,
                "seats": bus.seats,
                "meeting": isoformat_local(tour.meeting_at),
                "departure": isoformat_local(bus.departure_at or tour.departure_at),
                "stops": [
                    {
                        "slot_id": stop.slot_id,
                        "site_id": stop.slot.site_id,
                        "site_name": stop.slot.site.name,
                        "lat": stop.slot.site.lat,
                        "lon": stop.slot.site.lon,
                        "arrival": isoformat_local(stop.arrival_at),
                        "start": isoformat_local(stop.start_at),
                        "end": isoformat_local(stop.end_at),
                        "departure": isoformat_local(stop.departure_at),
                        "locked": stop.is_locked,
                        "locked_in_place": stop.is_time_locked,
                    }
                    for stop in bus.stops
                ],
                "return": isoformat_local(bus.return_at),
            }
        )
    placed = {stop.slot_id for bus in tour.buses for stop in bus.stops}
    unassigned = [
        {"slot_id": c.slot_id, "reason": c.unassigned_reason or "pas encore optimisé"}
        for c in sorted(tour.candidates, key=lambda c: c.slot_id)
        if c.slot_id not in placed
    ]
    return {
        "tour_id": tour.id,
        "optimised_at": isoformat_local(tour.optimised_at),
        "buses": buses,
        "unassigned": unassigned,
    }


@api.post("/tours/<int:tour_id>/candidates")
@spec.validate(
    json=CandidatesIn, resp=Response(HTTP_200=CandidatesOut, HTTP_422=ValidationProblem, **ERRORS), tags=["itinerary"]
)
def set_candidates(tour_id: int, json: CandidatesIn):
    """Set the slots the optimiser may use (organisers)."""
    user = current_user()
    candidates = itinerary.set_candidates(get_managed_tour(user, tour_id), json.slot_ids, user)
    db.session.commit()
    return jsonify(
        {"tour_id": tour_id, "candidates": [{"slot_id": c.slot_id, "site_id": c.slot.site_id} for c in candidates]}
    )


@api.post("/tours/<int:tour_id>/optimise")
@spec.validate(
    json=OptimiseIn, resp=Response(HTTP_200=ItineraryOut, HTTP_422=ValidationProblem, **ERRORS), tags=["itinerary"]
)
def optimise(tour_id: int, json: OptimiseIn):
    """Compute the itinerary of every bus with OR-Tools and store it (organisers)."""
    user = current_user()
    tour = get_managed_tour(user, tour_id)
    itinerary.optimise_tour(tour, user, json.time_limit)
    db.session.commit()
    return jsonify(itinerary_json(tour))


@api.post("/tours/<int:tour_id>/locks")
@spec.validate(
    json=LockIn, resp=Response(HTTP_200=ItineraryOut, HTTP_422=ValidationProblem, **ERRORS), tags=["itinerary"]
)
def lock(tour_id: int, json: LockIn):
    """Lock a visit so that re-optimising keeps it (organisers)."""
    user = current_user()
    tour = get_managed_tour(user, tour_id)
    itinerary.lock_stop(tour, json.slot_id, json.locked, user, in_place=json.mode == "place")
    db.session.commit()
    return jsonify(itinerary_json(tour))


@api.get("/tours/<int:tour_id>/itinerary")
@spec.validate(resp=Response(HTTP_200=ItineraryOut, **ERRORS), tags=["itinerary"])
def get_itinerary(tour_id: int):
    """The stored itinerary (organisers, prescribers who booked, its ambassadors)."""
    return jsonify(itinerary_json(road_book.itinerary_tour(current_user(), tour_id)))
