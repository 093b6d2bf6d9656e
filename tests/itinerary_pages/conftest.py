"""Fixtures for the itinerary pages: a realistic tour around Meyzieu, signing in, a live server."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from tests.conftest import future
from tourplanner.accounts.enums import OrganisationKind, Role
from tourplanner.accounts.models import Organisation, User
from tourplanner.extensions import db
from tourplanner.sites.models import Slot
from tourplanner.tours.models import Tour

#: Company sites in the industrial zones of Meyzieu, Décines and Jonage:
#: (company, site, address, lat, lon, protective equipment, access notes, bus parking, accessible).
SITES = [
    (
        "Plastiques du Rhône",
        "Atelier d'injection",
        "12 rue de l'Industrie, 69330 Meyzieu",
        45.7745,
        5.0035,
        "Chaussures de sécurité, lunettes",
        "Accueil au portail B, badge visiteur à l'accueil",
        True,
        True,
    ),
    (
        "Métallerie Dauphinoise",
        "Usine de Décines",
        "4 avenue Jean Jaurès, 69150 Décines-Charpieu",
        45.7690,
        4.9790,
        "Chaussures de sécurité, bouchons d'oreilles",
        "Sonner à l'interphone « Visites »",
        False,
        False,
    ),
    (
        "Logistique Est Lyonnais",
        "Entrepôt de Jonage",
        "ZI du Carreau, 69330 Jonage",
        45.7820,
        5.0190,
        None,
        "Gilet jaune fourni à l'entrée",
        True,
        True,
    ),
    (
        "Cartonnages Rhodaniens",
        "Site de Meyzieu Sud",
        "27 rue Antoine Becquerel, 69330 Meyzieu",
        45.7550,
        4.9650,
        "Charlotte et blouse fournies",
        None,
        True,
        False,
    ),
    (
        "Électronique Saint-Priest",
        "Ligne d'assemblage",
        "3 allée des Sources, 69330 Meyzieu",
        45.7600,
        5.0400,
        "Blouse antistatique fournie",
        "Parking visiteurs à droite du bâtiment A",
        True,
        True,
    ),
    (
        "Mécanique de précision Lyon Est",
        "Atelier d'usinage",
        "8 rue du Rhône, 69330 Pusignan",
        45.7520,
        5.0560,
        "Chaussures de sécurité, lunettes",
        "Entrée par la rue du Rhône uniquement",
        False,
        True,
    ),
]


@dataclass
class PlannedTour:
    """A tour with two buses and lunch, and the slots companies offer for its day."""

    tour: Tour
    organiser: User
    slots: list[Slot]


@pytest.fixture
def planned_tour(make_user, make_tour, make_site, make_slot) -> PlannedTour:
    """Two buses of 20 seats, lunch 12:00–13:30 for an hour, six sites with morning or afternoon slots."""
    organiser = make_user(Role.ORGANISER, name="Nadia Benali")
    tour = make_tour(
        organiser=organiser,
        title="ZI Tour Meyzieu – Jonage",
        meeting_point_name="Gare de Meyzieu ZI (tram T3)",
        meeting_lat=45.7795,
        meeting_lon=5.0010,
        bus_seats=[20, 20],
        lunch=_lunch(),
    )
    slots = []
    for index, (company, name, address, lat, lon, ppe, notes, parking, accessible) in enumerate(SITES):
        organisation = Organisation(name=company, kind=OrganisationKind.COMPANY)
        db.session.add(organisation)
        site = make_site(
            organisation=organisation,
            name=name,
            address=address,
            lat=lat,
            lon=lon,
            protective_equipment=ppe,
            access_notes=notes,
            has_bus_parking=parking,
            is_accessible=accessible,
            sector="Industrie",
        )
        morning = index % 2 == 0
        slots.append(
            make_slot(
                site=site,
                start_at=future(30, 9 if morning else 14),
                end_at=future(30, 12, 0) if morning else future(30, 16, 30),
                visit_minutes=60 if index != 5 else 90,
                max_visitors=25,
            )
        )
    return PlannedTour(tour, organiser, slots)


def _lunch():
    from tourplanner.tours.details import Lunch

    return Lunch(future(30, 12, 0), future(30, 13, 30), 60)
