"""Sites, visit slots and ambassador assignments in the API.

Ids in a body follow the same rule as ids in a path: a `site_id` that is unknown, or that
belongs to another company, answers 404, so a company cannot learn which sites exist.
"""

from __future__ import annotations

from datetime import date, time
from typing import Any

from flask import jsonify
from pydantic import BaseModel, ConfigDict, Field, field_validator
from spectree import Response

from routes.api import api, current_user, spec
from routes.api.schemas import (
    INT_MAX,
    NEXT_FIELD,
    Body,
    Flag,
    Id,
    Int,
    Moment,
    Number,
    PageQuery,
    Problem,
    ValidationProblem,
    page_json,
)
from tourplanner.errors import FieldError, InvalidInput
from tourplanner.extensions import db
from tourplanner.sites import operations, queries
from tourplanner.sites import series as series_ops
from tourplanner.sites.enums import SlotStatus
from tourplanner.sites.geocoding import configured_geocoder
from tourplanner.sites.models import Site, Slot, SlotSeries
from tourplanner.timeutil import isoformat_local
from tourplanner.tours import assignments, visits
from tourplanner.tours.models import AmbassadorAssignment
from tourplanner.tours.queries import get_managed_tour
from tourplanner.trades.operations import site_codes

ERRORS = {"HTTP_401": Problem, "HTTP_403": Problem, "HTTP_404": Problem, "HTTP_409": Problem}


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


class SlotIn(Body):
    """A window for one visit: it may begin at or after `start` and must end by `end`."""

    site_id: Id
    start: Moment
    end: Moment
    visit_minutes: Int = Field(ge=-INT_MAX - 1, le=INT_MAX)
    max_visitors: Int = Field(ge=-INT_MAX - 1, le=INT_MAX)


class SlotSiteOut(BaseModel):
    """The site of a slot, in short."""

    id: int
    name: str
    lat: float
    lon: float


class SlotOut(BaseModel):
    """A slot in an answer."""

    model_config = ConfigDict(extra="allow")

    id: int
    site_id: int
    site: SlotSiteOut
    status: SlotStatus
    status_label: str
    start: Moment
    end: Moment
    visit_minutes: int
    max_visitors: int
    series_id: int | None = None


class SlotList(BaseModel):
    """A page of slots."""

    slots: list[SlotOut]
    next: str | None = NEXT_FIELD


class SlotQuery(PageQuery):
    """Filters of the slot list: a site, slots meeting [from, to), a status; and which page."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True)

    site_id: int | None = Field(default=None, ge=1, le=INT_MAX)
    from_: Moment | None = Field(default=None, alias="from")
    to: Moment | None = None
    status: SlotStatus | None = None

    @field_validator("from_", "to", mode="before")
    @classmethod
    def _plus_sign(cls, value: Any) -> Any:
        """An unescaped "+01:00" arrives as " 01:00" in a query string: read it back."""
        return value.replace(" ", "+") if isinstance(value, str) else value


def _local_date(value: Any) -> Any:
    """A date as AAAA-MM-JJ, with a French message otherwise."""
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            raise ValueError("doit être une date AAAA-MM-JJ, ex. 2027-03-09") from None
    return value


def _local_time(value: Any) -> Any:
    """A wall-clock time as HH:MM, with a French message otherwise."""
    if isinstance(value, str):
        try:
            parsed = time.fromisoformat(value.strip())
        except ValueError:
            raise ValueError("doit être une heure HH:MM, ex. 09:00") from None
        if parsed.tzinfo is not None:
            raise ValueError("heure locale (Europe/Paris) sans fuseau, ex. 09:00")
        return parsed
    return value


class SlotSeriesIn(Body):
    """A recurring availability: an RFC 5545 rule, local times of day, a period, exceptions."""

    site_id: Id
    rrule: str = Field(max_length=500, description='RFC 5545 RRULE without DTSTART, e.g. "FREQ=WEEKLY;BYDAY=TU"')
    start_time: time = Field(description="local wall-clock time (Europe/Paris), HH:MM")
    end_time: time = Field(description="local wall-clock time (Europe/Paris), HH:MM")
    starts_on: date = Field(description="first day, local date")
    ends_on: date = Field(description="last day, local date (included)")
    visit_minutes: Int = Field(ge=-INT_MAX - 1, le=INT_MAX)
    max_visitors: Int = Field(ge=-INT_MAX - 1, le=INT_MAX)
    exdates: list[date] = Field(default_factory=list, max_length=400, description="local dates without a slot")

    @field_validator("starts_on", "ends_on", mode="before")
    @classmethod
    def _dates(cls, value: Any) -> Any:
        """Dates as AAAA-MM-JJ."""
        return _local_date(value)

    @field_validator("start_time", "end_time", mode="before")
    @classmethod
    def _times(cls, value: Any) -> Any:
        """Times as HH:MM, local."""
        return _local_time(value)

    @field_validator("exdates", mode="before")
    @classmethod
    def _exdates(cls, value: Any) -> Any:
        """Each exception as a date."""
        return [_local_date(item) for item in value] if isinstance(value, list) else value


class SkippedOut(BaseModel):
    """An occurrence that got no slot, and why."""

    date: date
    reason: str


class SlotSeriesOut(BaseModel):
    """A recurring availability in an answer."""

    model_config = ConfigDict(extra="allow")

    id: int
    site_id: int
    rrule: str
    description: str = Field(description="the rule in French words")
    start_time: str
    end_time: str
    starts_on: date
    ends_on: date
    visit_minutes: int
    max_visitors: int
    exdates: list[date]
    is_paused: bool
    slots: list[SlotOut]
    created_slot_ids: list[int] | None = Field(default=None, description="after a change: the slots it created")
    skipped: list[SkippedOut] | None = Field(default=None, description="after a change: occurrences without a slot")


class SlotSeriesList(BaseModel):
    """A list of series."""

    series: list[SlotSeriesOut]


class ExceptionIn(Body):
    """A day of the series without a slot."""

    date: date

    @field_validator("date", mode="before")
    @classmethod
    def _date(cls, value: Any) -> Any:
        """A date as AAAA-MM-JJ."""
        return _local_date(value)


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


class AssignmentIn(Body):
    """An ambassador (by the address of their account) and the bus they ride, from 0."""

    email: str = Field(min_length=1, max_length=254)
    bus: Int = Field(ge=0, le=19)


class AssignmentOut(BaseModel):
    """An ambassador's assignment in an answer."""

    model_config = ConfigDict(extra="allow")

    id: int
    tour_id: int
    bus: int
    bus_name: str
    user_id: int
    email: str
    name: str
    created_at: str | None = None
    moved: bool | None = Field(default=None, description="after an assignment: whether the ambassador changed bus")


