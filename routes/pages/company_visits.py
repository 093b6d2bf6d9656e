"""Ambassadeurs des métiers pages: the session's agenda and the organiser's debriefing."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from wtforms import DateTimeLocalField, StringField
from wtforms.validators import DataRequired, InputRequired

from routes.pages import pages
from routes.pages.forms import REQUIRED, ActionForm, ExistingLocalTime, FrenchForm, too_long
from routes.pages.tours import load_managed_tour
from tourplanner.bookings.models import Participant
from tourplanner.company_visits import operations
from tourplanner.company_visits.enums import AgendaStep, Interest
from tourplanner.errors import Conflict, InvalidInput
from tourplanner.extensions import db
from tourplanner.timeutil import aware_local, to_local
from tourplanner.tours.enums import TourKind

LOCAL = "%Y-%m-%dT%H:%M"


def _time(label: str) -> DateTimeLocalField:
    return DateTimeLocalField(label, validators=[InputRequired(REQUIRED), ExistingLocalTime()], format=LOCAL)


def _place(label: str) -> StringField:
    return StringField(label, validators=[DataRequired(REQUIRED), too_long(300)])


class AgendaForm(FrenchForm):
    """The three steps of a session, each with its time and place."""

    briefing_start = _time("Briefing : heure")
    briefing_place = _place("Briefing : lieu (près de l'entreprise)")
    visit_start = _time("Visite : heure")
    visit_place = _place("Visite : lieu")
    debriefing_start = _time("Débriefing : heure")
    debriefing_place = _place("Débriefing : lieu")


@pages.route("/tours/<int:tour_id>/deroule", methods=["GET", "POST"])
@login_required
def session_agenda(tour_id: int):
    """Set a session's agenda: briefing, visit, debriefing (organisers)."""
    tour = load_managed_tour(tour_id)
    form = AgendaForm()
    problems: list[str] = []
    if request.method == "GET":
        for item in operations.tour_agenda(tour):
            getattr(form, f"{item.step.value}_start").data = to_local(item.start_at).replace(tzinfo=None)
            getattr(form, f"{item.step.value}_place").data = item.place
    elif form.validate_on_submit():
        entries = [
            operations.AgendaEntry(
                step, aware_local(getattr(form, f"{step.value}_start").data), getattr(form, f"{step.value}_place").data
            )
            for step in AgendaStep
        ]
        try:
            operations.set_agenda(tour, entries, current_user)
            db.session.commit()
        except (InvalidInput, Conflict) as error:
            db.session.rollback()
            messages = [e.message for e in error.errors] if isinstance(error, InvalidInput) else [error.detail]
            problems = [f"{m[0].upper()}{m[1:]}." for m in messages]
        else:
            flash("Déroulé enregistré : il figure dans les invitations et les agendas.", "success")
            return redirect(url_for("pages.tour_detail", tour_id=tour.id))
    status = 200 if request.method == "GET" else 422
    return render_template("company_visits/agenda_form.html", tour=tour, form=form, problems=problems), status


@pages.route("/tours/<int:tour_id>/debriefing", methods=["GET", "POST"])
@login_required
def session_debriefing(tour_id: int):
    """Record each participant's interest at the debriefing: yes / maybe / no (organisers)."""
    tour = load_managed_tour(tour_id)
    form = ActionForm()
    rows = operations.debriefing(tour, current_user)
    problems: list[str] = []
    status = 200
    if request.method == "POST" and form.validate_on_submit():
        chosen: list[tuple[Participant, Interest]] = []
        for participant, _ in rows:
            value = request.form.get(f"p{participant.id}", "")
            if value:
                try:
                    chosen.append((participant, Interest(value)))
                except ValueError:
                    problems.append(f"Réponse non reconnue pour {participant.name}.")
        if not problems:
            try:
                for participant, interest in chosen:
                    operations.record_interest(participant, interest, current_user)
                db.session.commit()
            except Conflict as error:
                db.session.rollback()
                problems = [f"{error.detail[0].upper()}{error.detail[1:]}."]
                status = 409
            else:
                flash(f"Intérêt enregistré pour {len(chosen)} personne(s).", "success")
                return redirect(url_for("pages.session_debriefing", tour_id=tour.id))
        status = status if status != 200 else 422
    elif request.method == "POST":
        status = 400
        problems = ["Formulaire expiré : rechargez la page."]
    return render_template(
        "company_visits/debriefing.html", tour=tour, rows=rows, form=form, problems=problems, interests=list(Interest)
    ), status


@pages.app_context_processor
def company_visit_helpers() -> dict[str, object]:
    """The agenda of a session (tours/detail.html) and a participant's interest (« Mes inscriptions »)."""

    def interest_of(participant: Participant) -> Interest | None:
        return operations.interests([participant]).get(participant.id)

    return {
        "session_agenda": operations.tour_agenda,
        "interest_of": interest_of,
        "is_company_visit": lambda tour: tour.kind is TourKind.COMPANY_VISIT,
    }
