"""The kit's verbs: import a kit file into this instance, and create a draft tour from a tour template.

Importing is idempotent (zones by name, sites by company and name, templates by name and
questionnaires by audience in the importer's organisation: a second import changes nothing) and all or nothing: the
whole file is checked first (`tourplanner.kit.layout.check_kit`), every fault named in French, and nothing is
written unless the file is sound. Operations flush and never commit.
"""

from __future__ import annotations

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
from tourplanner.impact.questionnaires import import_kit_questionnaires
from tourplanner.kit.layout import (
    SITE_FLAGS,
    SITE_TEXT_FIELDS,
    TEMPLATE_FIELDS,
    check_kit,
    check_template,
    clean_text,
    parse_kit,
)
from tourplanner.kit.models import TourTemplate
from tourplanner.kit.queries import template_owner
from tourplanner.sites.models import IndustrialZone, Site
from tourplanner.timeutil import aware_local, is_existing_local_time, to_local
from tourplanner.tours.details import Lunch, TourDetails
from tourplanner.tours.enums import TourKind
from tourplanner.tours.models import Tour
from tourplanner.tours.operations import create_tour
from tourplanner.trades.operations import set_tour_trades


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


def import_kit_file(raw: bytes, organiser: User) -> ImportReport:
    """Import a kit file's bytes for `organiser`: the actor is checked before the file is even read."""
    require_organiser(organiser)
    return import_kit(parse_kit(raw), organiser)


def import_kit(data: dict[str, Any], organiser: User) -> ImportReport:
    """Import a kit into this instance for `organiser`'s organisation: all of it, or nothing (InvalidInput)."""
    require_organiser(organiser)
    check_kit(data)
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
        values.update({name: clean_text(item.get(name)) for name in SITE_TEXT_FIELDS})
        values.update({name: bool(item[key]) for key, name in SITE_FLAGS.items() if key in item})
        if site is None:
            db.session.add(Site(organisation_id=company.id, name=item["name"].strip(), **values))
            counts["sites_created"] += 1
        elif _assign(site, values):
            counts["sites_updated"] += 1
    for item in data.get("tour_templates", []):
        name = item["name"].strip()
        details = _template_details(item)
        template = db.session.scalar(select(TourTemplate).where(template_owner(organiser), TourTemplate.name == name))
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
    check_template(item, "template", errors)
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
        meeting_address=clean_text(point.get("address")),
        bus_seats=[bus["seats"] for bus in item["buses"]],
        booking_deadline=_local(
            day - timedelta(days=item.get("booking_deadline_days_before") or 0), item["start"], "date"
        ),
        lunch=lunch,
        lunch_place=clean_text(item.get("lunch_place")),
        kind=TourKind(item["kind"]),
        description=clean_text(item.get("description")),
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
