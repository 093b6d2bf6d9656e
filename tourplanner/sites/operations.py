"""The verbs of sites: create a site, edit it (slots: tourplanner.sites.slots).

Who may see what: organisers see every site and slot; a company contact sees its own
organisation's only — another company's site or slot answers exactly as an unknown id
(NotFound), so existence stays private; prescribers and ambassadors may read sites (they
appear on itineraries) but change nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from sqlalchemy import select

from tourplanner.accounts.enums import OrganisationKind, Role
from tourplanner.accounts.models import Organisation, User
from tourplanner.accounts.permissions import require_role
from tourplanner.audit.operations import record
from tourplanner.db import utcnow
from tourplanner.errors import FieldError, GeocodingError, InvalidInput, NotFound, PermissionDenied
from tourplanner.extensions import db
from tourplanner.sites.geocoding import Geocoder, locate
from tourplanner.sites.models import IndustrialZone, Site, Slot
from tourplanner.tours.enums import TourStatus
from tourplanner.tours.models import Stop, Tour
from tourplanner.tours.notices import plan_changed
from tourplanner.trades.operations import line_errors as trade_line_errors
from tourplanner.trades.operations import tag_site


@dataclass(frozen=True)
class SiteDetails:
    """Everything a company contact or an organiser says about a site."""

    name: str
    address: str
    lat: float | None = None
    lon: float | None = None
    #: A company contact's own organisation; for organisers, a company named as the site when left out.
    organisation_id: int | None = None
    zone_id: int | None = None
    sector: str | None = None
    trades: list[str] = field(default_factory=list)
    is_accessible: bool = False
    has_bus_parking: bool = True
    protective_equipment: str | None = None
    access_notes: str | None = None
    photo_policy: str | None = None
    pay_range: str | None = None
    in_house_training: str | None = None
    open_positions: str | None = None
    how_to_apply: str | None = None
    visitor_contacts: str | None = None
    #: Who welcomes the group on the day, and their phone (printed in the road book).
    contact_name: str | None = None
    contact_phone: str | None = None


#: Text fields of a site besides name and address, with their longest length (None: Text).
SITE_TEXTS = {
    "sector": 120,
    "protective_equipment": 300,
    "access_notes": 5000,
    "photo_policy": 300,
    "pay_range": 300,
    "in_house_training": 5000,
    "open_positions": 5000,
    "how_to_apply": 5000,
    "visitor_contacts": 5000,
    "contact_name": 200,
    "contact_phone": 40,
}

#: A ROME code (France Travail's job directory) at the start of a trade line: "H2903 Conduite…".
ROME_CODE = re.compile(r"^([A-N]\d{4})\b\s*[-–:]?\s*(.*)$")


@dataclass(frozen=True)
class Trade:
    """A trade shown during visits, with its ROME code when known."""

    label: str
    rome_code: str | None = None


def parse_trades(text: str | None) -> list[Trade]:
    """The trades of a site's text, one per line; a leading ROME code is read apart."""
    trades = []
    for line in (text or "").splitlines():
        line = line.strip()
        if not line:
            continue
        match = ROME_CODE.match(line)
        if match and match.group(2):
            trades.append(Trade(match.group(2).strip(), match.group(1)))
        else:
            trades.append(Trade(line))
    return trades


def details_of(site: Site) -> SiteDetails:
    """What a site says now, as SiteDetails (lat and lon left out: they follow the address)."""
    return SiteDetails(
        name=site.name,
        address=site.address,
        organisation_id=site.organisation_id,
        zone_id=site.zone_id,
        sector=site.sector,
        trades=(site.trades or "").splitlines(),
        is_accessible=site.is_accessible,
        has_bus_parking=site.has_bus_parking,
        protective_equipment=site.protective_equipment,
        access_notes=site.access_notes,
        photo_policy=site.photo_policy,
        pay_range=site.pay_range,
        in_house_training=site.in_house_training,
        open_positions=site.open_positions,
        how_to_apply=site.how_to_apply,
        visitor_contacts=site.visitor_contacts,
        contact_name=site.contact_name,
        contact_phone=site.contact_phone,
    )


def is_site_manager(user: User, site: Site) -> bool:
    """Whether `user` may change `site` and its slots: organisers, and its company's contacts."""
    if user.role is Role.ORGANISER:
        return True
    return (
        user.role is Role.COMPANY and user.organisation_id is not None and user.organisation_id == site.organisation_id
    )


