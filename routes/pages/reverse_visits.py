"""Reverse visits' pages: company contacts book seats to visit an insertion structure; the host sees who comes."""

from __future__ import annotations

import secrets

from flask import flash, redirect, render_template, url_for
from flask_login import current_user, login_required
from wtforms import HiddenField, IntegerField, TextAreaField
from wtforms.validators import InputRequired, Optional

from routes.pages import pages
from routes.pages.forms import REQUIRED, FrenchForm, InRange, too_long
from routes.pages.tours import load_tour
from tourplanner.bookings import operations as bookings
from tourplanner.bookings import rules
from tourplanner.errors import Conflict, InvalidInput
from tourplanner.extensions import db
from tourplanner.tours.queries import own_bookings_on, reverse_visit_for_host, reverse_visits_to_come
from tourplanner.tours.seats import seats_of_tours


class ReverseVisitBookingForm(FrenchForm):
    """Seats for the company's people on a reverse visit, and their names."""

    seats = IntegerField(
        "Nombre de places", default=1, validators=[InputRequired(REQUIRED), InRange(1, 100, "Entre 1 et 100 places.")]
    )
    names = TextAreaField("Qui vient (un nom par ligne, facultatif)", validators=[Optional(), too_long(5000)])
    #: Drawn when the form is shown: the same form sent twice books once.
    idempotency_key = HiddenField()


def _render_list(
    forms: dict[int, ReverseVisitBookingForm], problems: dict[int, list[str]] | None = None, status: int = 200
):
    tours = reverse_visits_to_come(current_user)
    for tour in tours:
        form = forms.get(tour.id) or ReverseVisitBookingForm(formdata=None, prefix=f"t{tour.id}")
        if not form.idempotency_key.data:
            form.idempotency_key.data = secrets.token_urlsafe(24)
        forms[tour.id] = form
    return render_template(
        "reverse_visits/list.html",
        tours=tours,
        forms=forms,
        problems=problems or {},
        own=own_bookings_on(current_user, tours),
        free={tour_id: seats.free for tour_id, seats in seats_of_tours(tours).items()},
    ), status


@pages.get("/visites-inversees")
@login_required
def reverse_visits():
    """The reverse visits to come, for company contacts to book seats on."""
    return _render_list({})


@pages.post("/visites-inversees/<int:tour_id>/reserver")
@login_required
def reverse_visit_book(tour_id: int):
    """Book seats on a reverse visit (company contacts), with the usual rules."""
    tour = load_tour(tour_id)
    rules.check_may_book(tour, current_user)
    form = ReverseVisitBookingForm(prefix=f"t{tour.id}")
    problems: list[str] = []
    status = 422
    if form.validate_on_submit():
        names = [line.strip() for line in (form.names.data or "").splitlines() if line.strip()]
        request_ = bookings.BookingRequest(form.seats.data, [bookings.ParticipantDetails(n) for n in names])
        try:
            outcome = bookings.book_seats(tour, current_user, request_, form.idempotency_key.data or None)
            db.session.commit()
        except InvalidInput as error:
            db.session.rollback()
            problems = [f"{e.message[0].upper()}{e.message[1:]}." for e in error.errors]
        except Conflict as error:
            db.session.rollback()
            problems, status = [f"Inscription impossible : {error.detail}."], 409
        else:
            booking = outcome.booking
            flash(
                "Places confirmées."
                if booking.status.value == "confirmed"
                else "Pas assez de places : votre demande est sur la liste d'attente.",
                "success",
            )
            return redirect(url_for("pages.reverse_visits", _anchor=f"visite-{tour.id}"))
    return _render_list({tour.id: form}, {tour.id: problems}, status)


@pages.get("/tours/<int:tour_id>/qui-vient")
@login_required
def reverse_visit_visitors(tour_id: int):
    """Who is coming to a reverse visit: for its host structure's people and organisers."""
    tour = reverse_visit_for_host(current_user, tour_id)
    listed = bookings.tour_bookings(tour, current_user)
    return render_template(
        "reverse_visits/visitors.html", tour=tour, bookings=listed, is_host=rules.is_host(tour, current_user)
    )


@pages.app_context_processor
def reverse_visit_helpers() -> dict[str, object]:
    """Whether the signed-in user hosts a tour (tours/detail.html links to who is coming)."""
    return {"hosts_tour": lambda tour: current_user.is_authenticated and rules.is_host(tour, current_user)}
