"""The company contacts' pages (/entreprise): their sites, visit slots, recurring availability and visits."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    DecimalField,
    IntegerField,
    SelectChoice,
    SelectMultipleField,
    StringField,
    TelField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import DataRequired, InputRequired, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from routes.pages import pages
from routes.pages.forms import REQUIRED, ActionForm, ExistingLocalTime, FrenchForm, InRange, too_long
from routes.pages.tours import map_tiles
from tourplanner.accounts.enums import Role
from tourplanner.accounts.permissions import require_role
from tourplanner.db import utcnow
from tourplanner.errors import Conflict, DomainError, InvalidInput
from tourplanner.extensions import db
from tourplanner.sites import operations, queries
from tourplanner.sites import series as series_ops
from tourplanner.sites.enums import SlotStatus
from tourplanner.sites.geocoding import configured_geocoder
from tourplanner.sites.models import Site, SlotSeries
from tourplanner.timeutil import aware_local, local_zone, to_local
from tourplanner.tours import visits

#: Days of the week as RFC 5545 names them, with their French names.
WEEKDAYS = [
    ("MO", "Lundi"),
    ("TU", "Mardi"),
    ("WE", "Mercredi"),
    ("TH", "Jeudi"),
    ("FR", "Vendredi"),
    ("SA", "Samedi"),
    ("SU", "Dimanche"),
]


class CheckboxesField(SelectMultipleField):
    """Several choices as a list of checkboxes."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class SiteForm(FrenchForm):
    """Create or edit a site."""

    name = StringField("Nom du site", validators=[DataRequired(REQUIRED), too_long(200)])
    address = StringField("Adresse", validators=[DataRequired(REQUIRED), too_long(300)])
    lat = DecimalField("Latitude", places=6, validators=[Optional(), InRange(-90, 90, "Entre -90 et 90.")])
    lon = DecimalField("Longitude", places=6, validators=[Optional(), InRange(-180, 180, "Entre -180 et 180.")])
    sector = StringField("Secteur d'activité", validators=[Optional(), too_long(120)])
    trades = TextAreaField("Métiers présentés", validators=[Optional(), too_long(5000)])
    has_coach_parking = BooleanField("Un car peut stationner sur place", default=True)
    is_accessible = BooleanField("Visite accessible aux personnes à mobilité réduite")
    protective_equipment = StringField("Équipements de protection à porter", validators=[Optional(), too_long(300)])
    photo_policy = StringField("Photos", validators=[Optional(), too_long(300)])
    access_notes = TextAreaField("Consignes d'accès", validators=[Optional(), too_long(5000)])
    pay_range = StringField("Rémunération à l'embauche", validators=[Optional(), too_long(300)])
    in_house_training = TextAreaField("Formation interne", validators=[Optional(), too_long(5000)])
    open_positions = TextAreaField("Postes ouverts", validators=[Optional(), too_long(5000)])
    how_to_apply = TextAreaField("Comment candidater", validators=[Optional(), too_long(5000)])
    visitor_contacts = TextAreaField("Contacts pour les visiteurs", validators=[Optional(), too_long(5000)])
    contact_name = StringField("Personne qui accueille le groupe", validators=[Optional(), too_long(200)])
    contact_phone = TelField("Son téléphone le jour de la visite", validators=[Optional(), too_long(40)])


class SlotForm(FrenchForm):
    """Offer one slot."""

    start = DateTimeLocalField(
        "Début du créneau", validators=[InputRequired(REQUIRED), ExistingLocalTime()], format="%Y-%m-%dT%H:%M"
    )
    end = DateTimeLocalField(
        "Fin du créneau", validators=[InputRequired(REQUIRED), ExistingLocalTime()], format="%Y-%m-%dT%H:%M"
    )
    visit_minutes = IntegerField("Durée de la visite (minutes)", default=90, validators=[InputRequired(REQUIRED)])
    max_visitors = IntegerField("Visiteurs au plus", default=20, validators=[InputRequired(REQUIRED)])


