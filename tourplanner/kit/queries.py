"""The kit's reads: a territory's set-up exported as a JSON-ready dict, and an organiser's tour templates.

The export carries no personal data (see `tourplanner.kit.layout` for what travels).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select

from tourplanner.accounts.models import User
from tourplanner.accounts.permissions import require_organiser
from tourplanner.db import utcnow
from tourplanner.errors import NotFound
from tourplanner.extensions import db
from tourplanner.impact.questionnaires import kit_questionnaires
from tourplanner.kit.layout import FORMAT, SITE_FLAGS, SITE_TEXT_FIELDS, VERSION
from tourplanner.kit.models import TourTemplate
from tourplanner.sites.models import IndustrialZone, Site
from tourplanner.timeutil import to_local
from tourplanner.tours.models import Tour
from tourplanner.tours.queries import managed_by
from tourplanner.trades.models import TourTrade


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
    stored = db.session.scalars(select(TourTemplate).where(template_owner(organiser)).order_by(TourTemplate.name))
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
    body.update({name: getattr(site, name) for name in SITE_TEXT_FIELDS})
    body.update({key: getattr(site, name) for key, name in SITE_FLAGS.items()})
    return body


def template_owner(organiser: User) -> Any:
    """Condition on tour templates: those of `organiser`'s organisation."""
    if organiser.organisation_id is None:
        return TourTemplate.organisation_id.is_(None)
    return TourTemplate.organisation_id == organiser.organisation_id


def templates_of(organiser: User) -> list[TourTemplate]:
    """The tour templates of `organiser`'s organisation, by name."""
    require_organiser(organiser)
    return list(db.session.scalars(select(TourTemplate).where(template_owner(organiser)).order_by(TourTemplate.name)))


def get_template(organiser: User, template_id: int) -> TourTemplate:
    """A tour template of `organiser`'s organisation; NotFound for another's."""
    require_organiser(organiser)
    template = db.session.get(TourTemplate, template_id)
    if template is None or template.organisation_id != organiser.organisation_id:
        raise NotFound(f"aucun modèle de tour n°{template_id}")
    return template
