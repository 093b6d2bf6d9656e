"""Tour pages: list, detail, create, edit, publish, cancel."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from routes.pages import pages
from routes.pages.forms import ActionForm, CancelTourForm, TourForm
from routes.pages.pagination import page_links, page_request
from tourplanner.errors import Conflict, InvalidInput
from tourplanner.extensions import db
from tourplanner.sites.geocoding import configured_geocoder
from tourplanner.timeutil import aware_local, to_local
from tourplanner.tours import operations
from tourplanner.tours.details import Lunch, TourDetails, meeting_place
from tourplanner.tours.enums import TourKind
from tourplanner.tours.models import Tour
from tourplanner.tours.queries import get_managed_tour, get_visible_tour, manages_tour, visible_tours_page
from tourplanner.tours.seats import seats_of_tour


def map_tiles() -> dict[str, str]:
    """The map tiles of the place pickers (forms work without them: the address alone suffices)."""
    config = current_app.config
    return {
        "url": config["TILE_URL"],
        "attribution": config.get("TILE_ATTRIBUTION") or "© les contributeurs d'OpenStreetMap",
    }


def load_tour(tour_id: int) -> Tour:
    """A tour the current user may see, or 404 (drafts are for their organisers only)."""
    return get_visible_tour(current_user, tour_id)


def load_managed_tour(tour_id: int) -> Tour:
    """A tour the current organiser manages (its territory's), else 403 or 404: see tours.queries."""
    return get_managed_tour(current_user, tour_id)


@pages.get("/tours")
@login_required
def tours_list():
    """Upcoming tours, a page at a time."""
    page = visible_tours_page(current_user, page_request())
    return render_template("tours/list.html", tours=page.items, pages=page_links(page.next_cursor))


@pages.get("/tours/<int:tour_id>")
@login_required
def tour_detail(tour_id: int):
    """A tour: its state, seats, buses and times."""
    return _render_detail(load_tour(tour_id), CancelTourForm())


def _render_detail(tour: Tour, cancel_form: CancelTourForm, status: int = 200):
    """The tour's page, with the cancel form as given (and its errors, if any)."""
    seats = seats_of_tour(tour)
    return render_template(
        "tours/detail.html",
        tour=tour,
        seats=seats,
        action_form=ActionForm(),
        cancel_form=cancel_form,
        manages=manages_tour(current_user, tour),
    ), status


@pages.route("/tours/nouveau", methods=["GET", "POST"])
@login_required
def tour_new():
    """Create a draft tour (organisers)."""
    operations.check_may_create_tour(current_user)  # the form is for those who may create
    form = TourForm()
    if form.validate_on_submit():
        try:
            tour = operations.create_tour(_details(form), current_user)
            db.session.commit()
        except InvalidInput as error:
            db.session.rollback()
            _attach(form, error)
        else:
            flash("Tour créé (brouillon).", "success")
            return redirect(url_for("pages.tour_detail", tour_id=tour.id))
    return render_template("tours/form.html", form=form, tour=None, tiles=map_tiles()), 422 if form.errors else 200


@pages.route("/tours/<int:tour_id>/modifier", methods=["GET", "POST"])
@login_required
def tour_edit(tour_id: int):
    """Edit a tour (organisers)."""
    tour = load_managed_tour(tour_id)
    form = TourForm(data=None if _is_post() else _form_data(tour))
    if form.validate_on_submit():
        try:
            operations.update_tour(tour, _details(form, tour), current_user)
            db.session.commit()
        except InvalidInput as error:
            db.session.rollback()
            _attach(form, error)
        except Conflict as error:
            db.session.rollback()
            return _refused(tour_id, error)
        else:
            flash("Tour modifié.", "success")
            return redirect(url_for("pages.tour_detail", tour_id=tour.id))
    return render_template("tours/form.html", form=form, tour=tour, tiles=map_tiles()), 422 if form.errors else 200


@pages.post("/tours/<int:tour_id>/publier")
@login_required
def tour_publish(tour_id: int):
    """Open a draft tour to bookings (organisers)."""
    tour = load_managed_tour(tour_id)
    try:
        operations.publish_tour(tour, current_user)
        db.session.commit()
    except Conflict as error:
        db.session.rollback()
        return _refused(tour_id, error)
    flash("Tour publié : les inscriptions sont ouvertes.", "success")
    return redirect(url_for("pages.tour_detail", tour_id=tour_id))


@pages.post("/tours/<int:tour_id>/annuler")
@login_required
def tour_cancel(tour_id: int):
    """Cancel a tour; everyone concerned is told (organisers)."""
    tour = load_managed_tour(tour_id)
    form = CancelTourForm()
    if not form.validate_on_submit():
        return _render_detail(tour, form, 422)
    try:
        operations.cancel_tour(tour, current_user, form.reason.data or None)
        db.session.commit()
    except Conflict as error:
        db.session.rollback()
        return _refused(tour_id, error)
    flash("Tour annulé : les personnes concernées sont prévenues.", "success")
    return redirect(url_for("pages.tour_detail", tour_id=tour_id))


def _refused(tour_id: int, error: Conflict):
    """Back to the tour's page, saying in French why the action was refused."""
    flash(f"Action impossible : {error.detail}.", "error")
    return redirect(url_for("pages.tour_detail", tour_id=tour_id))


def _is_post() -> bool:
    return request.method == "POST"


#: Form fields named by the domain's field names.
FORM_FIELDS = {
    "title": "title",
    "end": "end",
    "booking_deadline": "booking_deadline",
    "meeting_point.name": "meeting_point_name",
    "meeting_point.address": "meeting_address",
    "meeting_point.lat": "meeting_lat",
    "meeting_point.lon": "meeting_lon",
    "buses": "bus_seats",
    "max_seats_per_booking": "max_seats_per_booking",
    "boarding_minutes": "boarding_minutes",
    "lunch.minutes": "lunch_minutes",
    "lunch.earliest": "lunch_earliest",
    "lunch.latest": "lunch_latest",
    "lunch_place": "lunch_place",
}


def _attach(form: TourForm, error: InvalidInput) -> None:
    """Show the domain's errors beside the form's fields."""
    for item in error.errors:
        name = FORM_FIELDS.get(item.field) or FORM_FIELDS.get(item.field.split(".")[0], "title")
        field = getattr(form, name)
        field.errors = list(field.errors) + [item.message[0].upper() + item.message[1:] + "."]


def _aware(value: datetime) -> datetime:
    return aware_local(value)


def _meeting_place(form: TourForm, tour: Tour | None) -> tuple[float, float]:
    """Where the group meets, from the form's address and point (see tours.details.meeting_place)."""
    lat = float(form.meeting_lat.data) if form.meeting_lat.data is not None else None
    lon = float(form.meeting_lon.data) if form.meeting_lon.data is not None else None
    return meeting_place(form.meeting_address.data, lat, lon, configured_geocoder(), tour)


def _details(form: TourForm, tour: Tour | None = None) -> TourDetails:
    """The domain's view of the form: local times become aware datetimes, the meeting point a place."""
    start = _aware(form.start.data)
    meeting_lat, meeting_lon = _meeting_place(form, tour)
    lunch = None
    if form.lunch_earliest.data or form.lunch_latest.data or form.lunch_minutes.data:
        if not (form.lunch_earliest.data and form.lunch_latest.data and form.lunch_minutes.data):
            raise InvalidInput.one(
                "lunch.minutes", "indiquez l'heure au plus tôt, au plus tard et la durée du déjeuner"
            )
        day = form.start.data.date()
        lunch = Lunch(
            _aware(datetime.combine(day, form.lunch_earliest.data)),
            _aware(datetime.combine(day, form.lunch_latest.data)),
            form.lunch_minutes.data,
        )
    return TourDetails(
        title=form.title.data,
        kind=TourKind(form.kind.data),
        description=form.description.data or None,
        start=start,
        end=_aware(form.end.data),
        booking_deadline=_aware(form.booking_deadline.data),
        meeting_point_name=form.meeting_point_name.data,
        meeting_lat=meeting_lat,
        meeting_lon=meeting_lon,
        meeting_address=form.meeting_address.data or None,
        lunch_place=form.lunch_place.data or None,
        bus_seats=[int(part) for part in form.bus_seats.data.split(",")],
        max_seats_per_booking=form.max_seats_per_booking.data,
        boarding_minutes=form.boarding_minutes.data or 0,
        lunch=lunch,
        host_organisation_id=int(form.host_organisation_id.data)
        if (form.host_organisation_id.data or "").isdigit()
        else None,
    )


def _form_data(tour: Tour) -> dict[str, object]:
    def local(value: datetime) -> datetime:
        return to_local(value).replace(tzinfo=None)

    data: dict[str, object] = {
        "title": tour.title,
        "kind": tour.kind.value,
        "description": tour.description,
        "start": local(tour.start_at),
        "end": local(tour.end_at),
        "booking_deadline": local(tour.booking_deadline_at),
        "meeting_point_name": tour.meeting_point_name,
        "meeting_address": tour.meeting_address,
        "lunch_place": tour.lunch_place,
        "meeting_lat": Decimal(str(tour.meeting_lat)),
        "meeting_lon": Decimal(str(tour.meeting_lon)),
        "bus_seats": ", ".join(str(bus.seats) for bus in tour.buses),
        "max_seats_per_booking": tour.max_seats_per_booking,
        "host_organisation_id": str(tour.host_organisation_id or ""),
        "boarding_minutes": tour.boarding_minutes,
    }
    if tour.has_lunch:
        data["lunch_earliest"] = to_local(tour.lunch_earliest_at).time()
        data["lunch_latest"] = to_local(tour.lunch_latest_at).time()
        data["lunch_minutes"] = tour.lunch_minutes
    return data
