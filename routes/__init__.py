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
    from routes import errors, filters
    from routes.api import api, spec
    from routes.health import health
    from routes.pages import pages
    from tourplanner.extensions import csrf

    from routes.calendar import calendar

    import routes.api.bookings  # noqa: F401  (route definitions)
    import routes.api.impact  # noqa: F401
    import routes.api.cohorts  # noqa: F401
    import routes.api.company_visits  # noqa: F401
    import routes.api.itinerary  # noqa: F401
    import routes.api.kit  # noqa: F401
    import routes.api.me  # noqa: F401
    import routes.api.organiser_bookings  # noqa: F401
    import routes.api.passeport  # noqa: F401
    import routes.api.sites  # noqa: F401
    import routes.api.slot_review  # noqa: F401
    import routes.api.tours  # noqa: F401
    import routes.api.trades  # noqa: F401
    import routes.api.workshops  # noqa: F401

    csrf.exempt(api)  # bearer tokens, not cookies: no cross-site forgery to fear
    app.register_blueprint(health)
    app.register_blueprint(api)
    app.register_blueprint(pages)
    app.register_blueprint(calendar)
    app.extensions["spectree"] = spec
    errors.register(app)
    filters.register(app)
