"""Workshop pages: the organiser defines an event's workshops and attaches their reports; people register."""

from __future__ import annotations

from typing import Any

from flask import Response, flash, redirect, render_template, url_for
from flask_login import current_user, login_required
from flask_wtf.file import FileField
from wtforms import DateTimeLocalField, EmailField, IntegerField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Optional

from routes.pages import pages
from routes.pages.forms import (
    REQUIRED,
    ActionForm,
    ExistingLocalTime,
    FrenchForm,
    InRange,
    email_address,
    strip,
    too_long,
)
from tourplanner.errors import Conflict, InvalidInput, NotFound
from tourplanner.extensions import db
from tourplanner.timeutil import aware_local
from tourplanner.tours.models import Tour
from tourplanner.tours.queries import manages_tour
from tourplanner.workshops import operations
from tourplanner.workshops.models import Workshop, WorkshopRegistration

LOCAL = "%Y-%m-%dT%H:%M"


class WorkshopForm(FrenchForm):
    """A workshop of the event: theme, capacity, time slot."""

    theme = StringField("Thème", validators=[DataRequired(REQUIRED), too_long(200)])
    capacity = IntegerField(
        "Places", default=10, validators=[InputRequired(REQUIRED), InRange(1, 10000, "Entre 1 et 10 000 places.")]
    )
    start = DateTimeLocalField("Début", validators=[InputRequired(REQUIRED), ExistingLocalTime()], format=LOCAL)
    end = DateTimeLocalField("Fin", validators=[InputRequired(REQUIRED), ExistingLocalTime()], format=LOCAL)
    description = TextAreaField("Description (facultatif)", validators=[Optional(), too_long(5000)])


class RegistrationForm(FrenchForm):
    """One person to register for a workshop."""

    name = StringField("Nom de la personne", validators=[DataRequired(REQUIRED), too_long(200)])
    email = EmailField(
        "Son adresse e-mail",
        filters=[strip],
        validators=[DataRequired(REQUIRED), email_address, too_long(254)],
    )


class ReportForm(FrenchForm):
    """The workshop's report: a text, a file, or both."""

    text = TextAreaField("Compte rendu (texte, Markdown accepté)", validators=[Optional(), too_long(50000)])
    file = FileField("Ou un fichier (512 Ko au plus)")


def _event(tour_id: int) -> Tour:
    """The workshop event the signed-in user asks for (see workshops.operations.get_event)."""
    return operations.get_event(current_user, tour_id)


def _render(
    tour: Tour, forms: dict[str, Any] | None = None, problems: dict[Any, list[str]] | None = None, status: int = 200
):
    forms = dict(forms or {})
    workshops = operations.tour_workshops(tour)
    forms.setdefault("new", WorkshopForm(formdata=None, prefix="new"))
    for workshop in workshops:
        forms.setdefault(f"r{workshop.id}", RegistrationForm(formdata=None, prefix=f"r{workshop.id}"))
        forms.setdefault(f"cr{workshop.id}", ReportForm(formdata=None, prefix=f"cr{workshop.id}"))
    return render_template(
        "workshops/event.html",
        tour=tour,
        workshops=workshops,
        forms=forms,
        problems=problems or {},
        action_form=ActionForm(),
        shown={w.id: operations.registrations_shown_to(w, current_user) for w in workshops},
        manages=manages_tour(current_user, tour),
        may_read={w.id: operations.may_read_report(w, current_user) for w in workshops},
        may_register=operations.may_register(current_user),
    ), status


def _sentences(error: InvalidInput | Conflict, prefix: str = "") -> list[str]:
    """The error as French sentences, after `prefix` if given (else capitalised)."""
    messages = [e.message for e in error.errors] if isinstance(error, InvalidInput) else [error.detail]
    return [f"{prefix}{m}." if prefix else f"{m[0].upper()}{m[1:]}." for m in messages]


@pages.get("/tours/<int:tour_id>/ateliers")
@login_required
def workshop_event(tour_id: int):
    """The event's workshops: register, see one's registrations and the reports."""
    return _render(_event(tour_id))


@pages.post("/tours/<int:tour_id>/ateliers")
@login_required
def workshop_create(tour_id: int):
    """Add a workshop (organisers)."""
    tour = _event(tour_id)
    form = WorkshopForm(prefix="new")
    if not form.validate_on_submit():
        return _render(tour, {"new": form}, status=422)
    details = operations.WorkshopDetails(
        form.theme.data,
        form.capacity.data,
        aware_local(form.start.data),
        aware_local(form.end.data),
        form.description.data or None,
    )
    try:
        operations.create_workshop(tour, details, current_user)
        db.session.commit()
    except (InvalidInput, Conflict) as error:
        db.session.rollback()
        return _render(tour, {"new": form}, {"new": _sentences(error)}, 422 if isinstance(error, InvalidInput) else 409)
    flash(f"Atelier « {details.theme.strip()} » ajouté.", "success")
    return redirect(url_for("pages.workshop_event", tour_id=tour.id))


