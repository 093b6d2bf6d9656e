"""The kit in the API: export a territory's set-up, import another's, create a tour from a template (organisers).

- GET /kit, POST /kit: the kit file out and in.
- GET /kit/templates: the organisation's tour templates, with their ids.
- POST /kit/templates/{id}/tours {"date", "title"?}: a draft tour on that day shaped by the template.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from flask import jsonify, request
from pydantic import BaseModel, ConfigDict, Field
from spectree import Response

from routes.api import api, current_user, spec
from routes.api.schemas import Body, Problem, TourOut, ValidationProblem
from routes.api.tours import tour_json
from tourplanner.extensions import db
from tourplanner.kit import operations, queries

ERRORS = {"HTTP_401": Problem, "HTTP_403": Problem}


class KitQuery(BaseModel):
    """Which territory's zones and sites; all when left out."""

    model_config = ConfigDict(extra="ignore")

    territory: str | None = Field(default=None, max_length=120)


class KitZoneOut(BaseModel):
    """An industrial zone."""

    name: str
    city: str
    territory: str
    lat: float
    lon: float


class KitSiteOut(BaseModel):
    """A site, without personal data (no contacts)."""

    company: str
    name: str
    address: str
    lat: float
    lon: float
    zone: str | None = None
    sector: str | None = None
    trades: str | None = None
    protective_equipment: str | None = None
    access_notes: str | None = None
    photo_policy: str | None = None
    pay_range: str | None = None
    in_house_training: str | None = None
    open_positions: str | None = None
    #: a site's has_bus_parking, under the name the published API gives it
    has_coach_parking: bool = True
    is_accessible: bool = False


class KitPointOut(BaseModel):
    """A template's meeting point."""

    name: str
    address: str | None = None
    lat: float
    lon: float


class KitBusOut(BaseModel):
    """A template's bus."""

    seats: int


class KitLunchOut(BaseModel):
    """A template's lunch window, local hours HH:MM."""

    earliest: str
    latest: str
    minutes: int


class KitTemplateOut(BaseModel):
    """A tour's shape without its day."""

    name: str
    kind: str
    description: str | None = None
    meeting_point: KitPointOut
    start: str = Field(description="local hour HH:MM")
    duration_minutes: int
    buses: list[KitBusOut]
    boarding_minutes: int = 0
    booking_deadline_days_before: int = 0
    max_seats_per_booking: int | None = None
    lunch: KitLunchOut | None = None
    lunch_place: str | None = None
    trades: list[str] = Field(default_factory=list, description="ROME codes")


class KitQuestionOut(BaseModel):
    """One 1–5 statement of a questionnaire; the first is the headline whose score the bilan compares."""

    key: str
    text: str


class KitQuestionnaireOut(BaseModel):
    """An audience's perception questionnaire."""

    respondent: str = Field(description="prescriber or company")
    questions: list[KitQuestionOut]


class KitOut(BaseModel):
    """A kit file."""

    format: str
    version: int
    exported_at: str
    territory: str | None = None
    zones: list[KitZoneOut]
    sites: list[KitSiteOut]
    tour_templates: list[KitTemplateOut]
    questionnaires: list[KitQuestionnaireOut]


class KitImportOut(BaseModel):
    """What an import created and updated (all zero when the same kit is imported again)."""

    zones_created: int
    zones_updated: int
    sites_created: int
    sites_updated: int
    templates_created: int
    templates_updated: int
    questionnaires_created: int
    questionnaires_updated: int
    summary: str


@api.get("/kit")
@spec.validate(query=KitQuery, resp=Response(HTTP_200=KitOut, HTTP_422=ValidationProblem, **ERRORS), tags=["kit"])
def export_kit(query: KitQuery):
    """A territory's kit: zones, sites without personal data, tour templates, questionnaires (organisers)."""
    return jsonify(queries.export_kit(current_user(), query.territory or None))


@api.post("/kit")
@spec.validate(resp=Response(HTTP_200=KitImportOut, HTTP_422=ValidationProblem, **ERRORS), tags=["kit"])
def import_kit():
    """Import a kit (the body is the kit file): all of it or nothing, each fault named (organisers)."""
    user = current_user()
    data = request.get_json(silent=True)
    report = operations.import_kit(data if isinstance(data, dict) else {}, user)
    db.session.commit()
    counts = {name: getattr(report, name) for name in KitImportOut.model_fields if name != "summary"}
    return jsonify(counts | {"summary": report.summary()})


class KitTemplateItemOut(KitTemplateOut):
    """A stored tour template and its id."""

    id: int


class KitTemplateList(BaseModel):
    """The organisation's tour templates, by name."""

    templates: list[KitTemplateItemOut]


class TourFromTemplateIn(Body):
    """The day of the new tour (a local date, today or later) and, optionally, its title (else the template's name)."""

    date: Annotated[date, Field(description="YYYY-MM-DD")]
    title: str | None = Field(default=None, max_length=200)


@api.get("/kit/templates")
@spec.validate(resp=Response(HTTP_200=KitTemplateList, **ERRORS), tags=["kit"])
def list_templates():
    """The tour templates of the organiser's organisation (imported from kits), with their ids (organisers)."""
    templates = queries.templates_of(current_user())
    return jsonify({"templates": [dict(t.details, name=t.name, id=t.id) for t in templates]})


@api.post("/kit/templates/<int:template_id>/tours")
@spec.validate(
    json=TourFromTemplateIn,
    resp=Response(HTTP_201=TourOut, HTTP_404=Problem, HTTP_422=ValidationProblem, **ERRORS),
    tags=["kit"],
)
def create_tour_from_template(template_id: int, json: TourFromTemplateIn):
    """Create a draft tour on `date` from a template: title, kind, hours, buses, lunch, meeting point, trades."""
    user = current_user()
    template = queries.get_template(user, template_id)
    tour = operations.create_tour_from_template(template, user, json.date, json.title)
    db.session.commit()
    return jsonify(tour_json(tour)), 201
