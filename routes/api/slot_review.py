"""The organisers' answers to offered slots in the API: accept, decline."""

from __future__ import annotations

from flask import jsonify
from pydantic import Field
from spectree import Response

from routes.api import api, current_user, spec
from routes.api.schemas import Body, Problem, ValidationProblem
from routes.api.slots import SlotOut, slot_json
from tourplanner.extensions import db
from tourplanner.sites import review

ERRORS = {"HTTP_401": Problem, "HTTP_403": Problem, "HTTP_404": Problem, "HTTP_409": Problem}


class SlotReviewIn(Body):
    """An organiser's answer to a slot, with an optional reason kept in the audit trail."""

    reason: str | None = Field(default=None, max_length=review.REASON_MAX_LENGTH)


@api.post("/slots/<int:slot_id>/accept")
@spec.validate(json=SlotReviewIn, resp=Response(HTTP_200=SlotOut, HTTP_422=ValidationProblem, **ERRORS), tags=["slots"])
def accept_slot(slot_id: int, json: SlotReviewIn):
    """Accept an offered slot, or a declined one whose window has not begun (organisers)."""
    user = current_user()
    slot = review.accept_slot(review.slot_for_review(user, slot_id), user, json.reason)
    db.session.commit()
    return jsonify(slot_json(slot))


@api.post("/slots/<int:slot_id>/decline")
@spec.validate(json=SlotReviewIn, resp=Response(HTTP_200=SlotOut, HTTP_422=ValidationProblem, **ERRORS), tags=["slots"])
def decline_slot(slot_id: int, json: SlotReviewIn):
    """Decline an offered or accepted slot that no tour being planned counts on (organisers)."""
    user = current_user()
    slot = review.decline_slot(review.slot_for_review(user, slot_id), user, json.reason)
    db.session.commit()
    return jsonify(slot_json(slot))