@pages.post("/tours/<int:tour_id>/ateliers/<int:workshop_id>/inscrire")
@login_required
def workshop_register(tour_id: int, workshop_id: int):
    """Register one person for a workshop (prescribers, company contacts, organisers)."""
    tour = _event(tour_id)
    workshop = operations.get_workshop(tour, workshop_id)
    form = RegistrationForm(prefix=f"r{workshop.id}")
    key = f"r{workshop.id}"
    if not form.validate_on_submit():
        return _render(tour, {key: form}, status=422)
    try:
        operations.register(workshop, [operations.Person(form.name.data, form.email.data)], current_user)
        db.session.commit()
    except (InvalidInput, Conflict) as error:
        db.session.rollback()
        return _render(
            tour,
            {key: form},
            {workshop.id: _sentences(error, "Inscription impossible : ")},
            422 if isinstance(error, InvalidInput) else 409,
        )
    flash(f"{form.name.data.strip()} est inscrit(e) à l'atelier « {workshop.theme} ».", "success")
    return redirect(url_for("pages.workshop_event", tour_id=tour.id, _anchor=f"atelier-{workshop.id}"))


@pages.post("/tours/<int:tour_id>/ateliers/<int:workshop_id>/inscriptions/<int:registration_id>/annuler")
@login_required
def workshop_unregister(tour_id: int, workshop_id: int, registration_id: int):
    """Withdraw a person from a workshop (who registered them, or an organiser)."""
    workshop = operations.get_workshop(_event(tour_id), workshop_id)
    registration = db.session.get(WorkshopRegistration, registration_id)
    if registration is None or registration.workshop_id != workshop.id or not ActionForm().validate_on_submit():
        raise NotFound("cette inscription n'existe pas")
    operations.cancel_registration(registration, current_user)
    db.session.commit()
    flash("Inscription annulée.", "success")
    return redirect(url_for("pages.workshop_event", tour_id=tour_id, _anchor=f"atelier-{workshop.id}"))


@pages.post("/tours/<int:tour_id>/ateliers/<int:workshop_id>/compte-rendu")
@login_required
def workshop_report(tour_id: int, workshop_id: int):
    """Attach the workshop's report (organisers, once it has begun)."""
    tour = _event(tour_id)
    workshop = operations.get_workshop(tour, workshop_id)
    key = f"cr{workshop.id}"
    form = ReportForm(prefix=key)
    if not form.validate_on_submit():
        return _render(tour, {key: form}, status=422)
    upload = form.file.data
    data = None
    if upload and upload.filename:
        with upload.stream:  # a large upload is spooled to a temporary file: close it at once
            data = upload.stream.read(operations.REPORT_MAX_BYTES + 1)
    try:
        operations.attach_report(
            workshop,
            current_user,
            form.text.data,
            upload.filename if data else None,
            upload.mimetype if data else None,
            data or None,
        )
        db.session.commit()
    except (InvalidInput, Conflict) as error:
        db.session.rollback()
        status = getattr(error, "status", 422)
        return _render(tour, {key: form}, {key: _sentences(error, "Compte rendu refusé : ")}, status)
    flash(f"Compte rendu de l'atelier « {workshop.theme} » joint.", "success")
    return redirect(url_for("pages.workshop_event", tour_id=tour.id, _anchor=f"atelier-{workshop.id}"))


@pages.get("/tours/<int:tour_id>/ateliers/<int:workshop_id>/compte-rendu/fichier")
@login_required
def workshop_report_file(tour_id: int, workshop_id: int):
    """Download the report's file (organisers and those registered for the workshop)."""
    workshop: Workshop = operations.read_report(operations.get_workshop(_event(tour_id), workshop_id), current_user)
    if workshop.report_file is None:
        raise NotFound("ce compte rendu n'a pas de fichier")
    name = (workshop.report_filename or "compte-rendu").replace('"', "")
    return Response(
        workshop.report_file,
        mimetype=workshop.report_content_type or "application/octet-stream",
        headers={"Content-Disposition": f'attachment; filename="{name}"', "X-Content-Type-Options": "nosniff"},
    )
