"""Ambassadors on a tour's buses in the API: assign, list, take off (organisers)."""

from __future__ import annotations

from typing import Any

from flask import jsonify
from pydantic import BaseModel, ConfigDict, Field
from spectree import Response

from routes.api import api, current_user, spec
from routes.api.schemas import (
    Body,
    Int,
    Problem,
    ValidationProblem,
)
from tourplanner.extensions import db
from tourplanner.timeutil import isoformat_local
from tourplanner.tours import assignments
from tourplanner.tours.models import AmbassadorAssignment
from tourplanner.tours.queries import get_managed_tour

ERRORS = {"HTTP_401": Problem, "HTTP_403": Problem, "HTTP_404": Problem, "HTTP_409": Problem}


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
