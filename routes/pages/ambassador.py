"""Ambassadors' pages: their tours; the organisers' page that puts ambassadors on buses."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_login import current_user, login_required
from wtforms import SelectChoice, SelectField
from wtforms.validators import InputRequired

from routes.pages import pages
from routes.pages.forms import REQUIRED, ActionForm, FrenchForm
from routes.pages.tours import load_managed_tour
from tourplanner.accounts.models import User
from tourplanner.errors import Conflict, InvalidInput
from tourplanner.extensions import db
from tourplanner.tours import assignments
from tourplanner.tours.ambassador_queries import ambassador_schedule, assignable_ambassadors
from tourplanner.tours.models import Tour


class AssignForm(FrenchForm):
    """Put an ambassador (a user with that role) on a bus of the tour."""

    ambassador = SelectField("Ambassadeur", coerce=int, validators=[InputRequired(REQUIRED)], validate_choice=True)
    bus = SelectField("Car", coerce=int, validators=[InputRequired(REQUIRED)], validate_choice=True)


@pages.get("/ambassadeur")
@login_required
def ambassador_tours():
    """An ambassador's tours to come and past: bus, meeting point and time, fellow ambassadors."""
    return render_template("ambassador/my_tours.html", schedule=ambassador_schedule(current_user))


def _assign_form(tour: Tour) -> AssignForm:
    """The assignment form, its choices the active ambassadors and the tour's buses."""
    form = AssignForm()
    form.ambassador.choices = [SelectChoice(0, "Choisissez un ambassadeur")] + [
        SelectChoice(user.id, f"{user.name} ({user.email})") for user in assignable_ambassadors()
    ]
    form.bus.choices = [SelectChoice(bus.position, f"{bus.name} · {bus.seats} places") for bus in tour.buses]
    return form


@pages.get("/tours/<int:tour_id>/ambassadeurs")
@login_required
def tour_ambassadors(tour_id: int):
    """A tour's ambassadors, bus by bus, with the form to assign one (organisers)."""
    tour = load_managed_tour(tour_id)
    return _render(tour, _assign_form(tour))


def _render(tour: Tour, form: AssignForm, status: int = 200):
    """The tour's ambassadors page with the assignment form as given."""
    return render_template(
        "ambassador/tour_ambassadors.html",
        tour=tour,
        assignments=assignments.assignments_of(tour),
        form=form,
        remove_form=ActionForm(formdata=None),
        is_open=assignments.is_open_for_assignment(tour),
    ), status


@pages.post("/tours/<int:tour_id>/ambassadeurs")
@login_required
def tour_assign_ambassador(tour_id: int):
    """Put an ambassador on a bus of the tour; they receive an invitation (organisers)."""
    tour = load_managed_tour(tour_id)
    form = _assign_form(tour)
    valid = form.validate_on_submit()
    if valid and not form.ambassador.data:
        form.ambassador.errors = list(form.ambassador.errors) + ["Choisissez un ambassadeur."]
        valid = False
    if not valid:
        return _render(tour, form, 422)
    ambassador = db.session.get(User, form.ambassador.data)
    try:
        outcome = assignments.assign_ambassador(tour, ambassador.email, form.bus.data, current_user)
        who, bus = outcome.assignment.user.name, outcome.assignment.bus.name
        db.session.commit()
    except InvalidInput as error:
        db.session.rollback()
        for item in error.errors:
            field = form.bus if item.field == "bus" else form.ambassador
            field.errors = list(field.errors) + [item.message[0].upper() + item.message[1:] + "."]
        return _render(tour, form, 422)
    except Conflict as error:
        db.session.rollback()
        flash(f"Action impossible : {error.detail}.", "error")
        return redirect(url_for("pages.tour_ambassadors", tour_id=tour_id))
    if outcome.created:
        flash(f"{who} accompagnera le {bus} ; une invitation lui est envoyée.", "success")
    elif outcome.moved:
        flash(f"{who} passe dans le {bus} ; une invitation à jour lui est envoyée.", "success")
    else:
        flash(f"{who} est déjà dans le {bus}.", "success")
    return redirect(url_for("pages.tour_ambassadors", tour_id=tour_id))


@pages.post("/tours/<int:tour_id>/ambassadeurs/<int:assignment_id>/retirer")
@login_required
def tour_unassign_ambassador(tour_id: int, assignment_id: int):
    """Take an ambassador off the tour; they receive a cancellation (organisers)."""
    tour = load_managed_tour(tour_id)
    assignment = assignments.assignment_of(tour, assignment_id)
    if not ActionForm().validate_on_submit():
        flash("Action impossible : le formulaire est incomplet ; rechargez la page.", "error")
        return redirect(url_for("pages.tour_ambassadors", tour_id=tour_id))
    who = assignment.user.name
    try:
        assignments.unassign_ambassador(assignment, current_user)
        db.session.commit()
    except Conflict as error:
        db.session.rollback()
        flash(f"Action impossible : {error.detail}.", "error")
        return redirect(url_for("pages.tour_ambassadors", tour_id=tour_id))
    flash(f"{who} ne fait plus partie de ce tour ; une annulation lui est envoyée.", "success")
    return redirect(url_for("pages.tour_ambassadors", tour_id=tour_id))
