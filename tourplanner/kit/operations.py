"""The kit: a territory's set-up exported to a JSON file, and imported by another territory or instance.

What travels: the territory's industrial zones; the sites in them with what visitors are
shown (sector, trades, equipment, access, pay, training, open positions) but WITHOUT
personal data (no contact names, telephones, e-mails: `contact_name`, `contact_phone`,
`visitor_contacts` and `how_to_apply` stay home); and the organiser's tour templates, the
shape of each tour they manage (kind, meeting point, buses, hours) without its day; and the
organisation's perception questionnaires (one per audience, its statements in order).

Importing is idempotent (zones by name, sites by company and name, templates by name and
questionnaires by audience in the importer's organisation: a second import changes nothing) and all or nothing: the
whole file is checked first, every fault named in French, and nothing is written unless
the file is sound. Operations flush and never commit.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select

from tourplanner.accounts.enums import OrganisationKind
from tourplanner.accounts.models import User
from tourplanner.accounts.operations import get_or_create_organisation
from tourplanner.accounts.permissions import require_organiser
from tourplanner.audit.operations import record
from tourplanner.db import utcnow
from tourplanner.errors import FieldError, InvalidInput, NotFound
from tourplanner.extensions import db
from tourplanner.impact.questionnaires import check_kit_questionnaires, import_kit_questionnaires, kit_questionnaires
from tourplanner.kit.models import TourTemplate
from tourplanner.sites.models import IndustrialZone, Site
from tourplanner.timeutil import aware_local, is_existing_local_time, to_local
from tourplanner.tours.details import Lunch, TourDetails
from tourplanner.tours.enums import TourKind
from tourplanner.tours.models import Tour
from tourplanner.tours.operations import create_tour
from tourplanner.tours.queries import managed_by
from tourplanner.trades.models import TourTrade
from tourplanner.trades.operations import set_tour_trades
from tourplanner.trades.referential import load as load_referential

#: What the file says it is, and the version of its layout.
FORMAT = "tourplanner-kit"
VERSION = 1
#: Largest kit file accepted, in bytes.
MAX_BYTES = 2 * 1024 * 1024

#: Site fields that travel: what visitors are shown, no personal data.
SITE_TEXT_FIELDS = (
    "sector",
    "trades",
    "protective_equipment",
    "access_notes",
    "photo_policy",
    "pay_range",
    "in_house_training",
    "open_positions",
)
SITE_FLAGS = ("has_coach_parking", "is_accessible")
#: What a tour template holds besides its name (anything else in a file stays out).
TEMPLATE_FIELDS = (
    "kind",
    "description",
    "meeting_point",
    "start",
    "duration_minutes",
    "buses",
    "boarding_minutes",
    "booking_deadline_days_before",
    "max_seats_per_booking",
    "lunch",
    "lunch_place",
    "trades",
)


@dataclass(frozen=True)
class ImportReport:
    """What an import created and updated (all zero on a second import of the same file)."""

    zones_created: int = 0
    zones_updated: int = 0
    sites_created: int = 0
    sites_updated: int = 0
    templates_created: int = 0
    templates_updated: int = 0
    questionnaires_created: int = 0
    questionnaires_updated: int = 0

    @property
    def changed(self) -> int:
        """Rows created or updated."""
        return sum(
            (
                self.zones_created,
                self.zones_updated,
                self.sites_created,
                self.sites_updated,
                self.templates_created,
                self.templates_updated,
                self.questionnaires_created,
                self.questionnaires_updated,
            )
        )

    def summary(self) -> str:
        """The report in one French sentence."""
        return (
            f"zones : {self.zones_created} créées, {self.zones_updated} mises à jour ; "
            f"sites : {self.sites_created} créés, {self.sites_updated} mis à jour ; "
            f"modèles de tour : {self.templates_created} créés, {self.templates_updated} mis à jour ; "
            f"questionnaires : {self.questionnaires_created} créés, {self.questionnaires_updated} mis à jour"
        )


# --- export ----------------------------------------------------------------------------


def template_of(tour: Tour, trades: list[str] | None = None) -> dict[str, Any]:
    """A tour's shape without its day: local hours, lengths in minutes, buses' seats, its trades (ROME codes)."""
    start = to_local(tour.start_at)

    def hour(value: datetime) -> str:
        return f"{to_local(value):%H:%M}"

    lunch = None
    if tour.has_lunch:
        lunch = {
            "earliest": hour(tour.lunch_earliest_at),
            "latest": hour(tour.lunch_latest_at),
            "minutes": tour.lunch_minutes,
        }
    return {
        "name": tour.title,
        "kind": tour.kind.value,
        "description": tour.description,
        "meeting_point": {
            "name": tour.meeting_point_name,
            "address": tour.meeting_address,
            "lat": tour.meeting_lat,
            "lon": tour.meeting_lon,
        },
        "start": f"{start:%H:%M}",
        "duration_minutes": int((tour.end_at - tour.start_at).total_seconds() // 60),
        "buses": [{"seats": bus.seats} for bus in tour.buses],
        "boarding_minutes": tour.boarding_minutes or 0,
        "booking_deadline_days_before": max(0, (start.date() - to_local(tour.booking_deadline_at).date()).days),
        "max_seats_per_booking": tour.max_seats_per_booking,
        "lunch": lunch,
        "lunch_place": tour.lunch_place,
        "trades": list(trades or []),
    }


def export_kit(organiser: User, territory: str | None = None) -> dict[str, Any]:
    """The kit of `territory` (every zone when none) and of the tours `organiser` manages, as a JSON-ready dict."""
    require_organiser(organiser)
    zones_query = select(IndustrialZone).order_by(IndustrialZone.territory, IndustrialZone.name)
    if territory:
        zones_query = zones_query.where(IndustrialZone.territory == territory)
    zones = list(db.session.scalars(zones_query))
    sites = (
        list(
            db.session.scalars(
                select(Site).where(Site.zone_id.in_([zone.id for zone in zones])).order_by(Site.name, Site.id)
            )
        )
        if zones
        else []
    )
    templates: dict[str, dict[str, Any]] = {}
    stored = db.session.scalars(select(TourTemplate).where(_template_owner(organiser)).order_by(TourTemplate.name))
    for template in stored:
        templates[template.name] = dict(template.details, name=template.name)
    # The most recent tour of each title the organiser manages, unless a stored template has its name.
    tours = list(db.session.scalars(select(Tour).where(managed_by(organiser)).order_by(Tour.start_at.desc())))
    trades: dict[int, list[str]] = {}
    if tours:
        rows = db.session.execute(
            select(TourTrade.tour_id, TourTrade.rome_code)
            .where(TourTrade.tour_id.in_([tour.id for tour in tours]))
            .order_by(TourTrade.id)
        )
        for tour_id, code in rows:
            trades.setdefault(tour_id, []).append(code)
    for tour in tours:
        if tour.title not in templates:
            templates[tour.title] = template_of(tour, trades.get(tour.id))
    return {
        "format": FORMAT,
        "version": VERSION,
        "exported_at": utcnow().isoformat(),
        "territory": territory,
        "zones": [
            {"name": z.name, "city": z.city, "territory": z.territory, "lat": z.lat, "lon": z.lon} for z in zones
        ],
        "sites": [_site_json(site) for site in sites],
        "tour_templates": [templates[name] for name in sorted(templates)],
        "questionnaires": kit_questionnaires(organiser),
    }


def _site_json(site: Site) -> dict[str, Any]:
    body: dict[str, Any] = {
        "company": site.organisation.name,
        "name": site.name,
        "address": site.address,
        "lat": site.lat,
        "lon": site.lon,
        "zone": site.zone.name if site.zone is not None else None,
    }
    body.update({name: getattr(site, name) for name in SITE_TEXT_FIELDS + SITE_FLAGS})
    return body


def _template_owner(organiser: User) -> Any:
    if organiser.organisation_id is None:
        return TourTemplate.organisation_id.is_(None)
    return TourTemplate.organisation_id == organiser.organisation_id


# --- import ----------------------------------------------------------------------------


def parse_kit(raw: bytes | str) -> dict[str, Any]:
    """The kit file's JSON object; InvalidInput (field `file`) when it is too big or not JSON."""
    if len(raw) > MAX_BYTES:
        raise InvalidInput.one("file", f"le fichier dépasse {MAX_BYTES // (1024 * 1024)} Mo")
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise InvalidInput.one("file", "ce fichier n'est pas un kit : son contenu n'est pas du JSON lisible") from None
    if not isinstance(data, dict):
        raise InvalidInput.one("file", "ce fichier n'est pas un kit : un objet JSON est attendu")
    return data