class SeriesForm(FrenchForm):
    """Offer a recurring availability: days of the week, or a rule in RFC 5545 text."""

    weekdays = CheckboxesField(
        "Jours de la semaine", choices=[SelectChoice(code, name) for code, name in WEEKDAYS], validate_choice=True
    )
    interval = IntegerField(
        "Toutes les … semaines", default=1, validators=[Optional(), InRange(1, 52, "Entre 1 et 52.")]
    )
    rrule = StringField("Règle avancée (RRULE)", validators=[Optional(), too_long(500)])
    start_time = TimeField("Heure de début", validators=[InputRequired(REQUIRED)])
    end_time = TimeField("Heure de fin", validators=[InputRequired(REQUIRED)])
    starts_on = DateField("Premier jour", validators=[InputRequired(REQUIRED)])
    ends_on = DateField("Dernier jour", validators=[InputRequired(REQUIRED)])
    visit_minutes = IntegerField("Durée de la visite (minutes)", default=90, validators=[InputRequired(REQUIRED)])
    max_visitors = IntegerField("Visiteurs au plus", default=20, validators=[InputRequired(REQUIRED)])

    def rule_text(self) -> str:
        """The RRULE: the advanced text when given, else built from the ticked days."""
        if self.rrule.data and self.rrule.data.strip():
            return self.rrule.data
        if not self.weekdays.data:
            return ""
        interval = self.interval.data or 1
        return (
            "FREQ=WEEKLY;" + (f"INTERVAL={interval};" if interval > 1 else "") + "BYDAY=" + ",".join(self.weekdays.data)
        )


class ExceptionForm(FrenchForm):
    """A day of a series without a slot."""

    date = DateField("Jour sans créneau", validators=[InputRequired(REQUIRED)])


class DeclineForm(FrenchForm):
    """Decline a visit, saying why."""

    reason = TextAreaField("Motif (transmis à l'organisateur)", validators=[Optional(), too_long(500)])


def _company() -> None:
    """Refuse anyone but company contacts (French 403 page)."""
    require_role(current_user, Role.COMPANY)


def _sentence(error: DomainError) -> str:
    """A domain error as a French sentence."""
    detail = error.detail
    return detail[0].upper() + detail[1:] + "."


def _attach(form: FrenchForm, error: InvalidInput, names: dict[str, str] | None = None, fallback: str = "name") -> None:
    """Show the domain's errors beside the form's fields."""
    names = names or {}
    for item in error.errors:
        key = item.field.split(".")[0]
        name = names.get(key, key)
        field = getattr(form, name, None) or getattr(form, fallback)
        field.errors = list(field.errors) + [item.message[0].upper() + item.message[1:] + "."]


# --- Home ---------------------------------------------------------------------------------------


@pages.get("/entreprise")
@login_required
def company_home():
    """The company's space: visits to answer, its sites, its recurring availability."""
    _company()
    coming = visits.company_visits(current_user, since=utcnow())
    return render_template(
        "company/home.html",
        visits=coming,
        to_answer=[v for v in coming if v.is_answerable and v.stop.company_response.value == "pending"],
        sites=queries.sites_visible_to(current_user),
        series=series_ops.series_visible_to(current_user),
    )


# --- Sites ---------------------------------------------------------------------------------------


def _site_details(form: SiteForm, site: Site | None = None) -> operations.SiteDetails:
    """The domain's view of the site form."""
    return operations.SiteDetails(
        name=form.name.data or "",
        address=form.address.data or "",
        lat=float(form.lat.data) if form.lat.data is not None else None,
        lon=float(form.lon.data) if form.lon.data is not None else None,
        zone_id=site.zone_id if site else None,
        sector=form.sector.data,
        trades=(form.trades.data or "").splitlines(),
        is_accessible=form.is_accessible.data,
        has_coach_parking=form.has_coach_parking.data,
        protective_equipment=form.protective_equipment.data,
        photo_policy=form.photo_policy.data,
        access_notes=form.access_notes.data,
        pay_range=form.pay_range.data,
        in_house_training=form.in_house_training.data,
        open_positions=form.open_positions.data,
        how_to_apply=form.how_to_apply.data,
        visitor_contacts=form.visitor_contacts.data,
        contact_name=form.contact_name.data,
        contact_phone=form.contact_phone.data,
    )


