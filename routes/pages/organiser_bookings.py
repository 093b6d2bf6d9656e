"""The organiser's side of bookings and the day itself.

- /tours/<id>/inscriptions: the bookings per bus, the waiting list, cancelled ones, a page
  at a time (« Page suivante »); cancel a booking, move a confirmed one to another bus (organisers).
- /tours/<id>/inscriptions.csv: the same, one row per participant, for French Excel.
- /tours/<id>/presence: the attendance sheet on a phone (organisers, the tour's ambassadors).
- /organisateur/absences: no-show figures per organisation and kind of organisation.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from flask import Response, flash, redirect, render_template, url_for
from flask_login import current_user, login_required
from wtforms import HiddenField, IntegerField
from wtforms.validators import AnyOf, InputRequired

from routes.pages import pages
from routes.pages.forms import ActionForm, FrenchForm
from routes.pages.pagination import page_links, page_request
from routes.pages.tours import load_managed_tour, load_tour
from tourplanner.bookings import attendance, moves
from tourplanner.bookings import operations as bookings
from tourplanner.bookings import queries as booking_queries
from tourplanner.bookings.enums import Attendance, BookingStatus
from tourplanner.bookings.models import Booking
from tourplanner.errors import Conflict, InvalidInput, NotFound
from tourplanner.extensions import db
from tourplanner.formatting import counted, plural
from tourplanner.tours.models import Bus, Tour

#: Cells a spreadsheet would read as a formula: prefixed with a quote in the CSV export.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
#: Columns of the CSV export, in French.
CSV_COLUMNS = [
    "Tour",
    "Car",
    "Inscription n°",
    "Statut",
    "Position en liste d'attente",
    "Prescripteur",
    "Organisation",
    "Type d'organisation",
    "Places",
    "Participant",
    "E-mail",
    "Mobilité réduite",
    "Présence",
]


class MoveForm(FrenchForm):
    """Move a confirmed booking to another bus of its tour."""

    bus_id = IntegerField("Car", validators=[InputRequired("Choisissez un car.")])


class AttendanceForm(FrenchForm):
    """Present or absent: the value of the button pressed."""

    attendance = HiddenField(validators=[AnyOf([a.value for a in Attendance], "Choisissez présent ou absent.")])


# --- bookings --------------------------------------------------------------------------


@dataclass
class BusBookings:
    """A bus and its confirmed bookings, for the page."""

    bus: Bus
    #: Seats its confirmed bookings hold (all of them, not only this page's).
    seats: int = 0
    #: Its confirmed bookings on this page.
    bookings: list[Booking] = field(default_factory=list)

    @property
    def seats_held(self) -> int:
        """Seats its confirmed bookings hold."""
        return self.seats


@pages.get("/tours/<int:tour_id>/inscriptions")
@login_required
def tour_bookings(tour_id: int):
    """A tour's bookings per bus, its waiting list and its cancelled bookings (organisers)."""
    return _render_bookings(load_managed_tour(tour_id))


@pages.get("/tours/<int:tour_id>/inscriptions/<int:booking_id>/annuler")
@login_required
def tour_booking_cancel_confirm(tour_id: int, booking_id: int):
    """Ask before cancelling a booking (organisers); the POST below cancels."""
    tour = load_managed_tour(tour_id)
    booking = _booking_of(tour, booking_id)
    if booking.status is BookingStatus.CANCELLED:
        flash(f"L'inscription n°{booking_id} est déjà annulée.", "error")
        return redirect(url_for("pages.tour_bookings", tour_id=tour_id))
    return render_template(
        "cancel_booking.html",
        booking=booking,
        action=url_for("pages.tour_booking_cancel", tour_id=tour_id, booking_id=booking_id),
        back=url_for("pages.tour_bookings", tour_id=tour_id),
        action_form=ActionForm(),
    )


@pages.post("/tours/<int:tour_id>/inscriptions/<int:booking_id>/annuler")
@login_required
def tour_booking_cancel(tour_id: int, booking_id: int):
    """Cancel a booking (organisers, at any time); its seats go to the waiting list."""
    tour = load_managed_tour(tour_id)
    booking = _booking_of(tour, booking_id)
    if not ActionForm().validate_on_submit():
        return _render_bookings(tour, "le formulaire a expiré ; rechargez la page et recommencez", 400)
    who, seats = _who(booking), booking.seats
    try:
        promoted = bookings.cancel_booking(booking, current_user)
        db.session.commit()
    except Conflict as error:
        db.session.rollback()
        return _render_bookings(tour, error.detail, 409)
    message = f"Inscription n°{booking_id} ({who}, {_seats(seats)}) annulée."
    if promoted:
        ids = ", ".join(f"n°{b.id}" for b in promoted)
        message += f" {plural(len(promoted), 'Confirmée')} depuis la liste d'attente : {ids}."
    flash(message, "success")
    return redirect(url_for("pages.tour_bookings", tour_id=tour_id))


