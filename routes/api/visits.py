"""Visits at a company's sites in the API: list, read, confirm, decline (company contacts)."""

from __future__ import annotations

from typing import Any

from flask import jsonify
from pydantic import BaseModel, ConfigDict, Field
from spectree import Response

from routes.api import api, current_user, spec
from routes.api.schemas import (
    NEXT_FIELD,
    Body,
    PageQuery,
    Problem,
    ValidationProblem,
    page_json,
)
from tourplanner.extensions import db
from tourplanner.timeutil import isoformat_local
from tourplanner.tours import visits

ERRORS = {"HTTP_401": Problem, "HTTP_403": Problem, "HTTP_404": Problem, "HTTP_409": Problem}


class DeclineIn(Body):
    """Why the company cannot receive the visit (told to the organiser)."""

    reason: str | None = Field(default=None, max_length=500)


class VisitTourOut(BaseModel):
    """The tour of a visit, in short."""

    id: int
    title: str
    status: str


class VisitSiteOut(BaseModel):
    """The site of a visit, in short."""

    id: int
    name: str


class VisitOut(BaseModel):
    """A visit as its company sees it."""

    model_config = ConfigDict(extra="allow")

    id: int
    tour_id: int
    tour: VisitTourOut
    site_id: int
    site: VisitSiteOut
    slot_id: int
    date: str
    arrival: str
    start: str
    end: str
    departure: str
    group_size: int
    bus: int
    bus_name: str
    ambassadors: list[str]
    company_response: str
    company_response_label: str
    responded_at: str | None = None
    decline_reason: str | None = None
    is_answerable: bool


class VisitList(BaseModel):
    """A page of a company's visits."""

    visits: list[VisitOut]
    next: str | None = NEXT_FIELD


def visit_json(visit: visits.Visit) -> dict[str, Any]:
    """A visit as its company sees it, times in local time with offset."""
    stop = visit.stop
    return {
        "id": stop.id,
        "tour_id": visit.tour.id,
        "tour": {"id": visit.tour.id, "title": visit.tour.title, "status": visit.tour.status.value},
        "site_id": visit.site.id,
        "site": {"id": visit.site.id, "name": visit.site.name},
        "slot_id": stop.slot_id,
        "date": isoformat_local(stop.arrival_at)[:10],
        "arrival": isoformat_local(stop.arrival_at),
        "start": isoformat_local(stop.start_at),
        "end": isoformat_local(stop.end_at),
        "departure": isoformat_local(stop.departure_at),
        "group_size": visit.group_size,
        "bus": visit.bus.position,
        "bus_name": visit.bus.name,
        "ambassadors": visit.ambassadors,
        "company_response": stop.company_response.value,
        "company_response_label": stop.company_response.label,
        "responded_at": isoformat_local(stop.responded_at),
        "decline_reason": stop.decline_reason,
        "is_answerable": visit.is_answerable,
    }


@api.get("/visits")
@spec.validate(
    query=PageQuery, resp=Response(HTTP_200=VisitList, HTTP_422=ValidationProblem, **ERRORS), tags=["visits"]
)
def list_visits(query: PageQuery):
    """The visits planned at the caller's company's sites, in published tours, by time (company contacts).

    Paginated: `limit` visits (50 by default, at most 200); `next`, when present, is the
    `cursor` of the following page.
    """
    page = visits.company_visits_page(current_user(), query.page())
    return jsonify(page_json("visits", [visit_json(v) for v in page.items], page.next_cursor))


@api.get("/visits/<int:stop_id>")
@spec.validate(resp=Response(HTTP_200=VisitOut, **ERRORS), tags=["visits"])
def get_visit(stop_id: int):
    """One visit at the caller's company's sites (company contacts)."""
    return jsonify(visit_json(visits.visit_for(current_user(), stop_id)))


@api.post("/visits/<int:stop_id>/confirm")
@spec.validate(resp=Response(HTTP_200=VisitOut, **ERRORS), tags=["visits"])
def confirm_visit(stop_id: int):
    """Confirm the company receives the visit (company contacts)."""
    user = current_user()
    visit = visits.visit_for(user, stop_id)
    visits.confirm_visit(visit, user)
    db.session.commit()
    return jsonify(visit_json(visit))


@api.post("/visits/<int:stop_id>/decline")
@spec.validate(json=DeclineIn, resp=Response(HTTP_200=VisitOut, HTTP_422=ValidationProblem, **ERRORS), tags=["visits"])
def decline_visit(stop_id: int, json: DeclineIn):
    """Decline a visit (company contacts): the organiser is mailed, the itinerary stays as it is."""
    user = current_user()
    visit = visits.visit_for(user, stop_id)
    visits.decline_visit(visit, user, json.reason)
    db.session.commit()
    return jsonify(visit_json(visit))
