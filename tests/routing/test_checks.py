"""Pre-checks: each explains in French why no bus can make a visit, before solving."""

from __future__ import annotations

import pytest

from tourplanner.routing import Break, solve
from tourplanner.routing.checks import minutes, precheck

H = 3600


@pytest.mark.parametrize(
    ("visit", "bus", "reason"),
    [
        pytest.param(
            {"windows": [(3600, 3600 - 1800)], "duration_s": 5400},
            {},
            "la visite dure plus longtemps que la fenêtre : 1 h 30 pour un créneau de 1 h",
            id="longer-than-slot",
        ),
        pytest.param(
            {"windows": [(0, 300)]},
            {},
            "la fenêtre de visite se termine (8h05) avant l'arrivée possible du car (8h10)",
            id="window-closes-before-arrival",
        ),
        pytest.param(
            {"windows": [(0, 9000)], "max_group": 20},
            {"load": 32},
            "groupe de 32 > 20 visiteurs acceptés",
            id="group-too-large",
        ),
        pytest.param(
            {"windows": [(0, 9000)], "is_accessible": False},
            {"carries_reduced_mobility": True},
            "site non accessible aux personnes à mobilité réduite",
            id="not-accessible",
        ),
        pytest.param(
            {"windows": [(7000, 9000)], "duration_s": 1800},
            {"end_s": 9000},
            "le car ne serait pas rentré à l'heure : retour au plus tôt à 10h36, au plus tard à 10h30",
            id="back-too-late",
        ),
        pytest.param(
            {"windows": [(0, 9000)], "duration_s": 3600},
            {"max_duration_s": 4000},
            "l'aller, la visite et le retour (1 h 20) dépassent la durée maximale de la tournée (1 h 07)",
            id="max-duration",
        ),
        pytest.param(
            {"windows": [(3 * H, 3 * H)], "duration_s": 3 * H},
            {"lunch": Break(4 * H, 5 * H, H)},
            "la visite couvre toute la plage de la pause déjeuner (12h00–14h00)",
            id="covers-lunch",
        ),
    ],
)
def test_precheck_reason_in_french(make_problem, quick, visit, bus, reason):
    """A visit no bus can make alone is left out with a French reason a person understands."""
    problem = make_problem(buses=[bus], visits=[{"id": 9, "place": 1, **visit}])
    assert precheck(problem).visit_reasons == {9: reason}
    result = solve(problem, quick)
    assert [(u.id, u.reason) for u in result.unassigned] == [(9, reason)]
    assert result.routes[0].stops == ()


def test_reasons_of_several_buses_are_named(make_problem):
    """When buses fail for different reasons, each bus's reason is given."""
    problem = make_problem(
        buses=[{"load": 30}, {"carries_reduced_mobility": True}],
        visits=[{"id": 1, "place": 1, "windows": [(0, 9000)], "max_group": 25, "is_accessible": False}],
    )
    assert precheck(problem).visit_reasons[1] == (
        "car 0 : groupe de 30 > 25 visiteurs acceptés ; car 1 : site non accessible aux personnes à mobilité réduite"
    )


def test_visit_possible_for_one_bus_only_is_restricted_not_rejected(make_problem):
    """A visit only one bus can make is kept for that bus."""
    problem = make_problem(
        buses=[{"load": 30}, {"load": 10}],
        visits=[{"id": 1, "place": 1, "windows": [(0, 9000)], "max_group": 25}],
    )
    checked = precheck(problem)
    assert checked.visit_buses == {1: (1,)} and checked.visit_reasons == {}


def test_pickup_reserved_for_another_bus(make_problem):
    """A pick-up reserved to a bus is refused to the others."""
    problem = make_problem(buses=[{}, {}], pickups=[{"id": 3, "place": 2, "seats": 4, "bus": 1}])
    assert precheck(problem).pickup_buses == {3: (1,)}


@pytest.mark.parametrize(("seconds", "text"), [(2700, "45 min"), (3600, "1 h"), (5400, "1 h 30")])
def test_minutes_in_words(seconds, text):
    """Durations read as people write them."""
    assert minutes(seconds) == text
