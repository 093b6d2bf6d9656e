"""Prescribers' pages: the tours open to bookings, the booking form, "my bookings", the calendar link."""

from __future__ import annotations

import secrets

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    IntegerField,
    SelectChoice,
    SelectField,
    StringField,
)
from wtforms.validators import AnyOf, InputRequired, Optional, ValidationError

from routes.pages import pages
from routes.pages.forms import REQUIRED, ActionForm, FrenchForm, InRange, email_address, strip, too_long
from routes.pages.pagination import page_links, page_request
from tourplanner.bookings import operations as bookings
from tourplanner.bookings.enums import BookingStatus
from tourplanner.bookings.models import Booking
from tourplanner.calendar import tokens
from tourplanner.errors import Conflict, InvalidInput
from tourplanner.extensions import db
from tourplanner.formatting import counted, plural
from tourplanner.tours import catalogue
from tourplanner.tours.attention import reduced_mobility_risk
from tourplanner.tours.enums import TourKind
from tourplanner.tours.models import Tour

#: Participant rows the booking form shows at most (more seats: the first ten people are named).
MAX_PARTICIPANT_ROWS = 10
#: Where the "renew my calendar link" button sends the person back to.
RETURN_PAGES = {"agenda": "pages.my_calendar", "inscriptions": "pages.my_bookings"}


# --- forms -----------------------------------------------------------------------------


class CatalogueForm(FrenchForm):
    """The catalogue's filters, sent by GET (nothing changes: no CSRF token in the address)."""

    class Meta:
        """A search form: read from the query string, without CSRF."""

        csrf = False

    territoire = SelectField("Territoire", choices=[SelectChoice("", "Tous les territoires")], default="")
    du = DateField("À partir du", validators=[Optional()])
    au = DateField("Jusqu'au", validators=[Optional()])
    type = SelectField(
        "Type de tour",
        choices=[SelectChoice("", "Tous les types")] + [SelectChoice(k.value, k.label) for k in TourKind],
        default="",
    )
    metier = StringField("Métier ou secteur", filters=[strip], validators=[Optional(), too_long(100)])

    def validate_au(self, field: DateField) -> None:
        """The range ends on or after its first day."""
        if field.data and self.du.data and field.data < self.du.data:
            raise ValidationError("La date de fin doit être après la date de début.")

    def filters(self) -> catalogue.CatalogueFilters:
        """The domain's view of the valid filters."""
        return catalogue.CatalogueFilters(
            territory=self.territoire.data or None,
            date_from=self.du.data,
            date_to=self.au.data,
            kind=TourKind(self.type.data) if self.type.data else None,
            trade=self.metier.data or None,
        )


class ParticipantForm(Form):
    """One person a seat is for; an empty row is ignored."""

    name = StringField("Nom et prénom", filters=[strip], validators=[too_long(200)])
    email = EmailField(
        "E-mail (facultatif)",
        filters=[strip],
        validators=[Optional(), email_address, too_long(254)],
    )
    reduced_mobility = BooleanField("Mobilité réduite (fauteuil, marche difficile)")

    def validate_name(self, field: StringField) -> None:
        """A row with an address or the mobility box ticked needs the person's name."""
        if not field.data and (self.email.data or self.reduced_mobility.data):
            raise ValidationError("Indiquez le nom de cette personne, ou videz la ligne.")

    @property
    def is_empty(self) -> bool:
        """Nothing filled in: the row stands for nobody."""
        return not (self.name.data or self.email.data or self.reduced_mobility.data)


class BookingForm(FrenchForm):
    """Book seats on a tour, naming (optionally) the people they are for."""

    seats = IntegerField(
        "Nombre de places", validators=[InputRequired(REQUIRED), InRange(1, None, "Réservez au moins une place.")]
    )
    participants = FieldList(FormField(ParticipantForm), max_entries=MAX_PARTICIPANT_ROWS)
    #: Shown only on a tour with pickup points: its position in the tour, as a string.
    pickup_point = SelectField("Point de prise en charge", choices=[], validate_choice=False)
    #: Drawn when the form is shown: the same form sent twice (a double click) books once.
    idempotency_key = HiddenField()

    def validate_seats(self, field: IntegerField) -> None:
        """No more named people than seats."""
        named = sum(1 for entry in self.participants if not entry.form.is_empty)
        if field.data is not None and 1 <= field.data < named:
            raise ValidationError(
                f"{counted(named, 'participant nommé')} pour {counted(field.data, 'place')} : "
                "ajoutez des places ou videz des lignes."
            )


class CalendarRenewForm(FrenchForm):
    """Replace the calendar link; says which page to go back to."""

    back = HiddenField(validators=[AnyOf(list(RETURN_PAGES), "Page de retour inconnue.")], default="agenda")


# --- the catalogue ---------------------------------------------------------------------