def site_for(user: User, site_id: int) -> Site:
    """The site with this id as `user` may see it; NotFound when unknown or private."""
    site = db.session.get(Site, site_id)
    if site is None or (user.role is Role.COMPANY and not is_site_manager(user, site)):
        raise NotFound(f"aucun site n°{site_id}")
    return site


def managed_site(user: User, site_id: int) -> Site:
    """The site with this id, which `user` manages; 403 for roles that manage none, else 404."""
    require_role(user, Role.ORGANISER, Role.COMPANY)
    site = site_for(user, site_id)
    if not is_site_manager(user, site):
        raise NotFound(f"aucun site n°{site_id}")
    return site


def company_space(user: User) -> Organisation | None:
    """The company whose space (/entreprise) a company contact sees, None while their account has none;
    403 for other roles: organisers manage sites from their own pages."""
    require_role(user, Role.COMPANY)
    return user.organisation


def company_site(user: User, site_id: int) -> Site:
    """One of the sites of a company contact's company, for their space; 403 for other roles, else 404."""
    require_role(user, Role.COMPANY)
    return managed_site(user, site_id)


def _clean(text: str | None) -> str | None:
    text = (text or "").strip()
    return text or None


def _site_organisation(details: SiteDetails, actor: User, errors: list[FieldError]) -> Organisation | None:
    """The organisation a new site belongs to, by the actor's role; faults go to `errors`."""
    if actor.role is Role.COMPANY:
        if actor.organisation_id is None:
            raise PermissionDenied("votre compte n'est rattaché à aucune entreprise : demandez-le à un organisateur")
        if details.organisation_id not in (None, actor.organisation_id):
            raise PermissionDenied("un contact entreprise ne crée des sites que pour sa propre entreprise")
        return actor.organisation
    if details.organisation_id is None:
        return _company_named_as(details.name, errors)
    organisation = db.session.get(Organisation, details.organisation_id)
    if organisation is None:
        errors.append(FieldError("organisation_id", f"aucune organisation n°{details.organisation_id}"))
    return organisation


def _company_named_as(name: str, errors: list[FieldError]) -> Organisation | None:
    """The company organisation called as the site (an organiser's site without organisation_id); None if new."""
    name = name.strip()
    if not name:
        return None  # check_site names the empty name
    organisation = db.session.scalar(select(Organisation).where(Organisation.name == name))
    if organisation is None:
        return None  # created by create_site once everything else is right
    if organisation.kind is not OrganisationKind.COMPANY:
        errors.append(
            FieldError(
                "organisation_id",
                f"« {name} » est une organisation de type {organisation.kind.label.lower()}, pas une entreprise : "
                "indiquez l'entreprise qui accueille les visites",
            )
        )
        return None
    return organisation


def check_site(details: SiteDetails, errors: list[FieldError] | None = None) -> None:
    """Raise InvalidInput naming every field of `details` that breaks a rule (geocoding aside)."""
    errors = list(errors or [])
    if not details.name.strip():
        errors.append(FieldError("name", "le nom du site est obligatoire"))
    if not details.address.strip():
        errors.append(FieldError("address", "l'adresse est obligatoire"))
    if details.lat is not None and not -90 <= details.lat <= 90:
        errors.append(FieldError("lat", "la latitude doit être comprise entre -90 et 90"))
    if details.lon is not None and not -180 <= details.lon <= 180:
        errors.append(FieldError("lon", "la longitude doit être comprise entre -180 et 180"))
    if (details.lat is None) != (details.lon is None):
        missing = "lon" if details.lon is None else "lat"
        errors.append(FieldError(missing, "indiquez lat et lon ensemble, ou aucun des deux pour géocoder l'adresse"))
    if details.zone_id is not None and db.session.get(IndustrialZone, details.zone_id) is None:
        errors.append(FieldError("zone_id", f"aucune zone industrielle n°{details.zone_id}"))
    for name, longest in SITE_TEXTS.items():
        value = getattr(details, name)
        if value is not None and len(value.strip()) > longest:
            errors.append(FieldError(name, f"{longest} caractères au plus"))
    for index, trade in enumerate(details.trades):
        if len(trade.strip()) > 200:
            errors.append(FieldError(f"trades.{index}", "200 caractères au plus par métier"))
    errors += trade_line_errors(details.trades)
    if errors:
        raise InvalidInput(errors)