def import_kit(data: dict[str, Any], organiser: User) -> ImportReport:
    """Import a kit into this instance for `organiser`'s organisation: all of it, or nothing (InvalidInput)."""
    require_organiser(organiser)
    _check(data)
    counts = dict.fromkeys(
        ("zones_created", "zones_updated", "sites_created", "sites_updated", "templates_created", "templates_updated"),
        0,
    )
    zones: dict[str, IndustrialZone] = {}
    for item in data.get("zones", []):
        zone = db.session.scalar(select(IndustrialZone).where(IndustrialZone.name == item["name"].strip()))
        values = {
            "city": item["city"].strip(),
            "territory": item["territory"].strip(),
            "lat": float(item["lat"]),
            "lon": float(item["lon"]),
        }
        if zone is None:
            zone = IndustrialZone(name=item["name"].strip(), **values)
            db.session.add(zone)
            counts["zones_created"] += 1
        elif _assign(zone, values):
            counts["zones_updated"] += 1
        zones[zone.name] = zone
    db.session.flush()
    for item in data.get("sites", []):
        company = get_or_create_organisation(item["company"].strip(), OrganisationKind.COMPANY)
        site = db.session.scalar(
            select(Site).where(Site.organisation_id == company.id, Site.name == item["name"].strip())
        )
        zone_name = (item.get("zone") or "").strip()
        zone = zones.get(zone_name) or (
            db.session.scalar(select(IndustrialZone).where(IndustrialZone.name == zone_name)) if zone_name else None
        )
        values = {
            "address": item["address"].strip(),
            "lat": float(item["lat"]),
            "lon": float(item["lon"]),
            "zone_id": zone.id if zone is not None else None,
        }
        values.update({name: _text(item.get(name)) for name in SITE_TEXT_FIELDS})
        values.update({name: bool(item[name]) for name in SITE_FLAGS if name in item})
        if site is None:
            db.session.add(Site(organisation_id=company.id, name=item["name"].strip(), **values))
            counts["sites_created"] += 1
        elif _assign(site, values):
            counts["sites_updated"] += 1
    for item in data.get("tour_templates", []):
        name = item["name"].strip()
        details = _template_details(item)
        template = db.session.scalar(select(TourTemplate).where(_template_owner(organiser), TourTemplate.name == name))
        if template is None:
            db.session.add(TourTemplate(organisation_id=organiser.organisation_id, name=name, details=details))
            counts["templates_created"] += 1
        elif template.details != details:
            template.details = details
            counts["templates_updated"] += 1
    db.session.flush()
    created, updated = import_kit_questionnaires(data.get("questionnaires", []), organiser)
    counts.update(questionnaires_created=created, questionnaires_updated=updated)
    report = ImportReport(**counts)
    record(organiser, "kit.import", organiser, **counts)
    return report


