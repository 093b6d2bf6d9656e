"""Fixtures for the slot catalogue: zones of two territories, sites of several trades, signing in."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from tests.conftest import future
from tourplanner.accounts.enums import OrganisationKind, Role
from tourplanner.accounts.models import Organisation, User
from tourplanner.extensions import db
from tourplanner.sites.models import IndustrialZone, Site, Slot


@dataclass
class Offer:
    """Three companies' slots in two territories, and the organiser who reviews them."""

    organiser: User
    plastics: Slot
    metal: Slot
    gier: Slot
    sites: list[Site]


@pytest.fixture
def offer(make_user, make_site, make_slot) -> Offer:
    """Plastics (Lyon Est, accessible) and metalwork (Lyon Est) on day 30, a forge (Vallée du Gier) on day 40."""
    organiser = make_user(Role.ORGANISER, name="Nadia Benali")
    meyzieu = IndustrialZone(name="ZI Meyzieu", city="Meyzieu", territory="Lyon Est", lat=45.77, lon=5.00)
    gier = IndustrialZone(name="ZI du Gier", city="Rive-de-Gier", territory="Vallée du Gier", lat=45.52, lon=4.61)
    db.session.add_all([meyzieu, gier])
    companies = [
        Organisation(name=name, kind=OrganisationKind.COMPANY)
        for name in ("Plastiques du Rhône", "Métallerie Dauphinoise", "Forges du Gier")
    ]
    db.session.add_all(companies)
    plastics_site = make_site(
        organisation=companies[0],
        name="Atelier d'injection",
        zone=meyzieu,
        lat=45.7745,
        lon=5.0035,
        sector="Plasturgie",
        trades="Opérateur de production (H2903)\nRégleur",
        is_accessible=True,
    )
    metal_site = make_site(
        organisation=companies[1],
        name="Usine de Décines",
        zone=meyzieu,
        lat=45.7690,
        lon=4.9790,
        sector="Métallurgie",
        trades="Soudeur\nChaudronnier",
        is_accessible=False,
        has_bus_parking=False,
    )
    forge_site = make_site(
        organisation=companies[2],
        name="Forge de Lorette",
        zone=gier,
        lat=45.5100,
        lon=4.5900,
        sector="Métallurgie",
        trades="Forgeron",
    )
    return Offer(
        organiser=organiser,
        plastics=make_slot(
            site=plastics_site, start_at=future(30, 9), end_at=future(30, 12), visit_minutes=90, max_visitors=15
        ),
        metal=make_slot(
            site=metal_site, start_at=future(30, 14), end_at=future(30, 16, 30), visit_minutes=60, max_visitors=25
        ),
        gier=make_slot(
            site=forge_site, start_at=future(40, 9), end_at=future(40, 11), visit_minutes=60, max_visitors=20
        ),
        sites=[plastics_site, metal_site, forge_site],
    )
