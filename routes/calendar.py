"""Calendar feeds: GET /calendar/<token>.ics, for whoever holds the secret token."""

from __future__ import annotations

from flask import Blueprint, Response, request
from werkzeug.http import http_date

from tourplanner.calendar import feeds
from tourplanner.errors import NotFound

calendar = Blueprint("calendar", __name__)

#: Private: the URL is a secret; clients revalidate with the validators every time.
CACHE_CONTROL = "private, no-cache"


@calendar.get("/calendar/<token>.ics")
def feed(token: str) -> Response:
    """The token holder's tours, visits and assignments as text/calendar, with ETag and Last-Modified."""
    # One statement: the token's holder and their feed stamp. An unchanged feed answers 304 without being read.
    found = feeds.validators_for_secret(token)
    if found is None:
        raise NotFound("ce lien d'agenda n'existe pas ou a été renouvelé")
    etag, last_modified = found.etag, found.last_modified
    if request.if_none_match.contains(etag) or (
        not request.if_none_match
        and request.if_modified_since is not None
        and last_modified <= request.if_modified_since
    ):
        return Response(
            status=304,
            headers={"ETag": f'"{etag}"', "Last-Modified": http_date(last_modified), "Cache-Control": CACHE_CONTROL},
        )
    # Rendered once per change (the same validators give the same content), then kept; for the holder read with
    # the validators (no other statement for the person).
    rendered = feeds.cached_feed(found.holder, etag, last_modified)
    response = Response(rendered.body, mimetype="text/calendar")
    response.headers["Content-Disposition"] = 'inline; filename="tourplanner.ics"'
    response.set_etag(rendered.etag)
    response.last_modified = rendered.last_modified
    response.headers["Cache-Control"] = CACHE_CONTROL
    return response.make_conditional(request)
