"""Workshops in the API: an event's workshops, registrations one per time slot, reports."""

from __future__ import annotations

import base64
import binascii
from typing import Any

from flask import Response as FlaskResponse
from flask import jsonify
from pydantic import AwareDatetime, BaseModel, Field
from spectree import Response

from routes.api import api, current_user, spec
from routes.api.schemas import Body, Moment, Problem, ValidationProblem
from routes.api.tours import load_tour, load_visible_tour
from tourplanner.errors import InvalidInput, NotFound
from tourplanner.extensions import db
from tourplanner.timeutil import isoformat_local
from tourplanner.workshops import operations
from tourplanner.workshops.models import Workshop, WorkshopRegistration

ERRORS = {"HTTP_401": Problem, "HTTP_403": Problem, "HTTP_404": Problem, "HTTP_409": Problem}


class WorkshopIn(Body):
    """A workshop of a workshop event: its theme, capacity and time slot."""

    theme: str = Field(min_length=1, max_length=200)
    capacity: int = Field(ge=1, le=10000)
    start: Moment
    end: Moment
    description: str | None = Field(default=None, max_length=5000)


class WorkshopOut(BaseModel):
    """A workshop in an answer; `registrations` lists those the caller made (all of them for organisers)."""

    id: int
    tour_id: int
    theme: str
    description: str | None = None
    capacity: int
    places_left: int
    start: AwareDatetime
    end: AwareDatetime
    has_report: bool
    registrations: list[dict[str, Any]] = Field(default_factory=list)


class WorkshopList(BaseModel):
    """The workshops of an event."""

    workshops: list[WorkshopOut]


class PersonIn(Body):
    """Someone registered for a workshop."""

    name: str = Field(min_length=1, max_length=200)
    email: str = Field(min_length=3, max_length=254)


class RegistrationIn(Body):
    """The people to register for one workshop: all of them fit, or none is registered (409)."""

    people: list[PersonIn] = Field(min_length=1, max_length=50)


class RegistrationOut(BaseModel):
    """The people registered by one request."""

    workshop_id: int
    registrations: list[dict[str, Any]]


class ReportFileIn(Body):
    """A report file, base64-encoded (at most 512 KiB once decoded)."""

    filename: str = Field(min_length=1, max_length=200)
    content_type: str = Field(default="application/octet-stream", max_length=100)
    content_base64: str = Field(min_length=1)


class ReportIn(Body):
    """A workshop's report: a text (Markdown allowed), a file, or both."""

    text: str | None = Field(default=None, max_length=50000)
    file: ReportFileIn | None = None


class ReportOut(BaseModel):
    """A workshop's report; the file itself is at `file_url`."""

    workshop_id: int
    text: str | None = None
    filename: str | None = None
    content_type: str | None = None
    size: int | None = None
    file_url: str | None = None
    attached_at: AwareDatetime


def _registration_json(registration: WorkshopRegistration) -> dict[str, Any]:
    return {
        "id": registration.id,
        "name": registration.name,
        "email": registration.email,
        "registered_by_id": registration.registered_by_id,
    }


def workshop_json(workshop: Workshop) -> dict[str, Any]:
    """A workshop as the caller may see it."""
    user = current_user()
    shown = operations.registrations_shown_to(workshop, user)
    return {
        "id": workshop.id,
        "tour_id": workshop.tour_id,
        "theme": workshop.theme,
        "description": workshop.description,
        "capacity": workshop.capacity,
        "places_left": max(workshop.capacity - len(workshop.registrations), 0),
        "start": isoformat_local(workshop.start_at),
        "end": isoformat_local(workshop.end_at),
        "has_report": workshop.has_report,
        "registrations": [_registration_json(r) for r in shown],
    }


def report_json(workshop: Workshop) -> dict[str, Any]:
    """A workshop's report, without the file's bytes."""
    has_file = workshop.report_file is not None
    return {
        "workshop_id": workshop.id,
        "text": workshop.report_text,
        "filename": workshop.report_filename,
        "content_type": workshop.report_content_type,
        "size": len(workshop.report_file) if has_file else None,
        "file_url": f"/api/v1/tours/{workshop.tour_id}/workshops/{workshop.id}/report/file" if has_file else None,
        "attached_at": isoformat_local(workshop.report_attached_at),
    }


@api.post("/tours/<int:tour_id>/workshops")
@spec.validate(
    json=WorkshopIn, resp=Response(HTTP_201=WorkshopOut, HTTP_422=ValidationProblem, **ERRORS), tags=["workshops"]
)
def create_workshop(tour_id: int, json: WorkshopIn):
    """Add a workshop to an event of kind `workshop` (organisers); it lies within the event's hours (422)."""
    details = operations.WorkshopDetails(json.theme, json.capacity, json.start, json.end, json.description)
    workshop = operations.create_workshop(load_tour(tour_id), details, current_user())
    db.session.commit()
    return jsonify(workshop_json(workshop)), 201