@pages.route("/entreprise/sites/nouveau", methods=["GET", "POST"])
@login_required
def company_site_new():
    """Add a site of the company; its address is geocoded unless coordinates are typed."""
    _company()
    form = SiteForm()
    if form.validate_on_submit():
        try:
            site = operations.create_site(_site_details(form), current_user, configured_geocoder())
            db.session.commit()
        except InvalidInput as error:
            db.session.rollback()
            _attach(form, error)
        else:
            flash(f"Site « {site.name} » ajouté.", "success")
            return redirect(url_for("pages.company_site", site_id=site.id))
    return render_template(
        "company/site_form.html", form=form, site=None, tiles=map_tiles()
    ), 422 if form.errors else 200


@pages.get("/entreprise/sites/<int:site_id>")
@login_required
def company_site(site_id: int):
    """A site: what visitors should know, its slots and its recurring availability."""
    _company()
    site = operations.managed_site(current_user, site_id)
    slots = queries.slots_visible_to(current_user, site_id=site.id, start=utcnow())
    return render_template(
        "company/site.html",
        site=site,
        trades=operations.parse_trades(site.trades),
        slots=slots,
        series=series_ops.series_visible_to(current_user, site_id=site.id),
        action_form=ActionForm(),
    )


@pages.route("/entreprise/sites/<int:site_id>/modifier", methods=["GET", "POST"])
@login_required
def company_site_edit(site_id: int):
    """Edit a site; a new address without coordinates is geocoded again."""
    _company()
    site = operations.managed_site(current_user, site_id)
    form = SiteForm(data=None if request.method == "POST" else _site_data(site))
    if form.validate_on_submit():
        try:
            operations.update_site(site, _site_details(form, site), current_user, configured_geocoder())
            db.session.commit()
        except InvalidInput as error:
            db.session.rollback()
            _attach(form, error)
        else:
            flash("Site modifié.", "success")
            return redirect(url_for("pages.company_site", site_id=site_id))
    return render_template(
        "company/site_form.html", form=form, site=site, tiles=map_tiles()
    ), 422 if form.errors else 200


def _decimal(value: float) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.000001"))


def _site_data(site: Site) -> dict[str, Any]:
    data: dict[str, Any] = {name: getattr(site, name) for name in operations.SITE_TEXTS}
    data.update(
        name=site.name,
        address=site.address,
        lat=_decimal(site.lat),
        lon=_decimal(site.lon),
        trades=site.trades or "",
        has_coach_parking=site.has_coach_parking,
        is_accessible=site.is_accessible,
    )
    return data


# --- One-off slots -----------------------------------------------------------------------------


@pages.route("/entreprise/sites/<int:site_id>/creneaux/nouveau", methods=["GET", "POST"])
@login_required
def company_slot_new(site_id: int):
    """Offer one visit slot at a site."""
    _company()
    site = operations.managed_site(current_user, site_id)
    form = SlotForm()
    if form.validate_on_submit():
        details = operations.SlotDetails(
            site.id,
            aware_local(form.start.data),
            aware_local(form.end.data),
            form.visit_minutes.data,
            form.max_visitors.data,
        )
        try:
            operations.offer_slot(details, current_user)
            db.session.commit()
        except InvalidInput as error:
            db.session.rollback()
            _attach(form, error, fallback="start")
        else:
            flash("Créneau proposé.", "success")
            return redirect(url_for("pages.company_site", site_id=site.id, _anchor="creneaux"))
    return render_template("company/slot_form.html", form=form, site=site), 422 if form.errors else 200


def _slot_action(slot_id: int, verb: Any, done: str):
    _company()
    slot = operations.managed_slot(current_user, slot_id)
    try:
        verb(slot, current_user)
        db.session.commit()
    except Conflict as error:
        db.session.rollback()
        flash(f"Action impossible : {_sentence(error)}", "error")
    else:
        flash(done, "success")
    return redirect(url_for("pages.company_site", site_id=slot.site_id, _anchor="creneaux"))


@pages.post("/entreprise/creneaux/<int:slot_id>/pause")
@login_required
def company_slot_pause(slot_id: int):
    """Pause one slot."""
    return _slot_action(slot_id, operations.pause_slot, "Créneau mis en pause.")


@pages.post("/entreprise/creneaux/<int:slot_id>/reprendre")
@login_required
def company_slot_resume(slot_id: int):
    """Offer a paused slot again."""
    return _slot_action(slot_id, operations.resume_slot, "Créneau proposé à nouveau.")


