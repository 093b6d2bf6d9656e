"""Recurring availability (slot series) in the API: create, read, exceptions, pause and resume."""

from __future__ import annotations

from datetime import date, time
from typing import Any

from flask import jsonify
from pydantic import BaseModel, ConfigDict, Field, field_validator
from spectree import Response

from routes.api import api, current_user, spec
from routes.api.schemas import (
    INT_MAX,
    Body,
    Id,
    Int,
    Problem,
    ValidationProblem,
)
from routes.api.slots import SlotOut, slot_json
from tourplanner.errors import InvalidInput
from tourplanner.extensions import db
from tourplanner.sites import series as series_ops
from tourplanner.sites.models import SlotSeries

ERRORS = {"HTTP_401": Problem, "HTTP_403": Problem, "HTTP_404": Problem, "HTTP_409": Problem}


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
