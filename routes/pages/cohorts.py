"""Cohort pages: the weekly sessions of a cohort; the organiser takes attendance, moves or cancels a session."""

from __future__ import annotations

from datetime import datetime

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from routes.pages import pages
from routes.pages.forms import ActionForm
from tourplanner.bookings.enums import Attendance
from tourplanner.cohorts import operations
from tourplanner.db import utcnow
from tourplanner.errors import Conflict, InvalidInput, NotFound
from tourplanner.extensions import db
from tourplanner.formatting import DAYS as WEEKDAYS
from tourplanner.formatting import counted
from tourplanner.timeutil import aware_local, is_existing_local_time
from tourplanner.tours.models import Tour
from tourplanner.tours.queries import check_manages, manages_tour


def _cohort(tour_id: int) -> Tour:
    """The cohort the signed-in user asks for (see cohorts.operations.get_cohort)."""
    return operations.get_cohort(current_user, tour_id)


@pages.get("/tours/<int:tour_id>/cohorte")
@login_required
def cohort_sessions(tour_id: int):
    """The cohort's rule and every week: held, moved, skipped for a holiday or cancelled."""
    tour = _cohort(tour_id)
    series = operations.series_of(tour)
    return render_template(
        "cohorts/sessions.html",
        tour=tour,
        series=series,
        weekday=WEEKDAYS[series.weekday],
        now=utcnow(),
        action_form=ActionForm(),
        is_organiser=manages_tour(current_user, tour),
    )


def _render_sheet(tour: Tour, session_id: int, problems: list[str] | None = None, status: int = 200):
    session = operations.get_session(tour, session_id)
    lines = operations.attendance_sheet(tour, session, current_user)
    return render_template(
        "cohorts/attendance.html",
        tour=tour,
        session=session,
        lines=lines,
        problems=problems or [],
        action_form=ActionForm(),
    ), status


@pages.get("/tours/<int:tour_id>/cohorte/seances/<int:session_id>/presence")
@login_required
def cohort_attendance(tour_id: int, session_id: int):
    """The attendance sheet of one session (organisers)."""
    return _render_sheet(_cohort(tour_id), session_id)


@pages.post("/tours/<int:tour_id>/cohorte/seances/<int:session_id>/presence")
@login_required
def cohort_attendance_save(tour_id: int, session_id: int):
    """Record who came (organisers); referents of people absent twice in a row are alerted."""
    tour = _cohort(tour_id)
    check_manages(current_user, tour)  # before the sheet is shown again with an error
    session = operations.get_session(tour, session_id)
    if not ActionForm().validate_on_submit():
        return _render_sheet(tour, session_id, ["Le formulaire a expiré : rechargez la page et recommencez."], 400)
    marks: dict[int, Attendance] = {}
    for key, value in request.form.items():
        if not key.startswith("p-"):
            continue
        try:
            marks[int(key[2:])] = Attendance(value)
        except ValueError:
            return _render_sheet(tour, session_id, ["Choisissez « présent » ou « absent » pour chaque personne."], 422)
    if not marks:
        return _render_sheet(tour, session_id, ["Indiquez la présence d'au moins une personne."], 422)
    try:
        alerts = operations.record_attendance(tour, session, marks, current_user)
        db.session.commit()
    except (InvalidInput, Conflict) as error:
        db.session.rollback()
        messages = [e.message for e in error.errors] if isinstance(error, InvalidInput) else [error.detail]
        return _render_sheet(
            tour,
            session_id,
            [f"{m[0].upper()}{m[1:]}." for m in messages],
            422 if isinstance(error, InvalidInput) else 409,
        )
    message = "Présences enregistrées."
    if alerts:
        message += f" {counted(len(alerts), 'référent prévenu')} d'absences répétées."
    flash(message, "success")
    return redirect(url_for("pages.cohort_attendance", tour_id=tour.id, session_id=session.id))


@pages.post("/tours/<int:tour_id>/cohorte/seances/<int:session_id>/annuler")
@login_required
def cohort_cancel_session(tour_id: int, session_id: int):
    """Cancel one session (organisers): everyone's calendar drops that week."""
    tour = _cohort(tour_id)
    session = operations.get_session(tour, session_id)
    if not ActionForm().validate_on_submit():
        raise NotFound("formulaire expiré")
    try:
        operations.cancel_session(tour, session, request.form.get("reason"), current_user)
        db.session.commit()
    except Conflict as error:
        db.session.rollback()
        flash(f"Annulation impossible : {error.detail}.", "error")
    else:
        flash("Séance annulée : les calendriers des inscrits sont mis à jour.", "success")
    return redirect(url_for("pages.cohort_sessions", tour_id=tour.id, _anchor=f"seance-{session.id}"))


def _local_moment(text: str | None) -> datetime | None:
    """A wall-clock time from a datetime-local field, in Paris; None when unreadable or nonexistent."""
    try:
        value = datetime.strptime((text or "").strip(), "%Y-%m-%dT%H:%M")
    except ValueError:
        return None
    if not 2000 <= value.year <= 2100 or not is_existing_local_time(value):
        return None
    return aware_local(value)


@pages.post("/tours/<int:tour_id>/cohorte/seances/<int:session_id>/deplacer")
@login_required
def cohort_move_session(tour_id: int, session_id: int):
    """Move one coming session (organisers): calendars get an override of that week."""
    tour = _cohort(tour_id)
    session = operations.get_session(tour, session_id)
    if not ActionForm().validate_on_submit():
        raise NotFound("formulaire expiré")
    start, end = _local_moment(request.form.get("start")), _local_moment(request.form.get("end"))
    try:
        if start is None or end is None:
            raise InvalidInput.one("start", "indiquez un début et une fin valides (jour et heure)")
        operations.move_session(tour, session, start, end, request.form.get("place"), current_user)
        db.session.commit()
    except (InvalidInput, Conflict) as error:
        db.session.rollback()
        messages = [e.message for e in error.errors] if isinstance(error, InvalidInput) else [error.detail]
        flash("Déplacement impossible : " + " ; ".join(messages) + ".", "error")
    else:
        flash("Séance déplacée : les calendriers des inscrits sont mis à jour.", "success")
    return redirect(url_for("pages.cohort_sessions", tour_id=tour.id, _anchor=f"seance-{session.id}"))
