"""The organisers' catalogue of offered visit slots: map, list, filters, accept, decline, add to a tour."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from datetime import date
from typing import Any

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from wtforms import DateField, IntegerField, SelectChoice, SelectField, StringField
from wtforms.validators import InputRequired, Optional, ValidationError

from routes.pages import pages
from routes.pages.forms import ActionForm, FrenchForm, too_long
from routes.pages.itinerary import DEFAULT_TILE_ATTRIBUTION
from routes.pages.pagination import PageLinks, page_links, page_request
from tourplanner.accounts.models import User
from tourplanner.db import utcnow
from tourplanner.errors import Conflict, InvalidInput, NotFound
from tourplanner.extensions import db
from tourplanner.sites import catalogue, review
from tourplanner.sites.enums import SlotStatus
from tourplanner.sites.models import Slot
from tourplanner.timeutil import local_zone
from tourplanner.tours.models import Tour

#: The status filter's choices: its value in the URL, its label, the statuses it shows.
STATUS_FILTERS: dict[str, tuple[str, tuple[SlotStatus, ...]]] = OrderedDict(
    [
        ("", ("Proposés et retenus", catalogue.DEFAULT_STATUSES)),
        (SlotStatus.OFFERED.value, ("Proposés (à examiner)", (SlotStatus.OFFERED,))),
        (SlotStatus.ACCEPTED.value, ("Retenus", (SlotStatus.ACCEPTED,))),
        (SlotStatus.DECLINED.value, ("Déclinés", (SlotStatus.DECLINED,))),
        (SlotStatus.PAUSED.value, ("En pause", (SlotStatus.PAUSED,))),
        ("tous", ("Tous", tuple(SlotStatus))),
    ]
)

#: The query-string keys of the filters, kept across the page's actions.
FILTER_KEYS = ("du", "au", "territoire", "metier", "statut")


class SlotFilterForm(FrenchForm):
    """The catalogue's filters, read from the query string (a GET form: no CSRF token)."""

    class Meta(FrenchForm.Meta):
        """A search changes nothing: no CSRF token in the URL."""

        csrf = False

    du = DateField("Du", validators=[Optional()])
    au = DateField("Au", validators=[Optional()])
    territoire = SelectField("Territoire", choices=[], default="")
    metier = StringField("Métier ou secteur", validators=[Optional(), too_long(120)])
    statut = SelectField(
        "Statut", choices=[SelectChoice(key, label) for key, (label, _) in STATUS_FILTERS.items()], default=""
    )

    def validate_au(self, field: DateField) -> None:
        """The last day comes on or after the first."""
        if field.data and self.du.data and field.data < self.du.data:
            raise ValidationError("La date de fin doit être le jour de début ou après.")


class AddToTourForm(FrenchForm):
    """Add a slot to one of the tours of its day."""

    tour_id = IntegerField("Tour", validators=[InputRequired("Choisissez un tour.")])


def _today() -> date:
    """Today, in the tours' zone."""
    return utcnow().astimezone(local_zone()).date()


def _filter_form() -> SlotFilterForm:
    """The filter form filled from the query string, its territory choices from the zones (a query that refuses
    anyone but organisers, before the form is read)."""
    form = SlotFilterForm(formdata=request.args if request.args else None)
    form.territoire.choices = [SelectChoice("", "Tous les territoires")] + [
        SelectChoice(territory, territory) for territory in catalogue.filter_territories(current_user)
    ]
    return form


def _filters(form: SlotFilterForm) -> catalogue.SlotFilters:
    """The domain's view of the filter form; an empty first day means today."""
    return catalogue.SlotFilters(
        date_from=form.du.data or _today(),
        date_to=form.au.data,
        territory=form.territoire.data or None,
        trade=(form.metier.data or "").strip() or None,
        statuses=STATUS_FILTERS[form.statut.data or ""][1],
    )


def _kept_filters() -> dict[str, str]:
    """The filters of the current URL, to come back to the same list after an action."""
    return {key: request.args[key] for key in FILTER_KEYS if request.args.get(key)}


def _back(slot_id: int | None = None):
    """Back to the catalogue with the same filters, at the slot acted upon."""
    anchor = f"creneau-{slot_id}" if slot_id is not None else None
    return redirect(url_for("pages.slot_catalogue", _anchor=anchor, **_kept_filters()))


