"""The bus speed of the default travel times: ROUTING_BUS_SPEED_KMH, or its deprecated former name."""

from __future__ import annotations

import logging

import pytest

from tourplanner import create_app
from tourplanner.tours.itinerary import travel_provider


@pytest.fixture(autouse=True)
def _no_speed_set(monkeypatch) -> None:
    """Neither name nor an OSRM server comes from the machine's environment."""
    for name in ("ROUTING_BUS_SPEED_KMH", "ROUTING_COACH_SPEED_KMH", "OSRM_URL"):
        monkeypatch.delenv(f"TOURPLANNER_{name}", raising=False)


def _speed(database_url: str, **settings) -> float:
    """The speed, in km/h, of the travel times a tour is planned with."""
    app = create_app({"DATABASE_URL": database_url, "SECRET_KEY": "x", **settings})
    assert "ROUTING_COACH_SPEED_KMH" not in app.config
    with app.app_context():
        return travel_provider().speed_kmh


def test_default_bus_speed(database_url: str) -> None:
    """Without either name, buses drive at 45 km/h."""
    assert _speed(database_url) == 45


def test_bus_speed_from_its_name(monkeypatch, database_url: str) -> None:
    """TOURPLANNER_ROUTING_BUS_SPEED_KMH sets the speed."""
    monkeypatch.setenv("TOURPLANNER_ROUTING_BUS_SPEED_KMH", "60")
    assert _speed(database_url) == 60


def test_bus_speed_from_its_former_name(monkeypatch, database_url: str, caplog) -> None:
    """TOURPLANNER_ROUTING_COACH_SPEED_KMH, the deprecated name, still sets it (with a warning in the log)."""
    monkeypatch.setenv("TOURPLANNER_ROUTING_COACH_SPEED_KMH", "30")
    with caplog.at_level(logging.WARNING, logger="tourplanner.config"):
        assert _speed(database_url) == 30
    assert "ROUTING_COACH_SPEED_KMH is a former name of ROUTING_BUS_SPEED_KMH" in caplog.text


def test_former_name_in_the_settings(database_url: str) -> None:
    """The former name works in the settings given to the factory as well."""
    assert _speed(database_url, ROUTING_COACH_SPEED_KMH=40) == 40


def test_the_current_name_wins_over_the_former(monkeypatch, database_url: str) -> None:
    """With both names set, the current name's value is used, from the environment or the settings."""
    monkeypatch.setenv("TOURPLANNER_ROUTING_COACH_SPEED_KMH", "30")
    monkeypatch.setenv("TOURPLANNER_ROUTING_BUS_SPEED_KMH", "60")
    assert _speed(database_url) == 60
    monkeypatch.delenv("TOURPLANNER_ROUTING_BUS_SPEED_KMH")
    assert _speed(database_url, ROUTING_BUS_SPEED_KMH=50) == 50