# --- Recurring availability --------------------------------------------------------------------


SERIES_FIELDS = {"rrule": "rrule", "exdates": "starts_on"}


@pages.route("/entreprise/sites/<int:site_id>/series/nouvelle", methods=["GET", "POST"])
@login_required
def company_series_new(site_id: int):
    """Offer a recurring availability at a site ("every Tuesday 9:00–12:00 from March to June")."""
    _company()
    site = operations.managed_site(current_user, site_id)
    form = SeriesForm()
    if form.validate_on_submit():
        details = series_ops.SeriesDetails(
            site.id,
            form.rule_text(),
            form.start_time.data,
            form.end_time.data,
            form.starts_on.data,
            form.ends_on.data,
            form.visit_minutes.data,
            form.max_visitors.data,
        )
        try:
            series, expansion = series_ops.create_series(details, current_user)
            db.session.commit()
        except InvalidInput as error:
            db.session.rollback()
            _attach(form, error, {**SERIES_FIELDS, "rrule": "rrule" if (form.rrule.data or "").strip() else "weekdays"})
        else:
            _flash_expansion(len(expansion.created), expansion.skipped)
            return redirect(url_for("pages.company_series", series_id=series.id))
    return render_template("company/series_form.html", form=form, site=site), 422 if form.errors else 200


def _flash_expansion(created: int, skipped: list[series_ops.SkippedOccurrence]) -> None:
    """Say how many slots the series gave and which days were skipped, and why."""
    flash(
        f"Disponibilité enregistrée : {created} créneau{'x' if created > 1 else ''} "
        f"proposé{'s' if created > 1 else ''} "
        f"pour les semaines à venir.",
        "success",
    )
    for item in skipped:
        holiday = series_ops.public_holiday(item.day)
        if holiday is not None:
            flash(f"Pas de créneau le {series_ops.french_day(item.day)} (jour férié : {holiday}).", "success")
        else:
            flash(f"Pas de créneau le {item.day:%d/%m/%Y} : {item.reason}.", "error")


@pages.get("/entreprise/series/<int:series_id>")
@login_required
def company_series(series_id: int):
    """A recurring availability: its days to come, exceptions, pause switch."""
    _company()
    series = series_ops.managed_series(current_user, series_id)
    return _render_series(series, ExceptionForm())


def _render_series(series: SlotSeries, exception_form: ExceptionForm, status: int = 200):
    today = to_local(utcnow()).date()
    horizon = today + timedelta(weeks=series_ops.horizon_weeks())
    slots = {to_local(slot.start_at).date(): slot for slot in series.slots}
    excluded = set(series.exdates or [])
    days = []
    for day in series_ops.occurrence_days(series, today, horizon):
        days.append(
            {
                "day": day,
                "slot": slots.get(day),
                "is_exception": day.isoformat() in excluded,
                "holiday": series_ops.public_holiday(day),
            }
        )
    public_holidays = [item for item in series_ops.holidays_skipped(series) if item.day >= today]
    exceptions = [date.fromisoformat(value) for value in series.exdates or []]
    return render_template(
        "company/series.html",
        series=series,
        days=days,
        exceptions=exceptions,
        horizon=horizon,
        description=series_ops.describe_rule(series),
        exception_form=exception_form,
        action_form=ActionForm(),
        public_holidays=public_holidays,
    ), status


@pages.post("/entreprise/series/<int:series_id>/exceptions")
@login_required
def company_series_exception_add(series_id: int):
    """Exclude a day from a series."""
    _company()
    series = series_ops.managed_series(current_user, series_id)
    form = ExceptionForm()
    if not form.validate_on_submit():
        return _render_series(series, form, 422)
    try:
        series_ops.add_exception(series, form.date.data, current_user)
        db.session.commit()
    except InvalidInput as error:
        db.session.rollback()
        _attach(form, error, fallback="date")
        return _render_series(series, form, 422)
    except Conflict as error:
        db.session.rollback()
        flash(f"Action impossible : {_sentence(error)}", "error")
    else:
        flash(f"Plus de créneau le {form.date.data:%d/%m/%Y}.", "success")
    return redirect(url_for("pages.company_series", series_id=series_id))