@pages.get("/organisateur/creneaux")
@login_required
def slot_catalogue():
    """Offered slots on a map and in a list, filtered by dates, territory, trade and status (organisers)."""
    form = _filter_form()
    if request.args and not form.validate():
        return _render(form, [], 422)
    page = catalogue.catalogue_slots_page(_filters(form), page_request(), current_user)
    return _render(form, page.items, pages=page_links(page.next_cursor))


def _render(
    form: SlotFilterForm, rows: list[catalogue.CatalogueRow], status: int = 200, pages: PageLinks | None = None
):
    """The catalogue page with these filters and rows (one page of them: `pages` links to the others)."""
    return render_template(
        "slots/catalogue.html",
        form=form,
        rows=rows,
        pages=pages,
        first_day=form.du.data or _today(),
        sectors=catalogue.sectors(),
        action_form=ActionForm(),
        add_form=AddToTourForm(formdata=None),
        kept=_kept_filters(),
        map_data=_map_data(rows),
    ), status


def _map_data(rows: list[catalogue.CatalogueRow]) -> dict[str, Any]:
    """What the map script draws: one marker per site, with how many of its slots are listed."""
    sites: dict[int, dict[str, Any]] = {}
    for row in rows:
        site = row.slot.site
        point = sites.setdefault(
            site.id,
            {
                "name": site.name,
                "company": site.organisation.name,
                "lat": site.lat,
                "lon": site.lon,
                "slots": 0,
                "anchor": f"creneau-{row.slot.id}",
            },
        )
        point["slots"] += 1
    config = current_app.config
    return {
        "sites": list(sites.values()),
        "tiles": {"url": config["TILE_URL"], "attribution": config.get("TILE_ATTRIBUTION") or DEFAULT_TILE_ATTRIBUTION},
    }


@pages.post("/organisateur/creneaux/<int:slot_id>/accepter")
@login_required
def slot_accept(slot_id: int):
    """Accept an offered slot (organisers)."""
    return _review(slot_id, review.accept_slot, "Créneau de « {name} » retenu.")


@pages.post("/organisateur/creneaux/<int:slot_id>/decliner")
@login_required
def slot_decline(slot_id: int):
    """Decline an offered or accepted slot (organisers)."""
    return _review(
        slot_id, review.decline_slot, "Créneau de « {name} » décliné : il ne pourra pas être ajouté à un tour."
    )


def _review(slot_id: int, verb: Callable[[Slot, User], object], done: str):
    """Apply an organiser's review verb to a slot, commit, and say what happened in French."""
    slot = review.slot_for_review(current_user, slot_id)
    if not ActionForm().validate_on_submit():
        flash("Action impossible : le formulaire est incomplet ; rechargez la page.", "error")
        return _back(slot_id)
    name = slot.site.name
    try:
        verb(slot, current_user)
        db.session.commit()
    except (Conflict, InvalidInput) as error:
        db.session.rollback()
        flash(f"Action impossible : {_sentence(error)}", "error")
    else:
        flash(done.format(name=name), "success")
    return _back(slot_id)


@pages.post("/organisateur/creneaux/<int:slot_id>/ajouter")
@login_required
def slot_add_to_tour(slot_id: int):
    """Add a slot to the candidates of a draft or published tour of its day (organisers)."""
    slot = review.slot_for_review(current_user, slot_id)
    form = AddToTourForm()
    if not form.validate_on_submit():
        flash("Action impossible : choisissez un tour dans la liste.", "error")
        return _back(slot_id)
    tour = db.session.get(Tour, form.tour_id.data)
    if tour is None:
        raise NotFound("ce tour n'existe pas")
    title, name = tour.title, slot.site.name
    try:
        added = review.add_slot_to_tour(slot, tour, current_user)
        db.session.commit()
    except (Conflict, InvalidInput) as error:
        db.session.rollback()
        flash(f"Action impossible : {_sentence(error)}", "error")
        return _back(slot_id)
    if added:
        flash(
            f"Visite de « {name} » ajoutée aux visites possibles de « {title} ». "
            "Optimisez l'itinéraire du tour pour la placer.",
            "success",
        )
    else:
        flash(f"La visite de « {name} » fait déjà partie des visites possibles de « {title} ».", "success")
    return _back(slot_id)


def _sentence(error: InvalidInput | Conflict) -> str:
    """A domain error's French detail, as a sentence."""
    text = " ; ".join(e.message for e in error.errors) if isinstance(error, InvalidInput) else error.detail
    return text.rstrip(".") + "."