def _template_details(item: dict[str, Any]) -> dict[str, Any]:
    """What a checked template of a file holds, and nothing else (a file may carry more than we know)."""
    details = {key: item[key] for key in TEMPLATE_FIELDS if key in item}
    point = item["meeting_point"]
    details["meeting_point"] = {key: point.get(key) for key in ("name", "address", "lat", "lon")}
    details["buses"] = [{"seats": bus["seats"]} for bus in item["buses"]]
    if item.get("lunch"):
        details["lunch"] = {key: item["lunch"][key] for key in ("earliest", "latest", "minutes")}
    return details


def _assign(row: Any, values: dict[str, Any]) -> bool:
    """Set `values` on `row`; whether anything changed."""
    changed = False
    for name, value in values.items():
        if getattr(row, name) != value:
            setattr(row, name, value)
            changed = True
    return changed


def _text(value: Any) -> str | None:
    return value.strip() or None if isinstance(value, str) else None


def _check(data: dict[str, Any]) -> None:
    """Refuse a kit with any fault, naming each one (nothing is written before this passes)."""
    if data.get("format") != FORMAT:
        raise InvalidInput.one(
            "format", f"ce fichier n'est pas un kit tourplanner (« format » doit valoir « {FORMAT} »)"
        )
    if data.get("version") != VERSION:
        raise InvalidInput.one("version", f"version de kit non prise en charge (attendue : {VERSION})")
    errors: list[FieldError] = []
    sections = {}
    for section in ("zones", "sites", "tour_templates", "questionnaires"):
        value = data.get(section, [])
        if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
            errors.append(FieldError(section, "une liste d'objets est attendue"))
            value = []
        sections[section] = value
    zone_names = set()
    for index, item in enumerate(sections["zones"]):
        where = f"zones.{index}"
        for name in ("name", "city", "territory"):
            _need_text(item, name, where, errors, 200 if name == "name" else 120)
        _need_coordinates(item, where, errors)
        if isinstance(item.get("name"), str):
            if item["name"].strip() in zone_names:
                errors.append(FieldError(f"{where}.name", f"la zone « {item['name']} » figure deux fois"))
            zone_names.add(item["name"].strip())
    known_zones = zone_names | set(db.session.scalars(select(IndustrialZone.name)))
    seen_sites = set()
    for index, item in enumerate(sections["sites"]):
        where = f"sites.{index}"
        _need_text(item, "company", where, errors, 200)
        _need_text(item, "name", where, errors, 200)
        _need_text(item, "address", where, errors, 300)
        _need_coordinates(item, where, errors)
        zone = item.get("zone")
        if zone is not None and (not isinstance(zone, str) or (zone.strip() and zone.strip() not in known_zones)):
            errors.append(FieldError(f"{where}.zone", f"zone inconnue : « {zone} » (ni dans le kit ni ici)"))
        for name in SITE_TEXT_FIELDS:
            if item.get(name) is not None and not isinstance(item[name], str):
                errors.append(FieldError(f"{where}.{name}", "un texte est attendu"))
        for name in SITE_FLAGS:
            if name in item and not isinstance(item[name], bool):
                errors.append(FieldError(f"{where}.{name}", "vrai ou faux (true/false) est attendu"))
        key = (item.get("company"), item.get("name"))
        if key in seen_sites:
            errors.append(FieldError(f"{where}.name", f"le site « {item.get('name')} » figure deux fois"))
        seen_sites.add(key)
    template_names = set()
    for index, item in enumerate(sections["tour_templates"]):
        where = f"tour_templates.{index}"
        _need_text(item, "name", where, errors, 200)
        _check_template(item, where, errors)
        if isinstance(item.get("name"), str):
            if item["name"].strip() in template_names:
                errors.append(FieldError(f"{where}.name", f"le modèle « {item['name']} » figure deux fois"))
            template_names.add(item["name"].strip())
    check_kit_questionnaires(sections["questionnaires"], errors)
    if errors:
        raise InvalidInput(errors, f"kit refusé, rien n'a été importé : {len(errors)} erreur(s)")