@pages.get("/inscriptions/tours")
@login_required
def open_tours():
    """Tours open to bookings, with the seats left, filtered by territory, dates, kind and trade."""
    form = CatalogueForm(formdata=request.args if request.args else None)
    form.territoire.choices = [SelectChoice("", "Tous les territoires")] + [
        SelectChoice(t, t) for t in catalogue.catalogue_territories()
    ]
    is_valid = form.validate() if request.args else True
    page = catalogue.open_tours_page(page_request(), form.filters() if is_valid else None)
    is_filtered = is_valid and any(request.args.get(name) for name in ("territoire", "du", "au", "type", "metier"))
    return render_template(
        "prescriber/catalogue.html",
        form=form,
        entries=page.items,
        is_filtered=is_filtered,
        pages=page_links(page.next_cursor),
    ), 200 if is_valid else 422


# --- booking ---------------------------------------------------------------------------


@pages.route("/tours/<int:tour_id>/inscrire", methods=["GET", "POST"])
@login_required
def tour_book(tour_id: int):
    """Book seats on a tour and name the participants (prescribers)."""
    tour = catalogue.tour_to_book(current_user, tour_id)
    form = BookingForm()
    points = _pickup_points(tour)
    form.pickup_point.choices = [SelectChoice("", "Choisissez…")] + [
        SelectChoice(str(point.position), point.name) for point in points
    ]
    if request.method == "GET":
        seats = max(request.args.get("places", type=int) or 1, 1)
        form.seats.data = seats
        rows = _rows_wanted(seats)
        form.idempotency_key.data = secrets.token_urlsafe(24)
        _fit_rows(form, rows)
        return _render_booking(tour, form)
    if not form.idempotency_key.data:
        form.idempotency_key.data = secrets.token_urlsafe(24)
    if "lignes" in request.form:  # "Afficher les lignes": as many participant rows as seats, nothing booked
        _fit_rows(form, _rows_wanted(form.seats.data or 1))
        return _render_booking(tour, form)
    problems: list[str] = []
    status = 422
    is_valid = form.validate_on_submit()
    if _check_pickup_point(form, points) and is_valid:
        filled = [(index, entry.form) for index, entry in enumerate(form.participants) if not entry.form.is_empty]
        extra = {"pickup_point": int(form.pickup_point.data)} if points else {}
        booking_request = bookings.BookingRequest(
            seats=form.seats.data,
            participants=[
                bookings.ParticipantDetails(row.name.data, row.email.data or None, bool(row.reduced_mobility.data))
                for _, row in filled
            ],
            **extra,
        )
        try:
            outcome = bookings.book_seats(tour, current_user, booking_request, form.idempotency_key.data)
            db.session.commit()
        except InvalidInput as error:
            db.session.rollback()
            problems = _attach(form, error, [index for index, _ in filled])
        except Conflict as error:
            db.session.rollback()
            problems = [f"Inscription impossible : {error.detail}."]
            status = 409
        else:
            message = _outcome_message(outcome.booking)
            if outcome.is_replay:  # a double click, or the form sent again from the browser's history
                message = "Ce formulaire avait déjà été envoyé : une seule inscription est enregistrée. " + message
            flash(message, "success")
            risk = reduced_mobility_risk(outcome.booking)
            if risk is not None:
                flash(
                    "Attention : une personne à mobilité réduite de cette inscription ne pourra pas suivre la visite "
                    "de "
                    f"{', '.join(risk.sites)} ({risk.bus}, site non accessible). L'organisateur en est informé ; "
                    "contactez-le pour organiser sa journée.",
                    "error",
                )
            return redirect(url_for("pages.my_bookings", _anchor=f"inscription-{outcome.booking.id}"))
    _fit_rows(form, max(len(form.participants), 1))
    return _render_booking(tour, form, problems, status)


def _pickup_points(tour: Tour) -> list:
    """The tour's pickup points, in order (none on most tours)."""
    return list(getattr(tour, "pickup_points", None) or [])


def _check_pickup_point(form: BookingForm, points: list) -> bool:
    """On a tour with pickup points, one of them must be chosen."""
    if not points or form.pickup_point.data in {str(p.position) for p in points}:
        return True
    form.pickup_point.errors = ["Choisissez où montent les participants."]
    return False


def _render_booking(tour: Tour, form: BookingForm, problems: list[str] | None = None, status: int = 200):
    """The booking page: the tour, its seats, and the form unless it takes no booking now."""
    return render_template(
        "prescriber/book.html",
        tour=tour,
        entry=catalogue.catalogue_entry(tour),
        closed_reason=catalogue.booking_closed_reason(tour),
        largest=catalogue.largest_booking(tour),
        form=form,
        problems=problems or [],
        max_rows=MAX_PARTICIPANT_ROWS,
    ), status


def _rows_wanted(seats: int) -> int:
    return max(1, min(seats, MAX_PARTICIPANT_ROWS))


def _fit_rows(form: BookingForm, rows: int) -> None:
    """Show `rows` participant rows: add empty ones, or drop the last ones."""
    while len(form.participants) < rows:
        form.participants.append_entry()
    while len(form.participants) > rows:
        form.participants.pop_entry()


