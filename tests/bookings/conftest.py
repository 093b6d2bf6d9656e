"""Fixtures for bookings: a published tour and a way to book on it through the API."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tourplanner.accounts.enums import Role


@pytest.fixture
def prescriber(api_as):
    """An API client acting as a new prescriber."""
    return api_as(Role.PRESCRIBER, organisation="Mission locale de Lyon")


@pytest.fixture
def organiser(api_as):
    """An API client acting as a new organiser."""
    return api_as(Role.ORGANISER)


@pytest.fixture
def book() -> Callable[..., Any]:
    """book(api, tour_id, seats, **body) → the response of POST /tours/{id}/bookings."""

    def make(api: Any, tour_id: int, seats: int = 1, headers: dict[str, str] | None = None, **body: Any):
        return api.post(f"/tours/{tour_id}/bookings", json={"seats": seats, **body}, headers=headers)

    return make


@pytest.fixture
def booked(book) -> Callable[..., dict[str, Any]]:
    """booked(api, tour_id, seats) → the booking's JSON; fails unless the answer is 201."""

    def make(api: Any, tour_id: int, seats: int = 1, **body: Any) -> dict[str, Any]:
        response = book(api, tour_id, seats, **body)
        assert response.status_code == 201, response.get_json()
        return response.get_json()

    return make