def create_site(details: SiteDetails, actor: User, geocoder: Geocoder) -> Site:
    """Create a site; without lat/lon its address is geocoded (cached), with them never."""
    require_role(actor, Role.ORGANISER, Role.COMPANY)
    errors: list[FieldError] = []
    organisation = _site_organisation(details, actor, errors)
    check_site(details, errors)
    if details.lat is not None and details.lon is not None:
        lat, lon = details.lat, details.lon
    else:
        lat, lon = _geocode(details.address, geocoder)
    if organisation is None:  # an organiser's site for a company not known yet: named as the site
        organisation = Organisation(name=details.name.strip(), kind=OrganisationKind.COMPANY)
        db.session.add(organisation)
        db.session.flush()
    site = Site(organisation=organisation, lat=lat, lon=lon)
    _fill(site, details)
    db.session.add(site)
    tag_site(site)
    record(actor, "site.create", site, name=site.name, organisation_id=organisation.id, geocoded=details.lat is None)
    return site


def update_site(
    site: Site, details: SiteDetails, actor: User, geocoder: Geocoder, *, shown_coordinates: bool = False
) -> Site:
    """Replace what a site says; without lat/lon a changed address is geocoded, an unchanged one keeps its place.

    Typed coordinates are kept as typed, except with `shown_coordinates` (they come from a form that
    showed the site's current ones): left as they were while the address changed, they follow the new address.
    """
    if not is_site_manager(actor, site):
        raise NotFound(f"aucun site n°{site.id}")
    errors: list[FieldError] = []
    if details.organisation_id not in (None, site.organisation_id):
        errors.append(FieldError("organisation_id", "un site ne change pas d'entreprise"))
    check_site(details, errors)
    geocoded = False
    told = _what_people_are_told(site)
    address_changed = details.address.strip() != site.address
    typed = details.lat is not None and details.lon is not None
    if typed and not (shown_coordinates and address_changed and _same_place(details, site)):
        site.lat, site.lon = details.lat, details.lon
    elif address_changed:
        site.lat, site.lon = _geocode(details.address, geocoder)
        geocoded = True
    _fill(site, details)
    db.session.flush()
    if _what_people_are_told(site) != told:
        _mark_tours_visiting(site)
    tag_site(site)
    record(actor, "site.update", site, name=site.name, geocoded=geocoded)
    return site


def _same_place(details: SiteDetails, site: Site) -> bool:
    """Whether the details' coordinates are the site's current ones, to the micro-degree a form shows."""
    return (round(details.lat or 0.0, 6), round(details.lon or 0.0, 6)) == (round(site.lat, 6), round(site.lon, 6))


def _what_people_are_told(site: Site) -> tuple[object, ...]:
    """What of a site reaches invitations and feeds: its name, address, place and visit notes."""
    return (site.name, site.address, site.lat, site.lon, *(getattr(site, name) for name in sorted(SITE_TEXTS)))


def _mark_tours_visiting(site: Site) -> None:
    """The coming tours whose itinerary visits `site` bring their people's calendars up to date; the past ones
    are only marked as changed (their `updated_at`), so that feeds render their events again, but nobody is
    sent an update of a day gone by."""
    visiting = select(Stop.tour_id).join(Slot, Slot.id == Stop.slot_id).where(Slot.site_id == site.id)
    now = utcnow()
    for tour in db.session.scalars(
        select(Tour).where(Tour.id.in_(visiting), Tour.status != TourStatus.CANCELLED).order_by(Tour.id)
    ):
        if tour.end_at >= now:
            plan_changed(tour)
        else:
            tour.updated_at = now


def _geocode(address: str, geocoder: Geocoder) -> tuple[float, float]:
    """(lat, lon) of an address; a failure names address, lat and lon as the fields to fix."""
    try:
        return locate(address, geocoder)
    except GeocodingError as exc:
        hint = "" if "indiquez lat et lon" in exc.detail else " ; indiquez lat et lon"
        raise InvalidInput(
            [
                FieldError("address", exc.detail),
                FieldError("lat", "obligatoire quand l'adresse ne peut pas être géocodée"),
                FieldError("lon", "obligatoire quand l'adresse ne peut pas être géocodée"),
            ],
            detail=exc.detail + hint,
        ) from exc


def _fill(site: Site, details: SiteDetails) -> None:
    """Copy `details` (coordinates and organisation aside) onto `site`, blanks as none."""
    site.zone_id = details.zone_id
    site.name = details.name.strip()
    site.address = details.address.strip()
    site.trades = "\n".join(t.strip() for t in details.trades if t.strip()) or None
    site.is_accessible = details.is_accessible
    site.has_bus_parking = details.has_bus_parking
    for name in SITE_TEXTS:
        setattr(site, name, _clean(getattr(details, name)))