def _attach(form: BookingForm, error: InvalidInput, row_of: list[int]) -> list[str]:
    """Put the domain's errors beside their fields; returns those that belong to no field."""
    loose = []
    for item in error.errors:
        message = item.message[0].upper() + item.message[1:] + "."
        parts = item.field.split(".")
        if item.field in ("seats", "pickup_point"):
            field = getattr(form, item.field)
            field.errors = list(field.errors) + [message]
        elif len(parts) == 3 and parts[0] == "participants" and parts[1].isdigit() and int(parts[1]) < len(row_of):
            field = form.participants[row_of[int(parts[1])]].form.name
            field.errors = list(field.errors) + [message]
        else:
            loose.append(message)
    return loose


def _outcome_message(booking: Booking) -> str:
    """What the prescriber is told once the booking is stored."""
    seats = counted(booking.seats, "place")
    if booking.status is BookingStatus.CONFIRMED:
        where = f" ({booking.bus.name})" if booking.bus is not None and len(booking.tour.buses) > 1 else ""
        return f"Inscription confirmée : {seats} sur « {booking.tour.title} »{where}."
    position = bookings.waiting_position(booking)
    return (
        f"Complet pour {seats} : votre inscription sur « {booking.tour.title} » est en liste d'attente, "
        f"position {position}. Vous recevrez une invitation par e-mail si des places se libèrent pour tout le groupe."
    )


# --- my bookings -----------------------------------------------------------------------


@pages.get("/mes-inscriptions")
@login_required
def my_bookings():
    """The prescriber's bookings, to come and past, with cancel buttons and the calendar link."""
    mine = catalogue.my_bookings(current_user)
    calendar = _calendar_links()
    db.session.commit()  # the calendar token is created on first visit
    renew_form = CalendarRenewForm(formdata=None, back="inscriptions")
    return render_template(
        "prescriber/my_bookings.html", mine=mine, action_form=ActionForm(), calendar=calendar, renew_form=renew_form
    )


@pages.get("/mes-inscriptions/<int:booking_id>/annuler")
@login_required
def my_booking_cancel_confirm(booking_id: int):
    """Ask before cancelling: what the booking holds, what cancelling does; the POST below cancels."""
    booking = catalogue.my_booking(current_user, booking_id)
    view = catalogue.booking_view(booking)
    if not view.may_cancel:
        flash("Cette inscription ne peut plus être annulée depuis cette page : contactez l'organisateur.", "error")
        return redirect(url_for("pages.my_bookings"))
    return render_template(
        "cancel_booking.html",
        booking=booking,
        action=url_for("pages.my_booking_cancel", booking_id=booking.id),
        back=url_for("pages.my_bookings", _anchor=f"inscription-{booking.id}"),
        action_form=ActionForm(),
    )


@pages.post("/mes-inscriptions/<int:booking_id>/annuler")
@login_required
def my_booking_cancel(booking_id: int):
    """Cancel one of the prescriber's bookings; its seats go to the waiting list."""
    booking = catalogue.my_booking(current_user, booking_id)
    form = ActionForm()
    if not form.validate_on_submit():
        flash("Annulation impossible : le formulaire a expiré ; rechargez la page et recommencez.", "error")
        return redirect(url_for("pages.my_bookings"))
    title, seats = booking.tour.title, booking.seats
    try:
        bookings.cancel_booking(booking, current_user)
        db.session.commit()
    except Conflict as error:
        db.session.rollback()
        flash(f"Annulation impossible : {error.detail}.", "error")
    else:
        flash(f"Inscription annulée : {counted(seats, 'place')} sur « {title} » {plural(seats, 'libérée')}.", "success")
    return redirect(url_for("pages.my_bookings"))


# --- calendar --------------------------------------------------------------------------


@pages.get("/mon-agenda")
@login_required
def my_calendar():
    """The personal calendar link to subscribe to, and the button that replaces it."""
    calendar = _calendar_links()
    db.session.commit()  # the calendar token is created on first visit
    return render_template(
        "prescriber/calendar.html", calendar=calendar, renew_form=CalendarRenewForm(formdata=None, back="agenda")
    )


@pages.post("/mon-agenda/renouveler")
@login_required
def my_calendar_renew():
    """Replace the calendar link: the old one stops working at once."""
    form = CalendarRenewForm()
    if not form.validate_on_submit():
        flash("Action impossible : le formulaire est incomplet ; rechargez la page.", "error")
        return redirect(url_for("pages.my_calendar"))
    tokens.renew_feed_secret(current_user)
    db.session.commit()
    flash(
        "Nouveau lien d'agenda créé. L'ancien ne fonctionne plus : abonnez votre agenda au nouveau lien "
        "et supprimez l'ancien abonnement.",
        "success",
    )
    return redirect(url_for(RETURN_PAGES[form.back.data], _anchor="agenda"))


def _calendar_links() -> dict[str, str]:
    """The signed-in person's feed, as a webcal:// subscription and as an https:// address."""
    secret = tokens.feed_secret(current_user)
    return {"webcal": tokens.webcal_url(secret), "https": tokens.feed_url(secret)}
