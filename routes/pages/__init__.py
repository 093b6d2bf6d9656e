"""The pages, in French: sign-in by link, a home per role, tours."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_wtf.csrf import CSRFError

from tourplanner.extensions import db

pages = Blueprint("pages", __name__)

#: Why a form without a valid CSRF token is refused, in the users' words.
CSRF_DETAIL = (
    "ce formulaire a expiré ou ne provient pas de tourplanner ; rien n'a été enregistré. "
    "Rechargez la page et recommencez"
)


@pages.errorhandler(CSRFError)
def csrf_refused(error: CSRFError):
    """A POST without a valid CSRF token: a French page, nothing done (never a 500)."""
    db.session.rollback()
    return render_template("error.html", status=400, title="Formulaire refusé", detail=CSRF_DETAIL), 400


from routes.pages import (  # noqa: E402,F401  (route definitions)
    ambassador,
    auth,
    bilan,
    cohorts,
    company,
    company_visits,
    home,
    impact,
    itinerary,
    kit,
    organiser_bookings,
    passeport,
    prescriber,
    questionnaires,
    reverse_visits,
    slots,
    tours,
    trades,
    workshops,
)