@api.get("/tours/<int:tour_id>/workshops")
@spec.validate(resp=Response(HTTP_200=WorkshopList, **ERRORS), tags=["workshops"])
def list_workshops(tour_id: int):
    """The event's workshops by time slot, with places left (any signed-in user)."""
    workshops = operations.tour_workshops(load_visible_tour(tour_id))
    return jsonify({"workshops": [workshop_json(w) for w in workshops]})


@api.post("/tours/<int:tour_id>/workshops/<int:workshop_id>/registrations")
@spec.validate(
    json=RegistrationIn,
    resp=Response(HTTP_201=RegistrationOut, HTTP_422=ValidationProblem, **ERRORS),
    tags=["workshops"],
)
def register_for_workshop(tour_id: int, workshop_id: int, json: RegistrationIn):
    """Register people for a workshop (prescribers, company contacts, organisers).

    All or nothing: beyond the places left, nobody is registered (409). A person (their
    e-mail) attends one workshop per time slot: already registered for an overlapping
    workshop of the event, 409. Registrations close with the event's booking deadline (409).
    """
    workshop = operations.get_workshop(load_tour(tour_id), workshop_id)
    people = [operations.Person(p.name, p.email) for p in json.people]
    registrations = operations.register(workshop, people, current_user())
    db.session.commit()
    return jsonify({"workshop_id": workshop.id, "registrations": [_registration_json(r) for r in registrations]}), 201


@api.delete("/tours/<int:tour_id>/workshops/<int:workshop_id>/registrations/<int:registration_id>")
@spec.validate(resp=Response("HTTP_204", **ERRORS), tags=["workshops"])
def cancel_workshop_registration(tour_id: int, workshop_id: int, registration_id: int):
    """Withdraw a person from a workshop (who registered them, or an organiser)."""
    workshop = operations.get_workshop(load_tour(tour_id), workshop_id)
    registration = db.session.get(WorkshopRegistration, registration_id)
    if registration is None or registration.workshop_id != workshop.id:
        raise NotFound(f"aucune inscription n°{registration_id} à cet atelier")
    operations.cancel_registration(registration, current_user())
    db.session.commit()
    return "", 204


@api.put("/tours/<int:tour_id>/workshops/<int:workshop_id>/report")
@spec.validate(
    json=ReportIn,
    resp=Response(HTTP_200=ReportOut, HTTP_413=ValidationProblem, HTTP_422=ValidationProblem, **ERRORS),
    tags=["workshops"],
)
def attach_workshop_report(tour_id: int, workshop_id: int, json: ReportIn):
    """Attach the workshop's report once it has begun (organisers): a text, a base64 file (512 KiB at most: 413), or
    both."""
    workshop = operations.get_workshop(load_tour(tour_id), workshop_id)
    data = filename = content_type = None
    if json.file is not None:
        try:
            data = base64.b64decode(json.file.content_base64, validate=True)
        except (binascii.Error, ValueError):
            raise InvalidInput.one("file.content_base64", "contenu base64 illisible") from None
        filename, content_type = json.file.filename, json.file.content_type
    operations.attach_report(workshop, current_user(), json.text, filename, content_type, data)
    db.session.commit()
    return jsonify(report_json(workshop))


@api.get("/tours/<int:tour_id>/workshops/<int:workshop_id>/report")
@spec.validate(resp=Response(HTTP_200=ReportOut, **ERRORS), tags=["workshops"])
def get_workshop_report(tour_id: int, workshop_id: int):
    """The workshop's report (organisers and those registered for it; 404 before it is attached)."""
    workshop = operations.get_workshop(load_tour(tour_id), workshop_id)
    return jsonify(report_json(operations.read_report(workshop, current_user())))


@api.get("/tours/<int:tour_id>/workshops/<int:workshop_id>/report/file")
@spec.validate(resp=Response("HTTP_200", **ERRORS), tags=["workshops"])
def get_workshop_report_file(tour_id: int, workshop_id: int):
    """The report's file as uploaded (organisers and those registered for the workshop)."""
    workshop = operations.read_report(operations.get_workshop(load_tour(tour_id), workshop_id), current_user())
    if workshop.report_file is None:
        raise NotFound("ce compte rendu n'a pas de fichier")
    name = (workshop.report_filename or "compte-rendu").replace('"', "")
    return FlaskResponse(
        workshop.report_file,
        mimetype=workshop.report_content_type or "application/octet-stream",
        headers={"Content-Disposition": f'attachment; filename="{name}"', "X-Content-Type-Options": "nosniff"},
    )