@pages.post("/entreprise/series/<int:series_id>/exceptions/<day>/retirer")
@login_required
def company_series_exception_remove(series_id: int, day: str):
    """Offer an excluded day again."""
    _company()
    series = series_ops.managed_series(current_user, series_id)
    try:
        parsed = date.fromisoformat(day)
        expansion = series_ops.remove_exception(series, parsed, current_user)
        db.session.commit()
    except ValueError:
        flash("Action impossible : date illisible.", "error")
    except InvalidInput as error:
        db.session.rollback()
        flash(f"Action impossible : {_sentence(error)}", "error")
    else:
        if expansion.skipped:
            for item in expansion.skipped:
                flash(f"Pas de créneau le {item.day:%d/%m/%Y} : {item.reason}.", "error")
        else:
            flash(f"Le {parsed:%d/%m/%Y} est de nouveau proposé.", "success")
    return redirect(url_for("pages.company_series", series_id=series_id))


def _series_switch(series_id: int, verb: Any, done: str):
    _company()
    series = series_ops.managed_series(current_user, series_id)
    try:
        verb(series, current_user)
        db.session.commit()
    except Conflict as error:
        db.session.rollback()
        flash(f"Action impossible : {_sentence(error)}", "error")
    else:
        flash(done, "success")
    return redirect(url_for("pages.company_series", series_id=series_id))


@pages.post("/entreprise/series/<int:series_id>/pause")
@login_required
def company_series_pause(series_id: int):
    """Pause a series for a busy period."""
    return _series_switch(
        series_id,
        series_ops.pause_series,
        "Série en pause : ses créneaux à venir ne sont plus proposés (les visites prévues restent).",
    )


@pages.post("/entreprise/series/<int:series_id>/reprendre")
@login_required
def company_series_resume(series_id: int):
    """Resume a paused series."""
    return _series_switch(
        series_id, series_ops.resume_series, "Série reprise : ses créneaux à venir sont de nouveau proposés."
    )


# --- Visits --------------------------------------------------------------------------------------


@pages.get("/entreprise/visites")
@login_required
def company_visits():
    """Every visit planned at the company's sites, to come and past."""
    _company()
    everything = visits.company_visits(current_user)
    now = utcnow()
    return render_template(
        "company/visits.html",
        coming=[v for v in everything if v.stop.departure_at >= now],
        past=[v for v in everything if v.stop.departure_at < now],
        action_form=ActionForm(),
    )


@pages.post("/entreprise/visites/<int:stop_id>/confirmer")
@login_required
def company_visit_confirm(stop_id: int):
    """Confirm a visit."""
    _company()
    visit = visits.visit_for(current_user, stop_id)
    try:
        visits.confirm_visit(visit, current_user)
        db.session.commit()
    except Conflict as error:
        db.session.rollback()
        flash(f"Action impossible : {_sentence(error)}", "error")
    else:
        flash(f"Visite du {visit.stop.arrival_at.astimezone(local_zone()):%d/%m/%Y} confirmée. Merci !", "success")
    return redirect(url_for("pages.company_visits"))


@pages.route("/entreprise/visites/<int:stop_id>/decliner", methods=["GET", "POST"])
@login_required
def company_visit_decline(stop_id: int):
    """Decline a visit: the organiser is told and will re-plan the tour."""
    _company()
    visit = visits.visit_for(current_user, stop_id)
    form = DeclineForm()
    if form.validate_on_submit():
        try:
            visits.decline_visit(visit, current_user, form.reason.data)
            db.session.commit()
        except InvalidInput as error:
            db.session.rollback()
            _attach(form, error, fallback="reason")
        except Conflict as error:
            db.session.rollback()
            flash(f"Action impossible : {_sentence(error)}", "error")
            return redirect(url_for("pages.company_visits"))
        else:
            flash("Visite déclinée : l'organisateur est prévenu et va revoir l'itinéraire.", "success")
            return redirect(url_for("pages.company_visits"))
    return render_template("company/decline.html", form=form, visit=visit), 422 if form.errors else 200


@pages.app_template_filter("slot_status_class")
def slot_status_class(status: SlotStatus) -> str:
    """A badge class for a slot status."""
    return {"offered": "badge-published", "paused": "badge-draft", "accepted": "badge-published"}.get(
        status.value, "badge-cancelled"
    )