def _need_text(item: dict[str, Any], name: str, where: str, errors: list[FieldError], max_length: int) -> None:
    value = item.get(name)
    if not isinstance(value, str) or not value.strip():
        errors.append(FieldError(f"{where}.{name}", "ce champ est obligatoire (un texte)"))
    elif len(value.strip()) > max_length:
        errors.append(FieldError(f"{where}.{name}", f"{max_length} caractères au plus"))


def _need_coordinates(item: dict[str, Any], where: str, errors: list[FieldError]) -> None:
    for name, limit in (("lat", 90), ("lon", 180)):
        value = item.get(name)
        if isinstance(value, bool) or not isinstance(value, int | float) or not -limit <= value <= limit:
            errors.append(FieldError(f"{where}.{name}", f"un nombre entre -{limit} et {limit} est attendu"))


def _check_template(item: dict[str, Any], where: str, errors: list[FieldError]) -> None:
    if item.get("kind") not in {kind.value for kind in TourKind}:
        errors.append(FieldError(f"{where}.kind", "type de tour inconnu"))
    point = item.get("meeting_point")
    if not isinstance(point, dict):
        errors.append(FieldError(f"{where}.meeting_point", "le point de rendez-vous est obligatoire"))
    else:
        _need_text(point, "name", f"{where}.meeting_point", errors, 200)
        _need_coordinates(point, f"{where}.meeting_point", errors)
    if not _is_hour(item.get("start")):
        errors.append(FieldError(f"{where}.start", "une heure HH:MM est attendue"))
    duration = item.get("duration_minutes")
    if isinstance(duration, bool) or not isinstance(duration, int) or not 0 < duration <= 24 * 60:
        errors.append(FieldError(f"{where}.duration_minutes", "une durée en minutes (1 à 1440) est attendue"))
    buses = item.get("buses")
    if (
        not isinstance(buses, list)
        or not buses
        or not all(
            isinstance(bus, dict)
            and isinstance(bus.get("seats"), int)
            and not isinstance(bus.get("seats"), bool)
            and bus["seats"] > 0
            for bus in buses
        )
    ):
        errors.append(FieldError(f"{where}.buses", "au moins un car, chacun avec un nombre de places positif"))
    for name in ("description", "lunch_place"):
        if item.get(name) is not None and not isinstance(item[name], str):
            errors.append(FieldError(f"{where}.{name}", "un texte est attendu"))
    if isinstance(point, dict) and point.get("address") is not None and not isinstance(point["address"], str):
        errors.append(FieldError(f"{where}.meeting_point.address", "un texte est attendu"))
    for name, low, high in (
        ("boarding_minutes", 0, 30),
        ("booking_deadline_days_before", 0, 365),
        ("max_seats_per_booking", 1, 1000),
    ):
        value = item.get(name)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high):
            errors.append(FieldError(f"{where}.{name}", f"un nombre entier de {low} à {high} est attendu"))
    lunch = item.get("lunch")
    if lunch is not None:
        minutes = lunch.get("minutes") if isinstance(lunch, dict) else None
        if (
            not isinstance(lunch, dict)
            or not _is_hour(lunch.get("earliest"))
            or not _is_hour(lunch.get("latest"))
            or isinstance(minutes, bool)
            or not isinstance(minutes, int)
            or not 0 < minutes <= 240
        ):
            errors.append(FieldError(f"{where}.lunch", "un déjeuner {earliest, latest (HH:MM), minutes} est attendu"))
    trades = item.get("trades", [])
    if not isinstance(trades, list) or not all(isinstance(code, str) for code in trades):
        errors.append(FieldError(f"{where}.trades", "une liste de codes ROME est attendue"))
    else:
        referential = load_referential()
        for index, code in enumerate(trades):
            if referential.get(code) is None:
                errors.append(FieldError(f"{where}.trades.{index}", f"code ROME inconnu : {code.strip()[:20]}"))


