"""Fixtures for workshops: a clock frozen in March 2027 and a published workshop event with two slots."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
import time_machine

from tests.workshops.helpers import paris
from tourplanner.accounts.enums import Role
from tourplanner.extensions import db
from tourplanner.tours import operations as tour_ops
from tourplanner.tours.details import TourDetails
from tourplanner.tours.enums import TourKind
from tourplanner.tours.models import Tour
from tourplanner.workshops import operations
from tourplanner.workshops.models import Workshop


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
def event(organiser) -> Tour:
    """A published workshop event on Tuesday 16 March 2027, 9:00–17:00, registrations until the 12th."""
    details = TourDetails(
        title="Atelier de co-création — métiers de l'industrie",
        start=paris(16, 9),
        end=paris(16, 17),
        meeting_point_name="Maison de l'emploi, Vénissieux",
        meeting_lat=45.697,
        meeting_lon=4.886,
        bus_seats=[60],
        booking_deadline=paris(12, 18),
        kind=TourKind.WORKSHOP,
    )
    tour = tour_ops.create_tour(details, organiser.user)
    tour_ops.publish_tour(tour, organiser.user)
    db.session.commit()
    return tour


@pytest.fixture
def make_workshop(event, organiser) -> Callable[..., Workshop]:
    """Add a workshop to the event: make_workshop(theme=..., capacity=3, start=..., end=...)."""

    def make(**overrides: Any) -> Workshop:
        values: dict[str, Any] = {
            "theme": "Recruter sans CV",
            "capacity": 3,
            "start": paris(16, 9, 30),
            "end": paris(16, 11),
        }
        values.update(overrides)
        workshop = operations.create_workshop(event, operations.WorkshopDetails(**values), organiser.user)
        db.session.commit()
        return workshop

    return make
