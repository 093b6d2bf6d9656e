"""The pages, in French: sign-in by link, a home per role, tours."""

from __future__ import annotations

from flask import Blueprint

pages = Blueprint("pages", __name__)

from routes.pages import auth, home, tours  # noqa: E402,F401  (route definitions)
