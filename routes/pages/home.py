"""The home page of each role."""

from __future__ import annotations

from flask import redirect, render_template, url_for
from flask_login import current_user

from routes.pages import pages
from routes.pages.forms import ActionForm
from tourplanner.tours.attention import tours_needing_attention
from tourplanner.tours.queries import home_tours


@pages.get("/")
def home():
    """Signed out: what tourplanner is. Signed in: the tours that matter to this person."""
    if not current_user.is_authenticated:
        return redirect(url_for("pages.login"))
    return render_template(
        "home.html",
        tours=home_tours(current_user),
        attention=tours_needing_attention(current_user),
        action_form=ActionForm(),
    )