def _is_hour(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    try:
        datetime.strptime(value, "%H:%M")
    except ValueError:
        return False
    return True


def templates_of(organiser: User) -> list[TourTemplate]:
    """The tour templates of `organiser`'s organisation, by name."""
    require_organiser(organiser)
    return list(db.session.scalars(select(TourTemplate).where(_template_owner(organiser)).order_by(TourTemplate.name)))


# --- a tour from a template ------------------------------------------------------------


def get_template(organiser: User, template_id: int) -> TourTemplate:
    """A tour template of `organiser`'s organisation; NotFound for another's."""
    require_organiser(organiser)
    template = db.session.get(TourTemplate, template_id)
    if template is None or template.organisation_id != organiser.organisation_id:
        raise NotFound(f"aucun modèle de tour n°{template_id}")
    return template


def _local(day: date, hour: str, field: str) -> datetime:
    """The aware local time of `hour` (HH:MM) on `day`; InvalidInput when that time never happens there."""
    wall = datetime.combine(day, datetime.strptime(hour, "%H:%M").time())
    if not is_existing_local_time(wall):
        raise InvalidInput.one(field, f"{hour} n'existe pas le {day:%d/%m/%Y} (changement d'heure)")
    return aware_local(wall)


def details_from_template(template: TourTemplate, day: date, title: str | None = None) -> TourDetails:
    """The details of a tour on `day` shaped by `template`: its hours that day, buses, lunch, meeting point."""
    item = dict(template.details, name=template.name)
    errors: list[FieldError] = []
    _check_template(item, "template", errors)
    if errors:
        raise InvalidInput(errors, "ce modèle de tour est incomplet : " + errors[0].message)
    start = _local(day, item["start"], "date")
    lunch = None
    if item.get("lunch"):
        lunch = Lunch(
            earliest=_local(day, item["lunch"]["earliest"], "lunch.earliest"),
            latest=_local(day, item["lunch"]["latest"], "lunch.latest"),
            minutes=item["lunch"]["minutes"],
        )
    point = item["meeting_point"]
    return TourDetails(
        title=(title or "").strip() or template.name,
        start=start,
        end=start + timedelta(minutes=item["duration_minutes"]),
        meeting_point_name=point["name"].strip(),
        meeting_lat=float(point["lat"]),
        meeting_lon=float(point["lon"]),
        meeting_address=_text(point.get("address")),
        bus_seats=[bus["seats"] for bus in item["buses"]],
        booking_deadline=_local(
            day - timedelta(days=item.get("booking_deadline_days_before") or 0), item["start"], "date"
        ),
        lunch=lunch,
        lunch_place=_text(item.get("lunch_place")),
        kind=TourKind(item["kind"]),
        description=_text(item.get("description")),
        max_seats_per_booking=item.get("max_seats_per_booking"),
        boarding_minutes=item.get("boarding_minutes") or 0,
    )


def create_tour_from_template(template: TourTemplate, organiser: User, day: date, title: str | None = None) -> Tour:
    """A draft tour on `day` (a local date, today or later) from a template, with its trades; edited as any draft."""
    require_organiser(organiser)
    if template.organisation_id != organiser.organisation_id:
        raise NotFound(f"aucun modèle de tour n°{template.id}")
    if day < to_local(utcnow()).date():
        raise InvalidInput.one("date", "choisissez une date à venir")
    if title is not None and len(title.strip()) > 200:
        raise InvalidInput.one("title", "200 caractères au plus")
    tour = create_tour(details_from_template(template, day, title), organiser)
    db.session.flush()
    codes = template.details.get("trades") or []
    if codes:
        set_tour_trades(tour, codes, organiser)
    record(organiser, "tour.from_template", tour, template=template.name)
    return tour
