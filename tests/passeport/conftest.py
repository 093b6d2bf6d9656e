"""Fixtures for the passeport: a clock frozen in 2027, a held tour visiting two companies, a booking on it."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import time_machine

from tests.passeport.helpers import paris
from tourplanner.accounts.enums import OrganisationKind, Role
from tourplanner.accounts.models import Organisation
from tourplanner.bookings import operations as booking_ops
from tourplanner.extensions import db
from tourplanner.sites import operations as site_ops
from tourplanner.tours.models import TourCandidate


@pytest.fixture(autouse=True)
def frozen_clock() -> Iterator[time_machine.Coordinates]:
    """Every test here starts on Monday 1 February 2027, 10:00 in Paris; tests move it on."""
    with time_machine.travel(paris(1, 10, month=2), tick=False) as traveller:
        yield traveller


@pytest.fixture
def pdf_text(tmp_path: Path) -> Callable[[bytes], str]:
    """pdf_text(pdf) → the text poppler's pdftotext reads in it (scripts/test installs poppler-utils)."""
    if shutil.which("pdftotext") is None:
        pytest.fail("pdftotext is missing: scripts/test installs poppler-utils")

    def read(pdf: bytes, layout: bool = True) -> str:
        path = tmp_path / "passeport.pdf"
        path.write_bytes(pdf)
        command = ["pdftotext", *(["-layout"] if layout else []), str(path), "-"]
        return subprocess.run(command, check=True, capture_output=True, text=True).stdout

    return read


@pytest.fixture
def pdf_info(tmp_path: Path) -> Callable[[bytes], str]:
    """pdf_info(pdf) → poppler's pdfinfo report (page size, tagging, title)."""

    def info(pdf: bytes) -> str:
        path = tmp_path / "info.pdf"
        path.write_bytes(pdf)
        return subprocess.run(["pdfinfo", str(path)], check=True, capture_output=True, text=True).stdout

    return info


@pytest.fixture
def scene(make_user, make_tour, make_slot) -> dict[str, Any]:
    """A ZI Tour on 9 March 2027 visiting a metalworks and a food plant, and a prescriber's booking for two people."""
    organiser = make_user(Role.ORGANISER, name="Claire Organisatrice", email="claire@zitours.example")
    prescriber = make_user(
        Role.PRESCRIBER,
        name="Paul Conseiller",
        email="paul@ft.example",
        organisation="France Travail Rive-de-Gier",
        kind=OrganisationKind.FRANCE_TRAVAIL,
    )
    tour = make_tour(
        published=True,
        organiser=organiser,
        title="ZI Tour Vallée du Gier",
        start=paris(9, 8, 30),
        end=paris(9, 17),
        booking_deadline=paris(5, 18),
        bus_seats=[20],
    )
    forges = Organisation(name="Forges de la Vallée", kind=OrganisationKind.COMPANY)
    biscuits = Organisation(name="Biscuiterie du Pilat", kind=OrganisationKind.COMPANY)
    db.session.add_all([forges, biscuits])
    db.session.flush()
    company_user = make_user(Role.COMPANY, organisation="Forges de la Vallée")
    metal = site_ops.create_site(
        site_ops.SiteDetails(
            name="Forges de la Vallée — Usine de Lorette",
            address="3 rue des Forges, 42420 Lorette",
            lat=45.51,
            lon=4.58,
            sector="métallurgie",
            trades=["H2903 Conduite de tour à commande numérique", "Soudage manuel"],
            pay_range="1 900 à 2 300 € brut par mois",
            in_house_training="Tutorat de six mois et CQPM",
            open_positions="2 régleurs, 1 soudeur",
            how_to_apply="CV à recrutement@forges.example",
            visitor_contacts="Sophie Martin, RH, 04 77 00 00 00",
        ),
        company_user,
        geocoder=None,  # type: ignore[arg-type]
    )
    food = site_ops.create_site(
        site_ops.SiteDetails(
            name="Biscuiterie du Pilat",
            address="1 chemin du Moulin, 42410 Pélussin",
            lat=45.42,
            lon=4.68,
            organisation_id=biscuits.id,
            sector="agroalimentaire",
            trades=["H2102 Conducteur de ligne de fabrication", "I1304 Technicien de maintenance"],
            pay_range="SMIC + primes d'équipe",
        ),
        organiser,
        geocoder=None,  # type: ignore[arg-type]
    )
    for site, hour in ((metal, 9), (food, 14)):
        slot = make_slot(site=site, start_at=paris(9, hour), end_at=paris(9, hour + 2), visit_minutes=90)
        db.session.add(TourCandidate(tour_id=tour.id, slot_id=slot.id))
    booking = booking_ops.book_seats(
        tour,
        prescriber,
        booking_ops.BookingRequest(
            2,
            [
                booking_ops.ParticipantDetails("Inès Roche", "ines@example.fr"),
                booking_ops.ParticipantDetails("Karim Benali"),
            ],
        ),
    ).booking
    db.session.commit()
    return {
        "organiser": organiser,
        "prescriber": prescriber,
        "tour": tour,
        "booking": booking,
        "metal": metal,
        "food": food,
        "company_user": company_user,
    }
