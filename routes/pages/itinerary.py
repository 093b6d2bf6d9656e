"""The organiser's itinerary page: candidates, optimisation, map, timeline, road book."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from flask import current_app, flash, redirect, render_template, url_for
from flask_login import current_user, login_required
from wtforms import HiddenField, IntegerField, SelectMultipleField
from wtforms.validators import AnyOf, InputRequired

from routes.api.itinerary import itinerary_json
from routes.pages import pages
from routes.pages.forms import ActionForm, FrenchForm
from routes.pages.tours import load_managed_tour
from tourplanner.errors import Conflict, InvalidInput
from tourplanner.extensions import db
from tourplanner.timeutil import to_local
from tourplanner.tours import itinerary, planning_queries, road_book
from tourplanner.tours.models import Tour

#: Attribution shown on the map when TILE_ATTRIBUTION is not configured.
DEFAULT_TILE_ATTRIBUTION = "© les contributeurs d'OpenStreetMap"


class CandidatesForm(FrenchForm):
    """The slots ticked for the optimiser; the choices are the slots the page offers."""

    slot_ids = SelectMultipleField("Visites possibles", coerce=int, validate_choice=True)


class LockForm(FrenchForm):
    """Lock or unlock one visit of the itinerary."""

    slot_id = IntegerField(validators=[InputRequired("Visite manquante.")])
    #: "1": keep it on its bus; "place": on its bus at the same time; "0": unlock.
    locked = HiddenField(validators=[AnyOf(["1", "place", "0"], "Valeur inattendue.")])


@pages.get("/tours/<int:tour_id>/itineraire")
@login_required
def tour_itinerary(tour_id: int):
    """The itinerary of a tour: visits to choose, map, timelines, visits left out (organisers)."""
    tour = load_managed_tour(tour_id)
    rows = planning_queries.candidate_slots(tour)
    form = CandidatesForm()
    form.slot_ids.choices = [(row.slot.id, str(row.slot.id)) for row in rows if row.is_usable]
    return _render(tour, rows, form)


@pages.post("/tours/<int:tour_id>/itineraire")
@login_required
def tour_optimise(tour_id: int):
    """Keep the ticked visits as candidates and compute the itinerary (organisers)."""
    tour = load_managed_tour(tour_id)
    rows = planning_queries.candidate_slots(tour)
    form = CandidatesForm()
    form.slot_ids.choices = [(row.slot.id, str(row.slot.id)) for row in rows if row.is_usable]
    if not form.validate_on_submit():
        return _render(tour, rows, form, 422)
    try:
        itinerary.set_candidates(tour, list(form.slot_ids.data or []), current_user)
        result = itinerary.optimise_tour(tour, current_user)
        db.session.commit()
    except (InvalidInput, Conflict) as error:
        db.session.rollback()
        flash(f"Optimisation impossible : {_sentence(error)}", "error")
        return redirect(url_for("pages.tour_itinerary", tour_id=tour_id))
    placed = sum(len(route.visit_ids) for route in result.routes)
    left_out = len(result.unassigned_visits)
    message = f"Itinéraire calculé : {placed} visite{'s' if placed > 1 else ''} placée{'s' if placed > 1 else ''}"
    if left_out:
        message += f", {left_out} laissée{'s' if left_out > 1 else ''} de côté (voir les raisons plus bas)"
    flash(message + ".", "success")
    return redirect(url_for("pages.tour_itinerary", tour_id=tour_id))


@pages.post("/tours/<int:tour_id>/itineraire/reoptimiser")
@login_required
def tour_reoptimise(tour_id: int):
    """Optimise again with the current candidates, e.g. after a company declined (organisers; one click)."""
    tour = load_managed_tour(tour_id)
    if not ActionForm().validate_on_submit():
        flash("Action impossible : le formulaire a expiré ; rechargez la page et recommencez.", "error")
        return redirect(url_for("pages.home"))
    try:
        result = itinerary.optimise_tour(tour, current_user)
        db.session.commit()
    except (InvalidInput, Conflict) as error:
        db.session.rollback()
        flash(f"Optimisation impossible : {_sentence(error)}", "error")
        return redirect(url_for("pages.tour_itinerary", tour_id=tour_id))
    placed = sum(len(route.visit_ids) for route in result.routes)
    flash(
        f"« {tour.title} » ré-optimisé : {placed} visite{'s' if placed > 1 else ''} au programme. "
        "Vérifiez l'itinéraire ci-dessous.",
        "success",
    )
    return redirect(url_for("pages.tour_itinerary", tour_id=tour_id))


@pages.post("/tours/<int:tour_id>/itineraire/verrou")
@login_required
def tour_lock_stop(tour_id: int):
    """Lock a visit so that optimising again keeps it, or unlock it (organisers)."""
    tour = load_managed_tour(tour_id)
    form = LockForm()
    if not form.validate_on_submit():
        flash("Action impossible : le formulaire est incomplet ; rechargez la page.", "error")
        return redirect(url_for("pages.tour_itinerary", tour_id=tour_id))
    locked = form.locked.data != "0"
    try:
        stop = itinerary.lock_stop(tour, form.slot_id.data, locked, current_user, in_place=form.locked.data == "place")
        name = stop.slot.site.name
        db.session.commit()
    except InvalidInput as error:
        db.session.rollback()
        flash(f"Action impossible : {_sentence(error)}", "error")
    else:
        if locked:
            flash(f"Visite « {name} » verrouillée : une nouvelle optimisation la garde.", "success")
        else:
            flash(f"Visite « {name} » déverrouillée.", "success")
    return redirect(url_for("pages.tour_itinerary", tour_id=tour_id, _anchor="arrets"))


@pages.get("/tours/<int:tour_id>/feuille-de-route")
@login_required
def tour_road_book(tour_id: int):
    """The printable road book for the driver and the ambassadors (organisers, the tour's ambassadors)."""
    reader = road_book.road_book_for(current_user, tour_id)
    tour = reader.tour
    days = planning_queries.bus_days(tour)
    passengers = planning_queries.passengers_by_bus(tour) if reader.is_crew else None
    return render_template(
        "itinerary/road_book.html", tour=tour, days=days, my_buses=reader.my_bus_ids, passengers=passengers
    )


def _render(tour: Tour, rows: list[planning_queries.CandidateRow], form: CandidatesForm, status: int = 200):
    """The itinerary page with the candidates form as given."""
    days = planning_queries.bus_days(tour)
    span = planning_queries.timeline_span(tour, days)
    placed = {stop.slot_id for day in days for stop in day.stops}
    left_out = [c for c in sorted(tour.candidates, key=lambda c: c.slot_id) if c.slot_id not in placed]
    return render_template(
        "itinerary/page.html",
        tour=tour,
        rows=rows,
        form=form,
        lock_form=LockForm(formdata=None),
        action_form=ActionForm(formdata=None),
        days=days,
        span=span,
        ticks=_hour_ticks(*span),
        left_out=left_out,
        map_data=_map_data(tour, days),
        percent=lambda start, end: _percent(span, start, end),
    ), status


def _map_data(tour: Tour, days: list[planning_queries.BusDay]) -> dict[str, Any]:
    """What the map script draws: the meeting point and each bus's stops, in its colour."""
    data = itinerary_json(tour)
    colours = {day.bus.position: day.colour for day in days}
    for bus in data["buses"]:
        bus["colour"] = colours[bus["bus"]]
    config = current_app.config
    return {
        "meeting": {"name": tour.meeting_point_name, "lat": tour.meeting_lat, "lon": tour.meeting_lon},
        "buses": data["buses"],
        "tiles": {
            "url": config["TILE_URL"],
            "attribution": config.get("TILE_ATTRIBUTION") or DEFAULT_TILE_ATTRIBUTION,
        },
    }


def _percent(span: tuple[datetime, datetime], start: datetime, end: datetime) -> tuple[float, float]:
    """Left offset and width of [start, end] on a timeline covering `span`, in percent."""
    total = (span[1] - span[0]).total_seconds() or 1
    left = (start - span[0]).total_seconds() / total * 100
    width = (end - start).total_seconds() / total * 100
    return round(left, 3), round(width, 3)


def _hour_ticks(start: datetime, end: datetime) -> list[datetime]:
    """Whole hours (local time) from start to end, for the timeline's scale."""
    local = to_local(start)
    tick = local.replace(minute=0, second=0, microsecond=0)
    if tick < local:
        tick += timedelta(hours=1)
    ticks = []
    while tick <= to_local(end):
        ticks.append(tick)
        tick += timedelta(hours=1)
    return ticks


def _sentence(error: InvalidInput | Conflict) -> str:
    """A domain error's French detail, as a sentence."""
    if isinstance(error, InvalidInput):
        text = " ; ".join(e.message for e in error.errors)
    else:
        text = error.detail
    return text.rstrip(".") + "."
