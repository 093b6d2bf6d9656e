"""Two territories side by side: Lyon's and Saint-Étienne's organisers, each with a booked tour."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import pytest
import time_machine

from tests.conftest import PARIS, future
from tourplanner.accounts.enums import OrganisationKind, Role
from tourplanner.accounts.models import User
from tourplanner.bookings import operations as bookings
from tourplanner.bookings.models import Booking
from tourplanner.extensions import db
from tourplanner.tours.models import Tour

#: The day the tests run on (frozen): the tours are a month later.
TODAY = datetime(2027, 2, 1, 9, 0, tzinfo=PARIS)


@dataclass
class Territories:
    """Lyon's organiser and tour (booked, with participants' addresses), Saint-Étienne's organiser and tour."""

    lyon: User
    saint_etienne: User
    prescriber: User
    lyon_tour: Tour
    lyon_draft: Tour
    saint_etienne_tour: Tour
    lyon_booking: Booking
    saint_etienne_booking: Booking


@pytest.fixture(autouse=True)
def frozen_clock():
    """Every test of territories runs on TODAY (ticking)."""
    with time_machine.travel(TODAY, tick=True):
        yield


@pytest.fixture
def territories(make_user, make_tour) -> Territories:
    """Two organisations of organisers, each with a published, booked tour; Lyon also has a draft."""
    lyon = make_user(Role.ORGANISER, name="Claire Dumont", organisation="Association des industriels de l'Est lyonnais")
    saint_etienne = make_user(
        Role.ORGANISER, name="Julien Ferrand", organisation="Saint-Étienne Métropole – service emploi"
    )
    prescriber = make_user(
        Role.PRESCRIBER,
        name="Nadia Benali",
        organisation="France Travail Vénissieux",
        kind=OrganisationKind.FRANCE_TRAVAIL,
    )
    lyon_tour = make_tour(published=True, organiser=lyon, title="ZI Tour Meyzieu", bus_seats=[10])
    lyon_draft = make_tour(
        organiser=lyon, title="ZI Tour Corbas (brouillon)", start=future(40, 8, 30), end=future(40, 17, 0)
    )
    saint_etienne_tour = make_tour(published=True, organiser=saint_etienne, title="ZI Tour Vallée du Gier")
    lyon_booking = bookings.book_seats(
        lyon_tour,
        prescriber,
        bookings.BookingRequest(
            2,
            [
                bookings.ParticipantDetails("Inès Garnier", "ines.garnier@example.fr", False),
                bookings.ParticipantDetails("Hugo Lambert", "hugo.lambert@example.fr", False),
            ],
        ),
    ).booking
    saint_etienne_booking = bookings.book_seats(saint_etienne_tour, prescriber, bookings.BookingRequest(3, [])).booking
    db.session.commit()
    return Territories(
        lyon, saint_etienne, prescriber, lyon_tour, lyon_draft, saint_etienne_tour, lyon_booking, saint_etienne_booking
    )
