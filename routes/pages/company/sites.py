"""A company's sites (/entreprise/sites): add, read, edit; an address is geocoded unless placed."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from wtforms import (
    BooleanField,
    DecimalField,
    StringField,
    TelField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Optional

from routes.pages import pages
from routes.pages.company.common import attach_errors
from routes.pages.forms import REQUIRED, ActionForm, FrenchForm, InRange, too_long
from routes.pages.tours import map_tiles
from tourplanner.db import utcnow
from tourplanner.errors import InvalidInput
from tourplanner.extensions import db
from tourplanner.sites import operations, queries
from tourplanner.sites import series as series_ops
from tourplanner.sites.geocoding import configured_geocoder
from tourplanner.sites.models import Site


class SiteForm(FrenchForm):
    """Create or edit a site."""

    name = StringField("Nom du site", validators=[DataRequired(REQUIRED), too_long(200)])
    address = StringField("Adresse", validators=[DataRequired(REQUIRED), too_long(300)])
    lat = DecimalField("Latitude", places=6, validators=[Optional(), InRange(-90, 90, "Entre -90 et 90.")])
    lon = DecimalField("Longitude", places=6, validators=[Optional(), InRange(-180, 180, "Entre -180 et 180.")])
    sector = StringField("Secteur d'activité", validators=[Optional(), too_long(120)])
    trades = TextAreaField("Métiers présentés", validators=[Optional(), too_long(5000)])
    has_bus_parking = BooleanField("Un car peut stationner sur place", default=True)
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
        has_bus_parking=form.has_bus_parking.data,
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
    operations.company_space(current_user)
    form = SiteForm()
    if form.validate_on_submit():
        try:
            site = operations.create_site(_site_details(form), current_user, configured_geocoder())
            db.session.commit()
        except InvalidInput as error:
            db.session.rollback()
            attach_errors(form, error)
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
    site = operations.company_site(current_user, site_id)
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
    site = operations.company_site(current_user, site_id)
    form = SiteForm(data=None if request.method == "POST" else _site_data(site))
    if form.validate_on_submit():
        try:
            operations.update_site(
                site, _site_details(form, site), current_user, configured_geocoder(), shown_coordinates=True
            )
            db.session.commit()
        except InvalidInput as error:
            db.session.rollback()
            attach_errors(form, error)
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
        has_bus_parking=site.has_bus_parking,
        is_accessible=site.is_accessible,
    )
    return data
