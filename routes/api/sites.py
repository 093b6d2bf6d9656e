"""Sites, visit slots and ambassador assignments in the API.

Ids in a body follow the same rule as ids in a path: a `site_id` that is unknown, or that
belongs to another company, answers 404, so a company cannot learn which sites exist.
"""

from __future__ import annotations

from typing import Any

from flask import jsonify
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator
from spectree import Response

from routes.api import api, current_user, spec
from routes.api.schemas import Body, Problem, ValidationProblem
from routes.api.tours import load_tour
from tourplanner.accounts.permissions import require_organiser
from tourplanner.extensions import db
from tourplanner.sites import operations, queries
from tourplanner.sites.enums import SlotStatus
from tourplanner.sites.geocoding import configured_geocoder
from tourplanner.sites.models import Site, Slot
from tourplanner.timeutil import isoformat_local
from tourplanner.tours import assignments
from tourplanner.tours.models import AmbassadorAssignment

ERRORS = {"HTTP_401": Problem, "HTTP_403": Problem, "HTTP_404": Problem, "HTTP_409": Problem}


class SiteIn(Body):
    """A company's site; without lat/lon its address is geocoded."""

    name: str = Field(min_length=1, max_length=200)
    address: str = Field(min_length=1, max_length=300)
    lat: float | None = Field(default=None, ge=-90, le=90)
    lon: float | None = Field(default=None, ge=-180, le=180)
    organisation_id: int | None = Field(default=None, description="required from organisers")
    zone_id: int | None = None
    sector: str | None = Field(default=None, max_length=120)
    trades: list[str] = Field(default_factory=list, max_length=100)
    is_accessible: bool = False
    has_coach_parking: bool = True
    protective_equipment: str | None = Field(default=None, max_length=300)
    access_notes: str | None = Field(default=None, max_length=5000)


class SiteOut(BaseModel):
    """A site in an answer."""

    model_config = ConfigDict(extra="allow")

    id: int
    name: str
    address: str
    lat: float
    lon: float
    organisation_id: int


class SiteList(BaseModel):
    """A list of sites."""

    sites: list[SiteOut]


class SlotIn(Body):
    """A window for one visit: it may begin at or after `start` and must end by `end`."""

    site_id: int
    start: AwareDatetime
    end: AwareDatetime
    visit_minutes: int
    max_visitors: int


class SlotOut(BaseModel):
    """A slot in an answer."""

    model_config = ConfigDict(extra="allow")

    id: int
    site_id: int
    status: SlotStatus
    start: AwareDatetime
    end: AwareDatetime
    visit_minutes: int
    max_visitors: int


class SlotList(BaseModel):
    """A list of slots."""

    slots: list[SlotOut]


class SlotQuery(BaseModel):
    """Filters of the slot list: a site, slots meeting [from, to), a status."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True)

    site_id: int | None = None
    from_: AwareDatetime | None = Field(default=None, alias="from")
    to: AwareDatetime | None = None
    status: SlotStatus | None = None

    @field_validator("from_", "to", mode="before")
    @classmethod
    def _plus_sign(cls, value: Any) -> Any:
        """An unescaped "+01:00" arrives as " 01:00" in a query string: read it back."""
        return value.replace(" ", "+") if isinstance(value, str) else value


class AssignmentIn(Body):
    """An ambassador (by the address of their account) and the bus they ride, from 0."""

    email: str = Field(min_length=1, max_length=254)
    bus: int


class AssignmentOut(BaseModel):
    """An ambassador's assignment in an answer."""

    model_config = ConfigDict(extra="allow")

    id: int
    tour_id: int
    bus: int
    email: str


class AssignmentList(BaseModel):
    """A tour's ambassadors."""

    ambassadors: list[AssignmentOut]


def site_json(site: Site) -> dict[str, Any]:
    """A site as the API shows it."""
    return {
        "id": site.id,
        "organisation_id": site.organisation_id,
        "organisation": site.organisation.name,
        "zone_id": site.zone_id,
        "name": site.name,
        "address": site.address,
        "lat": site.lat,
        "lon": site.lon,
        "sector": site.sector,
        "trades": site.trades.splitlines() if site.trades else [],
        "is_accessible": site.is_accessible,
        "has_coach_parking": site.has_coach_parking,
        "protective_equipment": site.protective_equipment,
        "access_notes": site.access_notes,
        "created_at": isoformat_local(site.created_at),
    }


def slot_json(slot: Slot) -> dict[str, Any]:
    """A slot as the API shows it, times in local time with offset."""
    return {
        "id": slot.id,
        "site_id": slot.site_id,
        "site": {"id": slot.site.id, "name": slot.site.name, "lat": slot.site.lat, "lon": slot.site.lon},
        "status": slot.status.value,
        "status_label": slot.status.label,
        "start": isoformat_local(slot.start_at),
        "end": isoformat_local(slot.end_at),
        "visit_minutes": slot.visit_minutes,
        "max_visitors": slot.max_visitors,
    }


