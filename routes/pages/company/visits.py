"""Visits planned at the company's sites: list, confirm, decline."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from wtforms import (
    TextAreaField,
)
from wtforms.validators import Optional

from routes.pages import pages
from routes.pages.company.common import attach_errors, sentence
from routes.pages.forms import ActionForm, FrenchForm, too_long
from routes.pages.pagination import page_links, page_request
from tourplanner.db import utcnow
from tourplanner.errors import Conflict, InvalidInput
from tourplanner.extensions import db
from tourplanner.timeutil import local_zone
from tourplanner.tours import visits


class DeclineForm(FrenchForm):
    """Decline a visit, saying why."""

    reason = TextAreaField("Motif (transmis à l'organisateur)", validators=[Optional(), too_long(500)])


@pages.get("/entreprise/visites")
@login_required
def company_visits():
    """The visits planned at the company's sites, a page at a time: those to come (soonest first), or with
    `?periode=passees` the past ones (latest first)."""
    past = request.args.get("periode") == "passees"
    page = visits.company_visits_page_of(current_user, page_request(), upcoming=not past, now=utcnow())
    return render_template(
        "company/visits.html",
        visits=page.items,
        past=past,
        pages=page_links(page.next_cursor),
        is_first_page=page_request().cursor is None,
        action_form=ActionForm(),
    )


@pages.post("/entreprise/visites/<int:stop_id>/confirmer")
@login_required
def company_visit_confirm(stop_id: int):
    """Confirm a visit."""
    visit = visits.visit_for(current_user, stop_id)
    try:
        visits.confirm_visit(visit, current_user)
        db.session.commit()
    except Conflict as error:
        db.session.rollback()
        flash(f"Action impossible : {sentence(error)}", "error")
    else:
        flash(f"Visite du {visit.stop.arrival_at.astimezone(local_zone()):%d/%m/%Y} confirmée. Merci !", "success")
    return redirect(url_for("pages.company_visits"))


@pages.route("/entreprise/visites/<int:stop_id>/decliner", methods=["GET", "POST"])
@login_required
def company_visit_decline(stop_id: int):
    """Decline a visit: the organiser is told and will re-plan the tour."""
    visit = visits.visit_for(current_user, stop_id)
    form = DeclineForm()
    if form.validate_on_submit():
        try:
            visits.decline_visit(visit, current_user, form.reason.data)
            db.session.commit()
        except InvalidInput as error:
            db.session.rollback()
            attach_errors(form, error, fallback="reason")
        except Conflict as error:
            db.session.rollback()
            flash(f"Action impossible : {sentence(error)}", "error")
            return redirect(url_for("pages.company_visits"))
        else:
            flash("Visite déclinée : l'organisateur est prévenu et va revoir l'itinéraire.", "success")
            return redirect(url_for("pages.company_visits"))
    return render_template("company/decline.html", form=form, visit=visit), 422 if form.errors else 200