@pages.post("/tours/<int:tour_id>/inscriptions/<int:booking_id>/car")
@login_required
def tour_booking_move(tour_id: int, booking_id: int):
    """Move a confirmed booking to another bus, if all its seats fit there (organisers)."""
    tour = load_managed_tour(tour_id)
    booking = _booking_of(tour, booking_id)
    form = MoveForm()
    if not form.validate_on_submit():
        message = " ".join(form.bus_id.errors) or "le formulaire a expiré ; rechargez la page et recommencez"
        return _render_bookings(tour, message.rstrip("."), 422)
    try:
        outcome = moves.move_booking(booking, form.bus_id.data, current_user)
        db.session.commit()
    except InvalidInput as error:
        db.session.rollback()
        return _render_bookings(tour, "; ".join(e.message for e in error.errors), 422)
    except Conflict as error:
        db.session.rollback()
        return _render_bookings(tour, error.detail, 409)
    if not outcome.moved:
        flash(f"L'inscription n°{booking_id} est déjà dans {outcome.booking.bus.name} : rien n'a changé.", "info")
    else:
        message = f"Inscription n°{booking_id} ({_who(outcome.booking)}) déplacée dans {outcome.booking.bus.name}."
        if outcome.promoted:
            ids = ", ".join(f"n°{b.id}" for b in outcome.promoted)
            message += f" {plural(len(outcome.promoted), 'Confirmée')} depuis la liste d'attente : {ids}."
        flash(message, "success")
    return redirect(url_for("pages.tour_bookings", tour_id=tour_id))


def _render_bookings(tour: Tour, problem: str | None = None, status: int = 200):
    """One page of the bookings (LIST_PAGE_SIZE, keyset): per bus, waiting, cancelled; `problem` says in French
    why an action was refused. Totals (seats per bus, bookings per status) are the whole tour's."""
    page = booking_queries.tour_bookings_page(tour, current_user, page_request())
    counts = booking_queries.tour_booking_counts(tour)
    buses = [BusBookings(bus, seats=counts.seats_by_bus.get(bus.id, 0)) for bus in tour.buses]
    by_bus = {entry.bus.id: entry for entry in buses}
    for booking in page.items:
        if booking.status is BookingStatus.CONFIRMED and booking.bus_id in by_bus:
            by_bus[booking.bus_id].bookings.append(booking)
    waiting = [b for b in page.items if b.status is BookingStatus.WAITLISTED]
    cancelled = [b for b in page.items if b.status is BookingStatus.CANCELLED]
    return render_template(
        "organiser_bookings/bookings.html",
        tour=tour,
        buses=buses,
        waiting=waiting,
        positions=booking_queries.waiting_positions([tour.id]) if waiting else {},
        cancelled=cancelled,
        counts={status.value: n for status, n in counts.bookings_by_status.items()},
        pages=page_links(page.next_cursor),
        is_first_page=page_request().cursor is None,
        action_form=ActionForm(),
        problem=problem,
        may_move=moves.may_move_bookings(tour),
    ), status


def _booking_of(tour: Tour, booking_id: int) -> Booking:
    """A booking of this tour, or 404."""
    booking = db.session.get(Booking, booking_id)
    if booking is None or booking.tour_id != tour.id:
        raise NotFound(f"ce tour n'a pas d'inscription n°{booking_id}")
    return booking


def _who(booking: Booking) -> str:
    return booking.prescriber.name + (f", {booking.organisation.name}" if booking.organisation else "")


def _seats(count: int) -> str:
    return counted(count, "place")


# --- CSV export ------------------------------------------------------------------------


