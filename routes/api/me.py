"""The signed-in user's own resources in the API: their calendar feed's address."""

from __future__ import annotations

from flask import jsonify
from pydantic import BaseModel
from spectree import Response

from routes.api import api, current_user, spec
from routes.api.schemas import Problem
from tourplanner.calendar import feeds
from tourplanner.calendar.models import CalendarToken
from tourplanner.extensions import db


class CalendarLinkOut(BaseModel):
    """The secret address of the user's calendar feed."""

    url: str
    webcal_url: str


def link_json(token: CalendarToken) -> dict[str, str]:
    """A feed token as the API shows it."""
    return {"url": feeds.feed_url(token), "webcal_url": feeds.webcal_url(token)}


@api.get("/me/calendar")
@spec.validate(resp=Response(HTTP_200=CalendarLinkOut, HTTP_401=Problem), tags=["calendar"])
def my_calendar():
    """The address of my calendar feed (created on first call): subscribe to it in any calendar app."""
    token = feeds.calendar_token(current_user())
    db.session.commit()
    return jsonify(link_json(token))


@api.post("/me/calendar/renew")
@spec.validate(resp=Response(HTTP_200=CalendarLinkOut, HTTP_401=Problem), tags=["calendar"])
def renew_my_calendar():
    """Revoke my calendar feed's address and get a new one (the old one answers 404)."""
    token = feeds.renew_calendar_token(current_user())
    db.session.commit()
    return jsonify(link_json(token))