def assignment_json(assignment: AmbassadorAssignment) -> dict[str, Any]:
    """An ambassador's assignment as the API shows it."""
    return {
        "id": assignment.id,
        "tour_id": assignment.tour_id,
        "bus": assignment.bus.position,
        "bus_name": assignment.bus.name,
        "user_id": assignment.user_id,
        "email": assignment.user.email,
        "name": assignment.user.name,
        "created_at": isoformat_local(assignment.created_at),
    }


@api.post("/sites")
@spec.validate(json=SiteIn, resp=Response(HTTP_201=SiteOut, HTTP_422=ValidationProblem, **ERRORS), tags=["sites"])
def create_site(json: SiteIn):
    """Create a site (company contacts for their company, organisers for the one they name)."""
    details = operations.SiteDetails(**json.model_dump())
    site = operations.create_site(details, current_user(), configured_geocoder())
    db.session.commit()
    return jsonify(site_json(site)), 201


@api.get("/sites")
@spec.validate(resp=Response(HTTP_200=SiteList, **ERRORS), tags=["sites"])
def list_sites():
    """Sites: every one for organisers, their company's for company contacts."""
    return jsonify({"sites": [site_json(site) for site in queries.sites_visible_to(current_user())]})


@api.get("/sites/<int:site_id>")
@spec.validate(resp=Response(HTTP_200=SiteOut, **ERRORS), tags=["sites"])
def get_site(site_id: int):
    """A site (company contacts: their company's only)."""
    return jsonify(site_json(operations.site_for(current_user(), site_id)))


@api.post("/slots")
@spec.validate(json=SlotIn, resp=Response(HTTP_201=SlotOut, HTTP_422=ValidationProblem, **ERRORS), tags=["slots"])
def offer_slot(json: SlotIn):
    """Offer a visit slot at a site (its company's contacts, organisers)."""
    slot = operations.offer_slot(operations.SlotDetails(**json.model_dump()), current_user())
    db.session.commit()
    return jsonify(slot_json(slot)), 201


@api.get("/slots")
@spec.validate(query=SlotQuery, resp=Response(HTTP_200=SlotList, HTTP_422=ValidationProblem, **ERRORS), tags=["slots"])
def list_slots(query: SlotQuery):
    """Slots meeting [from, to): organisers see offered ones, company contacts all of theirs."""
    slots = queries.slots_visible_to(current_user(), query.site_id, query.from_, query.to, query.status)
    return jsonify({"slots": [slot_json(slot) for slot in slots]})


@api.post("/slots/<int:slot_id>/pause")
@spec.validate(resp=Response(HTTP_200=SlotOut, **ERRORS), tags=["slots"])
def pause_slot(slot_id: int):
    """Stop offering a slot for a while (its company's contacts, organisers)."""
    user = current_user()
    slot = operations.pause_slot(operations.managed_slot(user, slot_id), user)
    db.session.commit()
    return jsonify(slot_json(slot))


@api.post("/slots/<int:slot_id>/resume")
@spec.validate(resp=Response(HTTP_200=SlotOut, **ERRORS), tags=["slots"])
def resume_slot(slot_id: int):
    """Offer a paused slot again (its company's contacts, organisers)."""
    user = current_user()
    slot = operations.resume_slot(operations.managed_slot(user, slot_id), user)
    db.session.commit()
    return jsonify(slot_json(slot))


@api.post("/tours/<int:tour_id>/ambassadors")
@spec.validate(
    json=AssignmentIn,
    resp=Response(HTTP_200=AssignmentOut, HTTP_201=AssignmentOut, HTTP_422=ValidationProblem, **ERRORS),
    tags=["tours"],
)
def assign_ambassador(tour_id: int, json: AssignmentIn):
    """Put an ambassador on a bus (organisers): 201 when new, 200 when moved or already there."""
    user = current_user()
    require_organiser(user)
    outcome = assignments.assign_ambassador(load_tour(tour_id), json.email, json.bus, user)
    db.session.commit()
    body = assignment_json(outcome.assignment) | {"moved": outcome.moved}
    return jsonify(body), 201 if outcome.created else 200


@api.get("/tours/<int:tour_id>/ambassadors")
@spec.validate(resp=Response(HTTP_200=AssignmentList, **ERRORS), tags=["tours"])
def list_ambassadors(tour_id: int):
    """A tour's ambassadors and their buses (organisers)."""
    require_organiser(current_user())
    return jsonify({"ambassadors": [assignment_json(a) for a in assignments.assignments_of(load_tour(tour_id))]})


@api.delete("/tours/<int:tour_id>/ambassadors/<int:assignment_id>")
@spec.validate(resp=Response(HTTP_200=AssignmentOut, **ERRORS), tags=["tours"])
def unassign_ambassador(tour_id: int, assignment_id: int):
    """Take an ambassador off a tour; they receive a cancellation (organisers)."""
    user = current_user()
    require_organiser(user)
    assignment = assignments.assignment_of(load_tour(tour_id), assignment_id)
    body = assignment_json(assignment)
    assignments.unassign_ambassador(assignment, user)
    db.session.commit()
    return jsonify(body)
