"""The kit in the API: export a territory's set-up, import another's (organisers)."""

from __future__ import annotations

from flask import jsonify, request
from pydantic import BaseModel, ConfigDict, Field
from spectree import Response

from routes.api import api, current_user, spec
from routes.api.schemas import Problem, ValidationProblem
from tourplanner.extensions import db
from tourplanner.kit import operations

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


class KitOut(BaseModel):
    """A kit file."""

    format: str
    version: int
    exported_at: str
    territory: str | None = None
    zones: list[KitZoneOut]
    sites: list[KitSiteOut]
    tour_templates: list[KitTemplateOut]


class KitImportOut(BaseModel):
    """What an import created and updated (all zero when the same kit is imported again)."""

    zones_created: int
    zones_updated: int
    sites_created: int
    sites_updated: int
    templates_created: int
    templates_updated: int
    summary: str


@api.get("/kit")
@spec.validate(query=KitQuery, resp=Response(HTTP_200=KitOut, HTTP_422=ValidationProblem, **ERRORS), tags=["kit"])
def export_kit(query: KitQuery):
    """A territory's kit: its zones, its sites without personal data, the organiser's tour templates (organisers)."""
    return jsonify(operations.export_kit(current_user(), query.territory or None))


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
