"""Fixtures for Ambassadeurs des métiers: a clock frozen in March 2027, a published half-day session."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import time_machine

from tests.company_visits.helpers import paris
from tourplanner.accounts.enums import Role
from tourplanner.extensions import db
from tourplanner.tours import operations as tour_ops
from tourplanner.tours.details import TourDetails
from tourplanner.tours.enums import TourKind
from tourplanner.tours.models import Tour


@pytest.fixture(autouse=True)
def frozen_clock() -> Iterator[None]:
    """Every test here runs from Monday 1 March 2027, 10:00 in Paris (the clock ticks from there)."""
    with time_machine.travel(paris(1, 10), tick=True):
        yield


@pytest.fixture
def organiser(api_as):
    """An API client for an organiser."""
    return api_as(Role.ORGANISER)


@pytest.fixture
def referent(api_as):
    """An API client for a job seekers' referent (a prescriber)."""
    return api_as(Role.PRESCRIBER, organisation="Mission locale du Gier")


@pytest.fixture
def session(organiser) -> Tour:
    """« Coffreur en génie civil »: a published half-day session for 6 on Tuesday 9 March 2027, 8:30–12:30."""
    details = TourDetails(
        title="Ambassadeurs des métiers : coffreur en génie civil",
        start=paris(9, 8, 30),
        end=paris(9, 12, 30),
        meeting_point_name="Café de la Gare, Rive-de-Gier",
        meeting_lat=45.5281,
        meeting_lon=4.6186,
        bus_seats=[6],
        booking_deadline=paris(5, 18),
        kind=TourKind.COMPANY_VISIT,
    )
    tour = tour_ops.create_tour(details, organiser.user)
    tour_ops.publish_tour(tour, organiser.user)
    db.session.commit()
    return tour