class AssignmentList(BaseModel):
    """A tour's ambassadors."""

    ambassadors: list[AssignmentOut]


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
        "has_coach_parking": site.has_coach_parking,
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
        "series_id": slot.series_id,
    }


def series_json(series: SlotSeries, expansion: series_ops.Expansion | None = None) -> dict[str, Any]:
    """A series as the API shows it, with its slots to come and, after a change, what it did."""
    body: dict[str, Any] = {
        "id": series.id,
        "site_id": series.site_id,
        "rrule": series.rrule,
        "description": series_ops.describe_rule(series),
        "start_time": series.start_time.strftime("%H:%M"),
        "end_time": series.end_time.strftime("%H:%M"),
        "starts_on": series.starts_on.isoformat(),
        "ends_on": series.ends_on.isoformat(),
        "visit_minutes": series.visit_minutes,
        "max_visitors": series.max_visitors,
        "exdates": list(series.exdates or []),
        "is_paused": series.is_paused,
        "slots": [slot_json(slot) for slot in series.slots],
    }
    if expansion is not None:
        body["created_slot_ids"] = [slot.id for slot in expansion.created + expansion.restored]
        body["skipped"] = [{"date": item.day.isoformat(), "reason": item.reason} for item in expansion.skipped]
    return body


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
    site = operations.update_site(site, operations.SiteDetails(**json.model_dump()), user, configured_geocoder())
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
    details = operations.SiteDetails(**{**details.__dict__, **given})
    site = operations.update_site(site, details, user, configured_geocoder())
    db.session.commit()
    return jsonify(site_json(site))


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
    """Slots meeting [from, to), by start: organisers see offered ones, company contacts all of theirs.

    Paginated: `limit` slots (50 by default, at most 200); `next`, when present, is the
    `cursor` of the following page (the same filters apply).
    """
    page = queries.slots_page(current_user(), query.page(), query.site_id, query.from_, query.to, query.status)
    return jsonify(page_json("slots", [slot_json(slot) for slot in page.items], page.next_cursor))


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


@api.post("/slot-series")
@spec.validate(
    json=SlotSeriesIn, resp=Response(HTTP_201=SlotSeriesOut, HTTP_422=ValidationProblem, **ERRORS), tags=["slots"]
)
def create_slot_series(json: SlotSeriesIn):
    """Offer a recurring availability (its company's contacts, organisers): slots for the coming weeks.

    Occurrences overlapping another slot of the site are skipped and listed in `skipped`.
    """
    details = series_ops.SeriesDetails(**json.model_dump())
    series, expansion = series_ops.create_series(details, current_user())
    db.session.commit()
    return jsonify(series_json(series, expansion)), 201


