"""HTTP layer: thin blueprints for the API and the pages."""

from __future__ import annotations

from flask import Flask


def register_routes(app: Flask) -> None:
    """Register every blueprint and the error handlers on `app`."""
    from routes import errors, filters
    from routes.api import api, spec
    from routes.health import health
    from routes.pages import pages
    from tourplanner.extensions import csrf

    import routes.api.tours  # noqa: F401  (route definitions)

    csrf.exempt(api)  # bearer tokens, not cookies: no cross-site forgery to fear
    app.register_blueprint(health)
    app.register_blueprint(api)
    app.register_blueprint(pages)
    app.extensions["spectree"] = spec
    errors.register(app)
    filters.register(app)
