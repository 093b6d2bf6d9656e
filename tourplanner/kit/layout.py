"""The kit file's layout: what it says it is, the fields that travel, and the checks a file passes before import.

What travels: the territory's industrial zones; the sites in them with what visitors are
shown (sector, trades, equipment, access, pay, training, open positions) but WITHOUT
personal data (no contact names, telephones, e-mails: `contact_name`, `contact_phone`,
`visitor_contacts` and `how_to_apply` stay home); and the organiser's tour templates, the
shape of each tour they manage (kind, meeting point, buses, hours) without its day; and the
organisation's perception questionnaires (one per audience, its statements in order).

A file is read (`parse_kit`) and checked whole (`check_kit`), every fault named in French,
before anything is written; nothing here writes.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import select

from tourplanner.errors import FieldError, InvalidInput
from tourplanner.extensions import db
from tourplanner.impact.questionnaires import check_kit_questionnaires
from tourplanner.sites.models import IndustrialZone
from tourplanner.tours.enums import TourKind
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
#: Site flags that travel, by their name in a kit (the published API's: a site's has_bus_parking is has_coach_parking).
SITE_FLAGS = {"has_coach_parking": "has_bus_parking", "is_accessible": "is_accessible"}
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


def clean_text(value: Any) -> str | None:
    """A stripped text, or None for a blank or a value that is not a text."""
    return value.strip() or None if isinstance(value, str) else None


def check_kit(data: dict[str, Any]) -> None:
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
        check_template(item, where, errors)
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


def check_template(item: dict[str, Any], where: str, errors: list[FieldError]) -> None:
    """Add to `errors` each fault of one tour template (an item of a file, or a stored template), under `where`."""
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
