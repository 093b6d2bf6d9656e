"""Calendar feeds: GET /calendar/<token>.ics (filled by the calendar work)."""

from flask import Blueprint

calendar = Blueprint("calendar", __name__)