@api.get("/slot-series")
@spec.validate(resp=Response(HTTP_200=SlotSeriesList, **ERRORS), tags=["slots"])
def list_slot_series():
    """Series of the sites the caller manages."""
    return jsonify({"series": [series_json(s) for s in series_ops.series_visible_to(current_user())]})


@api.get("/slot-series/<int:series_id>")
@spec.validate(resp=Response(HTTP_200=SlotSeriesOut, **ERRORS), tags=["slots"])
def get_slot_series(series_id: int):
    """A series and its slots (its company's contacts, organisers)."""
    return jsonify(series_json(series_ops.managed_series(current_user(), series_id)))


@api.post("/slot-series/<int:series_id>/exceptions")
@spec.validate(
    json=ExceptionIn, resp=Response(HTTP_200=SlotSeriesOut, HTTP_422=ValidationProblem, **ERRORS), tags=["slots"]
)
def add_slot_series_exception(series_id: int, json: ExceptionIn):
    """Exclude a day from a series: that day's slot is withdrawn."""
    user = current_user()
    series = series_ops.add_exception(series_ops.managed_series(user, series_id), json.date, user)
    db.session.commit()
    return jsonify(series_json(series))


@api.delete("/slot-series/<int:series_id>/exceptions/<string:day>")
@spec.validate(resp=Response(HTTP_200=SlotSeriesOut, HTTP_422=ValidationProblem, **ERRORS), tags=["slots"])
def remove_slot_series_exception(series_id: int, day: str):
    """Offer an excluded day again (day as AAAA-MM-JJ): its slot comes back."""
    user = current_user()
    series = series_ops.managed_series(user, series_id)
    try:
        parsed = date.fromisoformat(day)
    except ValueError:
        raise InvalidInput.one("date", "doit être une date AAAA-MM-JJ, ex. 2027-03-09") from None
    expansion = series_ops.remove_exception(series, parsed, user)
    db.session.commit()
    return jsonify(series_json(series, expansion))


@api.post("/slot-series/<int:series_id>/pause")
@spec.validate(resp=Response(HTTP_200=SlotSeriesOut, **ERRORS), tags=["slots"])
def pause_slot_series(series_id: int):
    """Pause a series for a busy period: its future offered slots are paused."""
    user = current_user()
    series = series_ops.managed_series(user, series_id)
    series_ops.pause_series(series, user)
    db.session.commit()
    return jsonify(series_json(series))


@api.post("/slot-series/<int:series_id>/resume")
@spec.validate(resp=Response(HTTP_200=SlotSeriesOut, **ERRORS), tags=["slots"])
def resume_slot_series(series_id: int):
    """Resume a paused series: its future paused slots are offered again."""
    user = current_user()
    series = series_ops.managed_series(user, series_id)
    series_ops.resume_series(series, user)
    db.session.commit()
    return jsonify(series_json(series))


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


@api.post("/tours/<int:tour_id>/ambassadors")
@spec.validate(
    json=AssignmentIn,
    resp=Response(HTTP_200=AssignmentOut, HTTP_201=AssignmentOut, HTTP_422=ValidationProblem, **ERRORS),
    tags=["tours"],
)
def assign_ambassador(tour_id: int, json: AssignmentIn):
    """Put an ambassador on a bus (organisers): 201 when new, 200 when moved or already there."""
    user = current_user()
    outcome = assignments.assign_ambassador(get_managed_tour(user, tour_id), json.email, json.bus, user)
    db.session.commit()
    body = assignment_json(outcome.assignment) | {"moved": outcome.moved}
    return jsonify(body), 201 if outcome.created else 200


@api.get("/tours/<int:tour_id>/ambassadors")
@spec.validate(resp=Response(HTTP_200=AssignmentList, **ERRORS), tags=["tours"])
def list_ambassadors(tour_id: int):
    """A tour's ambassadors and their buses (organisers)."""
    return jsonify(
        {
            "ambassadors": [
                assignment_json(a) for a in assignments.assignments_of(get_managed_tour(current_user(), tour_id))
            ]
        }
    )


@api.delete("/tours/<int:tour_id>/ambassadors/<int:assignment_id>")
@spec.validate(resp=Response(HTTP_200=AssignmentOut, **ERRORS), tags=["tours"])
def unassign_ambassador(tour_id: int, assignment_id: int):
    """Take an ambassador off a tour; they receive a cancellation (organisers)."""
    user = current_user()
    assignment = assignments.assignment_of(get_managed_tour(user, tour_id), assignment_id)
    body = assignment_json(assignment)
    assignments.unassign_ambassador(assignment, user)
    db.session.commit()
    return jsonify(body)
