"""HTTP layer: thin blueprints for the API and the pages."""

from __future__ import annotations

from flask import Flask
from werkzeug.routing import IntegerConverter, Map

#: 0 to 2147483647 (PostgreSQL's INTEGER), digit by digit: a bigger number matches no URL at all.
INT32_REGEX = (
    r"(?:\d{1,9}|1\d{9}|20\d{8}|21[0-3]\d{7}|214[0-6]\d{6}|2147[0-3]\d{5}|21474[0-7]\d{4}"
    r"|214748[0-2]\d{3}|2147483[0-5]\d{2}|21474836[0-3]\d|214748364[0-7])"
)


class IdConverter(IntegerConverter):
    """`<int:…>` in our URLs: ids fit the database's INTEGER.

    The bound is in the pattern, not only in the conversion: werkzeug would otherwise answer
    405 to a method the route lacks before it looks at the number; out of range is 404 always.
    """

    regex = INT32_REGEX

    def __init__(self, map: Map, *args: object, **kwargs: object) -> None:
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(map, *args, **kwargs)


def register_routes(app: Flask) -> None:
    """Register every blueprint and the error handlers on `app`."""
    app.url_map.converters["int"] = IdConverter
    import routes.api.ambassadors
    import routes.api.bookings
    import routes.api.cohorts
    import routes.api.company_visits
    import routes.api.impact
    import routes.api.itinerary
    import routes.api.kit
    import routes.api.me
    import routes.api.organiser_bookings
    import routes.api.passeport
    import routes.api.sites
    import routes.api.slot_review
    import routes.api.slot_series
    import routes.api.slots
    import routes.api.tours
    import routes.api.trades
    import routes.api.visits
    import routes.api.workshops  # noqa: F401
    from routes import errors, filters
    from routes.api import api, spec
    from routes.calendar import calendar
    from routes.health import health
    from routes.pages import pages
    from tourplanner.extensions import csrf

    csrf.exempt(api)  # bearer tokens, not cookies: no cross-site forgery to fear
    app.register_blueprint(health)
    app.register_blueprint(api)
    app.register_blueprint(pages)
    app.register_blueprint(calendar)
    app.extensions["spectree"] = spec
    errors.register(app)
    filters.register(app)
