"""Sites in the API: create, list, read, replace and edit a company's site.

Ids in a body follow the same rule as ids in a path: a `site_id` that is unknown, or that
belongs to another company, answers 404, so a company cannot learn which sites exist.
"""

from __future__ import annotations

from typing import Any

from flask import jsonify
from pydantic import BaseModel, ConfigDict, Field
from spectree import Response

from routes.api import api, current_user, spec
from routes.api.schemas import (
    NEXT_FIELD,
    Body,
    Flag,
    Id,
    Number,
    PageQuery,
    Problem,
    ValidationProblem,
    page_json,
)
from tourplanner.errors import FieldError, InvalidInput
from tourplanner.extensions import db
from tourplanner.sites import operations, queries
from tourplanner.sites.geocoding import configured_geocoder
from tourplanner.sites.models import Site
from tourplanner.timeutil import isoformat_local
from tourplanner.trades.operations import site_codes

ERRORS = {"HTTP_401": Problem, "HTTP_403": Problem, "HTTP_404": Problem, "HTTP_409": Problem}


def _domain_names(body: dict[str, Any]) -> dict[str, Any]:
    """A body's fields under the domain's names.

    The published API (its OpenAPI document, partners' clients) calls a site's bus parking `has_coach_parking`;
    the code says `has_bus_parking`. The API keeps its name in bodies and answers, mapped here and in site_json.
    """
    return {("has_bus_parking" if name == "has_coach_parking" else name): value for name, value in body.items()}


class SiteIn(Body):
    """A company's site; without lat/lon its address is geocoded."""

    name: str = Field(min_length=1, max_length=200)
    address: str = Field(min_length=1, max_length=300)
    lat: Number | None = Field(default=None, ge=-90, le=90)
    lon: Number | None = Field(default=None, ge=-180, le=180)
    organisation_id: Id | None = Field(
        default=None,
        description="organisers only; without it, a company organisation named as the site (created if new)",
    )
    zone_id: Id | None = None
    sector: str | None = Field(default=None, max_length=120)
    trades: list[str] = Field(default_factory=list, max_length=100)
    is_accessible: Flag = False
    has_coach_parking: Flag = True
    protective_equipment: str | None = Field(default=None, max_length=300)
    access_notes: str | None = Field(default=None, max_length=5000)
    photo_policy: str | None = Field(default=None, max_length=300)
    pay_range: str | None = Field(default=None, max_length=300)
    in_house_training: str | None = Field(default=None, max_length=5000)
    open_positions: str | None = Field(default=None, max_length=5000)
    how_to_apply: str | None = Field(default=None, max_length=5000, description="how to apply for a job here")
    visitor_contacts: str | None = Field(default=None, max_length=5000, description="contacts given to visitors")
    contact_name: str | None = Field(default=None, max_length=200, description="who welcomes the group on the day")
    contact_phone: str | None = Field(default=None, max_length=40, description="their phone, for the road book")


class SitePatch(Body):
    """Some fields of a site; those left out keep their value. A new address without lat/lon is geocoded."""

    name: str | None = Field(default=None, min_length=1, max_length=200)
    address: str | None = Field(default=None, min_length=1, max_length=300)
    lat: Number | None = Field(default=None, ge=-90, le=90)
    lon: Number | None = Field(default=None, ge=-180, le=180)
    zone_id: Id | None = None
    sector: str | None = Field(default=None, max_length=120)
    trades: list[str] | None = Field(default=None, max_length=100)
    is_accessible: Flag | None = None
    has_coach_parking: Flag | None = None
    protective_equipment: str | None = Field(default=None, max_length=300)
    access_notes: str | None = Field(default=None, max_length=5000)
    photo_policy: str | None = Field(default=None, max_length=300)
    pay_range: str | None = Field(default=None, max_length=300)
    in_house_training: str | None = Field(default=None, max_length=5000)
    open_positions: str | None = Field(default=None, max_length=5000)
    how_to_apply: str | None = Field(default=None, max_length=5000, description="how to apply for a job here")
    visitor_contacts: str | None = Field(default=None, max_length=5000, description="contacts given to visitors")
    contact_name: str | None = Field(default=None, max_length=200, description="who welcomes the group on the day")
    contact_phone: str | None = Field(default=None, max_length=40, description="their phone, for the road book")


class RomeTradeOut(BaseModel):
    """A trade of a site: its ROME code when one leads it, and its label."""

    code: str | None = None
    label: str


