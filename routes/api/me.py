"""The signed-in user's own resources in the API: their calendar feed's address."""

from __future__ import annotations

from flask import jsonify
from pydantic import BaseModel
from spectree import Response

from routes.api import api, current_user, spec
from routes.api.schemas import Problem
from tourplanner.calendar import tokens
from tourplanner.extensions import db


class CalendarLinkOut(BaseModel):
    """The secret address of the user's calendar feed."""

    url: str
    webcal_url: str


def link_json(secret: str) -> dict[str, str]:
    """A feed's secret as the API shows it."""
    return {"url": tokens.feed_url(secret), "webcal_url": tokens.webcal_url(secret)}


@api.get("/me/calendar")
@spec.validate(resp=Response(HTTP_200=CalendarLinkOut, HTTP_401=Problem), tags=["calendar"])
def my_calendar():
    """The address of my calendar feed (created on first call): subscribe to it in any calendar app."""
    secret = tokens.feed_secret(current_user())
    db.session.commit()
    return jsonify(link_json(secret))


@api.post("/me/calendar/renew")
@spec.validate(resp=Response(HTTP_200=CalendarLinkOut, HTTP_401=Problem), tags=["calendar"])
def renew_my_calendar():
    """Revoke my calendar feed's address and get a new one (the old one answers 404)."""
    secret = tokens.renew_feed_secret(current_user())
    db.session.commit()
    return jsonify(link_json(secret))
