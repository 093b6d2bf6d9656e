"""The objective after the visits made: the group's day from its fixed departure, then driving."""

from __future__ import annotations

from tourplanner.routing import solve


def test_the_bus_leaves_at_its_start_and_the_visit_begins_when_its_window_opens(make_problem, quick):
    """Departure is the bus's start (never later), the visit begins at its window's opening."""
    problem = make_problem(
        buses=[{"start_s": 1800}],
        visits=[{"id": 1, "place": 1, "windows": [(3600, 20_000)]}],
    )
    route = solve(problem, quick).routes[0]
    assert route.departure_s == 1800
    [stop] = route.stops
    assert stop.arrival_s == 2400 and stop.start_s == 3600
    assert route.return_s == 3600 + 1800 + 600


def test_a_shorter_day_wins_over_less_driving(make_problem, quick):
    """Of two orders, the one bringing the group back sooner is chosen even though it drives more."""
    durations = [
        [0, 1800, 600],
        [1800, 0, 2000],
        [600, 1500, 0],
    ]
    problem = make_problem(
        n_places=3,
        durations=durations,
        visits=[
            {"id": 1, "place": 1, "windows": [(0, 30_000)]},  # X: open all day
            {"id": 2, "place": 2, "windows": [(3600, 30_000)]},
        ],  # Y: opens after an hour
    )
    route = solve(problem, quick).routes[0]
    # X then Y drives 4400 s and is back at 8000; Y then X drives 3900 s but waits and is back at 10500.
    assert route.visit_ids == [1, 2]
    assert route.return_s == 8000
