"""Visit slots in the API: offer one, list them, pause and resume."""

from __future__ import annotations

from typing import Any

from flask import jsonify
from pydantic import BaseModel, ConfigDict, Field, field_validator
from spectree import Response

from routes.api import api, current_user, spec
from routes.api.schemas import (
    INT_MAX,
    NEXT_FIELD,
    Body,
    Id,
    Int,
    Moment,
    PageQuery,
    Problem,
    ValidationProblem,
    page_json,
)
from tourplanner.extensions import db
from tourplanner.sites import queries
from tourplanner.sites import slots as slot_ops
from tourplanner.sites.enums import SlotStatus
from tourplanner.sites.models import Slot
from tourplanner.timeutil import isoformat_local

ERRORS = {"HTTP_401": Problem, "HTTP_403": Problem, "HTTP_404": Problem, "HTTP_409": Problem}


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


@api.post("/slots")
@spec.validate(json=SlotIn, resp=Response(HTTP_201=SlotOut, HTTP_422=ValidationProblem, **ERRORS), tags=["slots"])
def offer_slot(json: SlotIn):
    """Offer a visit slot at a site (its company's contacts, organisers)."""
    slot = slot_ops.offer_slot(slot_ops.SlotDetails(**json.model_dump()), current_user())
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
    slot = slot_ops.pause_slot(slot_ops.managed_slot(user, slot_id), user)
    db.session.commit()
    return jsonify(slot_json(slot))


@api.post("/slots/<int:slot_id>/resume")
@spec.validate(resp=Response(HTTP_200=SlotOut, **ERRORS), tags=["slots"])
def resume_slot(slot_id: int):
    """Offer a paused slot again (its company's contacts, organisers)."""
    user = current_user()
    slot = slot_ops.resume_slot(slot_ops.managed_slot(user, slot_id), user)
    db.session.commit()
    return jsonify(slot_json(slot))