class SiteOut(BaseModel):
    """A site in an answer."""

    model_config = ConfigDict(extra="allow")

    id: int
    organisation_id: int
    organisation: str
    zone_id: int | None = None
    name: str
    address: str
    lat: float
    lon: float
    sector: str | None = None
    trades: list[str]
    is_accessible: bool
    #: the site's has_bus_parking, under the name the published API gives it
    has_coach_parking: bool
    protective_equipment: str | None = None
    access_notes: str | None = None
    photo_policy: str | None = None
    pay_range: str | None = None
    in_house_training: str | None = None
    open_positions: str | None = None
    how_to_apply: str | None = None
    visitor_contacts: str | None = None
    contact_name: str | None = None
    contact_phone: str | None = None
    trade_codes: list[str] = Field(default_factory=list, description="the site's ROME codes")
    trades_rome: list[RomeTradeOut] = Field(description="the trades with a ROME code read apart")
    created_at: str | None = None


class SiteList(BaseModel):
    """A page of sites."""

    sites: list[SiteOut]
    next: str | None = NEXT_FIELD


def site_json(site: Site, trade_codes: list[str] | None = None) -> dict[str, Any]:
    """A site as the API shows it (`trade_codes` when a list read them already for every site)."""
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
        "has_coach_parking": site.has_bus_parking,
        "protective_equipment": site.protective_equipment,
        "access_notes": site.access_notes,
        "photo_policy": site.photo_policy,
        "pay_range": site.pay_range,
        "in_house_training": site.in_house_training,
        "open_positions": site.open_positions,
        "how_to_apply": site.how_to_apply,
        "visitor_contacts": site.visitor_contacts,
        "trade_codes": site_codes(site) if trade_codes is None else trade_codes,
        "contact_name": site.contact_name,
        "contact_phone": site.contact_phone,
        "trades_rome": [
            {"code": trade.rome_code, "label": trade.label} for trade in operations.parse_trades(site.trades)
        ],
        "created_at": isoformat_local(site.created_at),
    }


@api.post("/sites")
@spec.validate(json=SiteIn, resp=Response(HTTP_201=SiteOut, HTTP_422=ValidationProblem, **ERRORS), tags=["sites"])
def create_site(json: SiteIn):
    """Create a site (company contacts for their company, organisers for the one they name)."""
    details = operations.SiteDetails(**_domain_names(json.model_dump()))
    site = operations.create_site(details, current_user(), configured_geocoder())
    db.session.commit()
    return jsonify(site_json(site)), 201


@api.get("/sites")
@spec.validate(query=PageQuery, resp=Response(HTTP_200=SiteList, HTTP_422=ValidationProblem, **ERRORS), tags=["sites"])
def list_sites(query: PageQuery):
    """Sites by name: every one for organisers, their company's for company contacts.

    Paginated: `limit` sites (50 by default, at most 200); `next`, when present, is the
    `cursor` of the following page.
    """
    page = queries.sites_page(current_user(), query.page())
    codes = queries.trade_codes_by_site([site.id for site in page.items])
    return jsonify(page_json("sites", [site_json(site, codes[site.id]) for site in page.items], page.next_cursor))


@api.get("/sites/<int:site_id>")
@spec.validate(resp=Response(HTTP_200=SiteOut, **ERRORS), tags=["sites"])
def get_site(site_id: int):
    """A site, for those who may list sites (company contacts: their company's only)."""
    return jsonify(site_json(queries.get_visible_site(current_user(), site_id)))


@api.put("/sites/<int:site_id>")
@spec.validate(json=SiteIn, resp=Response(HTTP_200=SiteOut, HTTP_422=ValidationProblem, **ERRORS), tags=["sites"])
def replace_site(site_id: int, json: SiteIn):
    """Replace a site's details (its company's contacts, organisers); without lat/lon a new address is geocoded."""
    user = current_user()
    site = operations.managed_site(user, site_id)
    site = operations.update_site(
        site, operations.SiteDetails(**_domain_names(json.model_dump())), user, configured_geocoder()
    )
    db.session.commit()
    return jsonify(site_json(site))


@api.patch("/sites/<int:site_id>")
@spec.validate(json=SitePatch, resp=Response(HTTP_200=SiteOut, HTTP_422=ValidationProblem, **ERRORS), tags=["sites"])
def edit_site(site_id: int, json: SitePatch):
    """Change some of a site's details (its company's contacts, organisers); the others keep their value."""
    user = current_user()
    site = operations.managed_site(user, site_id)
    given = json.model_dump(exclude_unset=True)
    required = ("name", "address", "is_accessible", "has_coach_parking")
    nulls = [FieldError(name, "ne peut pas être vide") for name in required if name in given and given[name] is None]
    if nulls:
        raise InvalidInput(nulls)
    if "trades" in given and given["trades"] is None:
        given["trades"] = []
    details = operations.details_of(site)
    details = operations.SiteDetails(**{**details.__dict__, **_domain_names(given)})
    site = operations.update_site(site, details, user, configured_geocoder())
    db.session.commit()
    return jsonify(site_json(site))
