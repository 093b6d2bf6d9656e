"""One-off visit slots at a company's site: offer, pause, resume."""

from __future__ import annotations

from collections.abc import Callable

from flask import flash, redirect, render_template, url_for
from flask_login import current_user, login_required
from wtforms import (
    DateTimeLocalField,
    IntegerField,
)
from wtforms.validators import InputRequired

from routes.pages import pages
from routes.pages.company.common import act_and_go_back, attach_errors
from routes.pages.forms import REQUIRED, ExistingLocalTime, FrenchForm
from tourplanner.accounts.models import User
from tourplanner.errors import InvalidInput
from tourplanner.extensions import db
from tourplanner.sites import operations
from tourplanner.sites import slots as slot_ops
from tourplanner.sites.models import Slot
from tourplanner.timeutil import aware_local


class SlotForm(FrenchForm):
    """Offer one slot."""

    start = DateTimeLocalField(
        "Début du créneau", validators=[InputRequired(REQUIRED), ExistingLocalTime()], format="%Y-%m-%dT%H:%M"
    )
    end = DateTimeLocalField(
        "Fin du créneau", validators=[InputRequired(REQUIRED), ExistingLocalTime()], format="%Y-%m-%dT%H:%M"
    )
    visit_minutes = IntegerField("Durée de la visite (minutes)", default=90, validators=[InputRequired(REQUIRED)])
    max_visitors = IntegerField("Visiteurs au plus", default=20, validators=[InputRequired(REQUIRED)])


@pages.route("/entreprise/sites/<int:site_id>/creneaux/nouveau", methods=["GET", "POST"])
@login_required
def company_slot_new(site_id: int):
    """Offer one visit slot at a site."""
    site = operations.company_site(current_user, site_id)
    form = SlotForm()
    if form.validate_on_submit():
        details = slot_ops.SlotDetails(
            site.id,
            aware_local(form.start.data),
            aware_local(form.end.data),
            form.visit_minutes.data,
            form.max_visitors.data,
        )
        try:
            slot_ops.offer_slot(details, current_user)
            db.session.commit()
        except InvalidInput as error:
            db.session.rollback()
            attach_errors(form, error, fallback="start")
        else:
            flash("Créneau proposé.", "success")
            return redirect(url_for("pages.company_site", site_id=site.id, _anchor="creneaux"))
    return render_template("company/slot_form.html", form=form, site=site), 422 if form.errors else 200


def _slot_action(slot_id: int, verb: Callable[[Slot, User], object], done: str):
    """A button on one of the company's slots: the verb, then back to its site's slots."""
    slot = slot_ops.company_slot(current_user, slot_id)
    return act_and_go_back(
        slot, current_user, verb, done, url_for("pages.company_site", site_id=slot.site_id, _anchor="creneaux")
    )


@pages.post("/entreprise/creneaux/<int:slot_id>/pause")
@login_required
def company_slot_pause(slot_id: int):
    """Pause one slot."""
    return _slot_action(slot_id, slot_ops.pause_slot, "Créneau mis en pause.")


@pages.post("/entreprise/creneaux/<int:slot_id>/reprendre")
@login_required
def company_slot_resume(slot_id: int):
    """Offer a paused slot again."""
    return _slot_action(slot_id, slot_ops.resume_slot, "Créneau proposé à nouveau.")