@pages.get("/tours/<int:tour_id>/inscriptions.csv")
@login_required
def tour_bookings_csv(tour_id: int):
    """The tour's bookings as CSV for French Excel: UTF-8 with BOM, ';' separated (organisers)."""
    tour = load_managed_tour(tour_id)
    out = io.StringIO()
    out.write("\ufeff")  # the BOM tells Excel the file is UTF-8
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for row in booking_rows(tour, bookings.tour_bookings(tour, current_user)):
        writer.writerow([safe_cell(cell) for cell in row])
    response = Response(out.getvalue(), mimetype="text/csv")
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="inscriptions-tour-{tour.id}.csv"'
    return response


def booking_rows(tour: Tour, tour_bookings: list[Booking]) -> list[list[object]]:
    """One row per participant, or per booking when it names none, in CSV_COLUMNS' order."""
    positions = booking_queries.waiting_positions([tour.id])
    rows: list[list[object]] = []
    for booking in tour_bookings:
        organisation = booking.organisation
        head = [
            tour.title,
            booking.bus.name if booking.bus is not None and booking.status is BookingStatus.CONFIRMED else "",
            booking.id,
            booking.status.label,
            positions.get(booking.id, ""),
            booking.prescriber.name,
            organisation.name if organisation is not None else "",
            organisation.kind.label if organisation is not None else "",
            booking.seats,
        ]
        if not booking.participants:
            rows.append(head + ["", "", "", ""])
        for participant in booking.participants:
            rows.append(
                head
                + [
                    participant.name,
                    participant.email or "",
                    "oui" if participant.has_reduced_mobility else "non",
                    participant.attendance.label if participant.attendance is not None else "",
                ]
            )
    return rows


def safe_cell(value: object) -> object:
    """A text cell that a spreadsheet would run as a formula gets a leading quote (CSV injection)."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


# --- attendance on the day ------------------------------------------------------------


@pages.get("/tours/<int:tour_id>/presence")
@login_required
def tour_attendance(tour_id: int):
    """The attendance sheet on the day, bus by bus (organisers, the tour's ambassadors)."""
    tour = load_tour(tour_id)
    sheet = attendance.attendance_sheet(tour, current_user)
    db.session.commit()  # unnamed seats get their rows once attendance is open
    mine = {a.bus_id for a in tour.ambassadors if a.user_id == current_user.id}
    buses = sorted(sheet.buses, key=lambda entry: entry.bus is None or entry.bus.id not in mine)
    return render_template(
        "organiser_bookings/attendance.html",
        tour=tour,
        sheet=sheet,
        buses=buses,
        my_buses=mine,
        form=AttendanceForm(formdata=None),
        opens_at=attendance.attendance_opens_at(tour),
    )


@pages.post("/tours/<int:tour_id>/presence/<int:participant_id>")
@login_required
def tour_attendance_record(tour_id: int, participant_id: int):
    """Record one participant present or absent (organisers, the tour's ambassadors)."""
    tour = load_tour(tour_id)
    attendance.check_may_take_attendance(tour, current_user)
    participant = attendance.get_participant(participant_id, current_user)
    if participant.booking.tour_id != tour.id:
        raise NotFound(f"ce tour n'a pas de participant n°{participant_id}")
    form = AttendanceForm()
    back = url_for("pages.tour_attendance", tour_id=tour_id, _anchor=f"participant-{participant_id}")
    if not form.validate_on_submit():
        flash(
            "Présence non enregistrée : "
            f"{' '.join(form.attendance.errors) or 'le formulaire a expiré ; rechargez la page.'}",
            "error",
        )
        return redirect(back)
    try:
        attendance.record_attendance(participant, Attendance(form.attendance.data), current_user)
        db.session.commit()
    except Conflict as error:
        db.session.rollback()
        flash(f"Présence non enregistrée : {error.detail}.", "error")
    else:
        flash(f"{participant.name} : {participant.attendance.label.lower()}.", "success")
    return redirect(back)


# --- no-show figures ------------------------------------------------------------------


@pages.get("/organisateur/absences")
@login_required
def no_shows():
    """No-show figures per kind of organisation and per organisation (organisers)."""
    report = attendance.no_show_figures(current_user)
    return render_template("organiser_bookings/no_shows.html", report=report)


def percent(rate: float | None) -> str:
    """A rate as French people write it: 12,5 %; a dash when there is nothing to divide."""
    if rate is None:
        return "—"
    return f"{rate * 100:.1f}".replace(".", ",").removesuffix(",0") + "\u00a0%"


@pages.app_template_filter("no_show_percent")
def _percent_filter(rate: float | None) -> str:
    """Template filter: `{{ rate|no_show_percent }}`."""
    return percent(rate)
