"""Fixtures for trades: a clock frozen in 2027 and two tours, one in metalworking, one in the food industry."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine

from tourplanner.accounts.enums import OrganisationKind, Role
from tourplanner.accounts.models import Organisation
from tourplanner.extensions import db
from tourplanner.sites import operations as site_ops
from tourplanner.tours.models import TourCandidate

PARIS = ZoneInfo("Europe/Paris")


def paris(day: int, hour: int, month: int = 3) -> datetime:
    """A Paris wall-clock time in 2027."""
    return datetime(2027, month, day, hour, tzinfo=PARIS)


@pytest.fixture(autouse=True)
def frozen_clock() -> Iterator[None]:
    """Every test here runs from Monday 1 February 2027, 10:00 in Paris."""
    with time_machine.travel(paris(1, 10, month=2), tick=True):
        yield


@pytest.fixture
def sectors(make_user, make_tour, make_slot) -> dict[str, Any]:
    """A metalworking tour (line operator H2906, maintenance I1304) and a food tour (line operator H2102)."""
    organiser = make_user(Role.ORGANISER)
    metal_org = Organisation(name="Forges de la Vallée", kind=OrganisationKind.COMPANY)
    food_org = Organisation(name="Biscuiterie du Pilat", kind=OrganisationKind.COMPANY)
    db.session.add_all([metal_org, food_org])
    db.session.flush()
    metal = site_ops.create_site(
        site_ops.SiteDetails(
            name="Forges — Lorette",
            address="3 rue des Forges, Lorette",
            lat=45.51,
            lon=4.58,
            organisation_id=metal_org.id,
            sector="métallurgie",
            trades=["H2906 Conducteur de ligne robotisée", "I1304 Technicien de maintenance"],
        ),
        organiser,
        None,
    )  # type: ignore[arg-type]
    food = site_ops.create_site(
        site_ops.SiteDetails(
            name="Biscuiterie — Pélussin",
            address="1 chemin du Moulin, Pélussin",
            lat=45.42,
            lon=4.68,
            organisation_id=food_org.id,
            sector="agroalimentaire",
            trades=["H2102 Conducteur de ligne de conditionnement"],
        ),
        organiser,
        None,
    )  # type: ignore[arg-type]
    tours = {}
    for key, site, day in (("metal", metal, 9), ("food", food, 16)):
        tour = make_tour(
            published=True,
            organiser=organiser,
            title=f"Tour {site.sector}",
            start=paris(day, 8),
            end=paris(day, 17),
            booking_deadline=paris(day - 4, 18),
        )
        slot = make_slot(site=site, start_at=paris(day, 9), end_at=paris(day, 12), visit_minutes=90)
        db.session.add(TourCandidate(tour_id=tour.id, slot_id=slot.id))
        tours[key] = tour
    draft = make_tour(
        organiser=organiser, title="Brouillon", start=paris(20, 8), end=paris(20, 17), booking_deadline=paris(15, 18)
    )
    slot = make_slot(site=food, start_at=paris(20, 9), end_at=paris(20, 12), visit_minutes=90)
    db.session.add(TourCandidate(tour_id=draft.id, slot_id=slot.id))
    db.session.commit()
    return {"organiser": organiser, "metal": metal, "food": food, "draft": draft, **tours}
