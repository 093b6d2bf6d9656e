"""Ambassadeurs des métiers sessions in the API: the three-step agenda and the debriefing's interest."""

from __future__ import annotations

from typing import Any

from flask import jsonify
from pydantic import AwareDatetime, BaseModel, Field
from spectree import Response

from routes.api import api, current_user, spec
from routes.api.schemas import Body, Moment, Problem, ValidationProblem
from routes.api.tours import load_tour, load_visible_tour
from tourplanner.company_visits import operations
from tourplanner.company_visits.enums import AgendaStep, Interest
from tourplanner.extensions import db
from tourplanner.timeutil import isoformat_local
from tourplanner.tours.models import Tour

ERRORS = {"HTTP_401": Problem, "HTTP_403": Problem, "HTTP_404": Problem, "HTTP_409": Problem}


class AgendaStepIn(Body):
    """One step: `briefing` (near the company), `visit`, `debriefing`; its time and place."""

    step: AgendaStep
    start: Moment
    place: str = Field(min_length=1, max_length=300)


class AgendaIn(Body):
    """The session's agenda: the three steps, each once, in time order within the session."""

    steps: list[AgendaStepIn] = Field(min_length=1, max_length=3)


class AgendaStepOut(BaseModel):
    """A step in an answer."""

    step: AgendaStep
    label: str
    start: AwareDatetime
    place: str


class AgendaOut(BaseModel):
    """A session's agenda (empty until set)."""

    tour_id: int
    steps: list[AgendaStepOut]


class InterestIn(Body):
    """What the participant said at the debriefing: want to go further?"""

    interest: Interest


class InterestOut(BaseModel):
    """A participant's interest."""

    participant_id: int
    booking_id: int
    name: str
    interest: Interest | None = None


class DebriefingOut(BaseModel):
    """The session's confirmed participants and their interest (a prescriber sees their own)."""

    tour_id: int
    participants: list[InterestOut]


def agenda_json(tour: Tour) -> dict[str, Any]:
    """A session's agenda as the API shows it."""
    return {
        "tour_id": tour.id,
        "steps": [
            {
                "step": item.step.value,
                "label": item.step.label,
                "start": isoformat_local(item.start_at),
                "place": item.place,
            }
            for item in operations.tour_agenda(tour)
        ],
    }


@api.put("/tours/<int:tour_id>/agenda")
@spec.validate(
    json=AgendaIn, resp=Response(HTTP_200=AgendaOut, HTTP_422=ValidationProblem, **ERRORS), tags=["company visits"]
)
def set_agenda(tour_id: int, json: AgendaIn):
    """Set a company visit session's agenda (organisers): briefing, visit, debriefing, each with time and place.

    Only for kind `company_visit` (409). The three steps, each once, in time order within the
    session (422). Invitations and calendar feeds carry it.
    """
    tour = load_tour(tour_id)
    entries = [operations.AgendaEntry(s.step, s.start, s.place) for s in json.steps]
    operations.set_agenda(tour, entries, current_user())
    db.session.commit()
    return jsonify(agenda_json(tour))


@api.get("/tours/<int:tour_id>/agenda")
@spec.validate(resp=Response(HTTP_200=AgendaOut, **ERRORS), tags=["company visits"])
def get_agenda(tour_id: int):
    """A session's agenda (any signed-in user)."""
    return jsonify(agenda_json(load_visible_tour(tour_id)))


@api.put("/tours/<int:tour_id>/participants/<int:participant_id>/interest")
@spec.validate(
    json=InterestIn, resp=Response(HTTP_200=InterestOut, HTTP_422=ValidationProblem, **ERRORS), tags=["company visits"]
)
def record_interest(tour_id: int, participant_id: int, json: InterestIn):
    """Record a participant's interest at the debriefing: yes / maybe / no (organisers, once the session began)."""
    participant = operations.tour_participant(load_tour(tour_id), participant_id)
    row = operations.record_interest(participant, json.interest, current_user())
    db.session.commit()
    return jsonify(
        {
            "participant_id": participant.id,
            "booking_id": participant.booking_id,
            "name": participant.name,
            "interest": row.interest.value,
        }
    )


@api.get("/tours/<int:tour_id>/debriefing")
@spec.validate(resp=Response(HTTP_200=DebriefingOut, **ERRORS), tags=["company visits"])
def get_debriefing(tour_id: int):
    """Confirmed participants and their interest: organisers see all, a prescriber those they booked."""
    rows = operations.debriefing(load_tour(tour_id), current_user())
    return jsonify(
        {
            "tour_id": tour_id,
            "participants": [
                {
                    "participant_id": p.id,
                    "booking_id": p.booking_id,
                    "name": p.name,
                    "interest": interest.value if interest else None,
                }
                for p, interest in rows
            ],
        }
    )
