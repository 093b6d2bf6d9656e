"""Calendar feeds: GET /calendar/<token>.ics, for whoever holds the secret token."""

from __future__ import annotations

from flask import Blueprint, Response, request

from tourplanner.calendar import feeds, tokens
from tourplanner.errors import NotFound

calendar = Blueprint("calendar", __name__)


@calendar.get("/calendar/<token>.ics")
def feed(token: str) -> Response:
    """The token holder's tours, visits and assignments as text/calendar, with ETag and Last-Modified."""
    user = tokens.user_for_secret(token)
    if user is None:
        raise NotFound("ce lien d'agenda n'existe pas ou a été renouvelé")
    # The validators come from what changed: an unchanged feed answers 304 without being built.
    etag, last_modified = feeds.feed_validators(user)
    unchanged = Response(status=304)
    unchanged.set_etag(etag)
    unchanged.last_modified = last_modified
    unchanged.cache_control.private = True
    unchanged.cache_control.no_cache = True
    if request.if_none_match.contains(etag) or (
        not request.if_none_match
        and request.if_modified_since is not None
        and last_modified <= request.if_modified_since
    ):
        return unchanged
    # Rendered once per change (the same validators give the same content), then kept.
    rendered = feeds.cached_feed(user, etag, last_modified)
    response = Response(rendered.body, mimetype="text/calendar")
    response.headers["Content-Disposition"] = 'inline; filename="tourplanner.ics"'
    response.set_etag(rendered.etag)
    response.last_modified = rendered.last_modified
    # Private: the URL is a secret; clients revalidate with the validators above.
    response.cache_control.private = True
    response.cache_control.no_cache = True
    return response.make_conditional(request)
