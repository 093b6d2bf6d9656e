"""Fixtures for the ambassadors' pages: a tour with two buses, ambassadors, signing in."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from tests.conftest import future
from tourplanner.accounts.enums import Role
from tourplanner.accounts.models import User
from tourplanner.extensions import db
from tourplanner.tours.assignments import assign_ambassador
from tourplanner.tours.models import Tour
from tourplanner.tours.operations import cancel_tour


@dataclass
class Crew:
    """A published two-bus tour, its ambassadors, and other tours of one of them."""

    organiser: User
    tour: Tour
    amina: User
    bruno: User
    chloe: User
    other: Tour
    draft: Tour
    past: Tour
    cancelled: Tour


@pytest.fixture
def crew(make_user, make_tour) -> Crew:
    """Amina and Bruno on bus 1 and Chloé on bus 2 of « ZI Tour Vallée du Gier »; Amina's other tours."""
    organiser = make_user(Role.ORGANISER, name="Nadia Benali")
    amina = make_user(Role.AMBASSADOR, name="Amina Haddad", email="amina@example.fr")
    bruno = make_user(Role.AMBASSADOR, name="Bruno Lefort", email="bruno@example.fr")
    chloe = make_user(Role.AMBASSADOR, name="Chloé Martin", email="chloe@example.fr")
    tour = make_tour(
        published=True,
        organiser=organiser,
        title="ZI Tour Vallée du Gier",
        bus_seats=[20, 30],
        meeting_point_name="Gare de Rive-de-Gier",
        start=future(30, 8, 30),
        end=future(30, 17),
    )
    other = make_tour(
        published=True,
        organiser=organiser,
        title="ZI Tour Meyzieu",
        start=future(35, 9),
        end=future(35, 16),
        booking_deadline=future(33, 18),
    )
    draft = make_tour(organiser=organiser, title="Brouillon secret", start=future(32, 9), end=future(32, 16))
    past = make_tour(
        published=True,
        organiser=organiser,
        title="ZI Tour de l'automne",
        start=future(20, 9),
        end=future(20, 16),
        booking_deadline=future(18, 18),
    )
    cancelled = make_tour(
        published=True,
        organiser=organiser,
        title="Tour annulé",
        start=future(33, 9),
        end=future(33, 16),
        booking_deadline=future(31, 18),
    )
    for who, on, bus in [
        (amina, tour, 0),
        (bruno, tour, 0),
        (chloe, tour, 1),
        (chloe, other, 0),
        (amina, draft, 0),
        (amina, past, 0),
        (amina, cancelled, 0),
    ]:
        assign_ambassador(on, who.email, bus, organiser)
    cancel_tour(cancelled, organiser, None)
    past.start_at, past.end_at, past.booking_deadline_at = future(-10, 9), future(-10, 16), future(-12, 18)
    db.session.commit()
    return Crew(organiser, tour, amina, bruno, chloe, other, draft, past, cancelled)
