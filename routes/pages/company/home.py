"""The company's space (/entreprise): visits to answer, its sites, its recurring availability."""

from __future__ import annotations

from flask import render_template
from flask_login import current_user, login_required

from routes.pages import pages
from tourplanner.db import utcnow
from tourplanner.sites import queries
from tourplanner.sites import series as series_ops
from tourplanner.sites.enums import SlotStatus
from tourplanner.tours import visits


@pages.get("/entreprise")
@login_required
def company_home():
    """The company's space: visits to answer, its sites, its recurring availability."""
    coming = visits.company_visits(current_user, since=utcnow())
    return render_template(
        "company/home.html",
        visits=coming,
        to_answer=[v for v in coming if v.is_answerable and v.stop.company_response.value == "pending"],
        sites=queries.sites_visible_to(current_user),
        series=series_ops.series_visible_to(current_user),
    )


@pages.app_template_filter("slot_status_class")
def slot_status_class(status: SlotStatus) -> str:
    """A badge class for a slot status."""
    return {"offered": "badge-published", "paused": "badge-draft", "accepted": "badge-published"}.get(
        status.value, "badge-cancelled"
    )
