"""HTTP layer: thin blueprints for the API and the pages."""

from __future__ import annotations

from flask import Flask
from werkzeug.routing import IntegerConverter, Map


class IdConverter(IntegerConverter):
    """`<int:…>` in our URLs: ids fit the database's INTEGER; a bigger number matches no route (404)."""

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
    import routes.api.company_visits  # noqa: F401
    import routes.api.itinerary  # noqa: F401
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
