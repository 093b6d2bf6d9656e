"""Fixtures for the organiser's booking rules: prescribers of named organisations, booking through the API."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tourplanner.accounts.enums import OrganisationKind, Role


@pytest.fixture
def prescriber_of(api_as) -> Callable[..., Any]:
    """prescriber_of("Mission locale de Lyon", OrganisationKind.MISSION_LOCALE) → an API client of a new prescriber
    there."""

    def make(organisation: str, kind: OrganisationKind = OrganisationKind.MISSION_LOCALE) -> Any:
        return api_as(Role.PRESCRIBER, organisation=organisation, kind=kind)

    return make


@pytest.fixture
def book() -> Callable[..., Any]:
    """book(api, tour_id, seats, **body) → the response of POST /tours/{id}/bookings."""

    def make(api: Any, tour_id: int, seats: int = 1, **body: Any) -> Any:
        return api.post(f"/tours/{tour_id}/bookings", json={"seats": seats, **body})

    return make


@pytest.fixture
def booked(book) -> Callable[..., dict[str, Any]]:
    """booked(api, tour_id, seats, **body) → the booking's JSON; fails unless the answer is 201."""

    def make(api: Any, tour_id: int, seats: int = 1, **body: Any) -> dict[str, Any]:
        response = book(api, tour_id, seats, **body)
        assert response.status_code == 201, response.get_json()
        return response.get_json()

    return make
