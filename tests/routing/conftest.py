"""Fixtures for the routing engine: factories for small problems and named instances."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tourplanner.routing import Break, ProblemBuilder, SolveParams, solve

DATA = Path(__file__).resolve().parents[1] / "data"


@pytest.fixture(scope="session")
def data_dir() -> Path:
    """The folder of small named instances."""
    return DATA


@pytest.fixture
def make_problem():
    """Factory: a problem on ``n_places`` places, every drive ``drive_s`` long unless given.

    Place 0 is the meeting point. ``visits`` are dicts of ProblemBuilder.add_visit
    arguments (id, place, windows, duration_s, max_group, ...), ``buses`` of add_bus
    arguments (defaults: 50 seats, from and to place 0, 0 to 10 h).
    """

    def make(*, visits=(), buses=({},), pickups=(), n_places=5, drive_s=600, durations=None):
        builder = ProblemBuilder(clock_origin_s=8 * 3600)
        for i in range(n_places):
            builder.add_place(45.70 + 0.01 * i, 4.90)
        for i, bus in enumerate(buses):
            arguments = {"id": i, "seats": 50, "start": 0, "end": 0, "start_s": 0, "end_s": 36_000}
            builder.add_bus(**{**arguments, **bus})
        for visit in visits:
            builder.add_visit(**{"max_group": 50, "duration_s": 1800, **visit})
        for pickup in pickups:
            builder.add_pickup(**pickup)
        if durations is None:
            durations = [[0 if i == j else drive_s for j in range(n_places)] for i in range(n_places)]
        distances = [[10 * d for d in row] for row in durations]
        return builder.build(durations_s=durations, distances_m=distances)

    return make


@pytest.fixture
def quick():
    """Search parameters that keep tests fast and reproducible."""
    return SolveParams()


@pytest.fixture(scope="session")
def small_tour():
    """tests/data/tour_small.json as a Problem: 6 visits, 2 buses, lunch, one pick-up."""
    spec = json.loads((DATA / "tour_small.json").read_text())
    builder = ProblemBuilder(clock_origin_s=spec["clock_origin_s"])
    for place in spec["places"]:
        builder.add_place(place["lat"], place["lon"], place["name"])
    for bus in spec["buses"]:
        lunch = bus.pop("lunch", None)
        builder.add_bus(**bus, lunch=Break(**lunch) if lunch else None)
    for visit in spec["visits"]:
        builder.add_visit(**visit)
    for pickup in spec.get("pickups", []):
        builder.add_pickup(**pickup)
    return builder.build()


@pytest.fixture(scope="session")
def small_tour_result(small_tour):
    """The small tour solved once for the whole session."""
    return solve(small_tour)
