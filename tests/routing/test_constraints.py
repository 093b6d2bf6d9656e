"""One test per constraint of the tour model: each fails if its rule leaves the model."""

from __future__ import annotations

from tourplanner.routing import Break, solve
from tourplanner.routing.checks import LOWER_PRIORITY_REASON, NO_ROOM_REASON


def stops_of(result):
    return {stop.id: stop for route in result.routes for stop in route.stops}


def test_visit_begins_inside_its_time_window(make_problem, quick):
    """A visit starts inside its window even when the bus could arrive much earlier."""
    problem = make_problem(visits=[{"id": 1, "place": 1, "windows": [(5000, 5400)]}])
    stop = stops_of(solve(problem, quick))[1]
    assert 5000 <= stop.start_s <= 5400
    assert stop.arrival_s <= stop.start_s


def test_visit_chosen_among_several_windows(make_problem, quick):
    """With two windows the visit starts in one of them, never in the gap."""
    problem = make_problem(visits=[{"id": 1, "place": 1, "windows": [(100, 200), (9000, 9100)], "duration_s": 600}])
    stop = stops_of(solve(problem, quick))[1]
    assert 9000 <= stop.start_s <= 9100  # the bus cannot be there by 200 (600 s drive)


def test_visit_lasts_its_duration_before_the_next(make_problem, quick):
    """The next visit cannot begin before the previous one has lasted its duration and the drive."""
    problem = make_problem(
        visits=[
            {"id": 1, "place": 1, "windows": [(1000, 1000)], "duration_s": 3000},
            {"id": 2, "place": 2, "windows": [(1000, 20_000)], "duration_s": 600},
        ]
    )
    stops = stops_of(solve(problem, quick))
    assert stops[1].end_s - stops[1].start_s == 3000
    assert stops[2].start_s >= stops[1].end_s + 600


def test_bus_back_by_its_end_time(make_problem, quick):
    """Two visits that fit alone but not together before the bus's end time: one is left out."""
    problem = make_problem(
        # bus 1 works late but may not make these visits (reduced mobility)
        buses=[{"end_s": 5500}, {"end_s": 36_000, "carries_reduced_mobility": True}],
        visits=[
            {"id": 1, "place": 1, "windows": [(0, 9000)], "duration_s": 2000, "is_accessible": False},
            {"id": 2, "place": 2, "windows": [(0, 9000)], "duration_s": 2000, "is_accessible": False},
        ],
    )
    result = solve(problem, quick)
    route = result.route_of(0)
    assert len(route.stops) == 1 and route.return_s <= 5500
    assert [(u.id, u.reason) for u in result.unassigned] in ([(1, NO_ROOM_REASON)], [(2, NO_ROOM_REASON)])


def test_bus_max_duration(make_problem, quick):
    """A maximum duration shorter than the day keeps the route within it."""
    problem = make_problem(
        buses=[{"end_s": 100_000, "max_duration_s": 5500}],
        visits=[
            {"id": 1, "place": 1, "windows": [(0, 90_000)], "duration_s": 2000},
            {"id": 2, "place": 2, "windows": [(0, 90_000)], "duration_s": 2000},
        ],
    )
    result = solve(problem, quick)
    route = result.routes[0]
    assert len(route.stops) == 1
    assert route.return_s - route.departure_s <= 5500


def test_lunch_within_its_hours_and_not_during_a_visit(make_problem, quick):
    """The lunch starts within its hours, overlaps no visit, and pushes a visit past it."""
    problem = make_problem(
        buses=[{"lunch": Break(14_400, 16_200, 3600)}],
        visits=[
            {"id": 1, "place": 1, "windows": [(12_600, 12_600)], "duration_s": 1800},
            {"id": 2, "place": 2, "windows": [(14_400, 30_000)], "duration_s": 3600},
        ],
    )
    route = solve(problem, quick).routes[0]
    lunch = route.lunch
    assert lunch is not None and 14_400 <= lunch.start_s <= 16_200
    assert lunch.end_s - lunch.start_s == 3600
    for stop in route.stops:
        assert lunch.end_s <= stop.start_s or stop.end_s <= lunch.start_s
    # without the lunch, visit 2 would begin at 14 400 + drive
    assert stops_of_route(route)[2].start_s >= lunch.end_s


def stops_of_route(route):
    return {stop.id: stop for stop in route.stops}


def test_lunch_timeline_is_consistent(small_tour_result):
    """Arrival <= start, end = start + duration, departure >= end, lunch between stops."""
    for route in small_tour_result.routes:
        moments = [route.departure_s]
        for stop in route.stops:
            assert stop.arrival_s <= stop.start_s <= stop.end_s <= stop.departure_s
            moments += [stop.arrival_s, stop.departure_s]
        assert moments == sorted(moments) and route.return_s >= moments[-1]
        lunch = route.lunch
        assert all(lunch.end_s <= s.start_s or s.end_s <= lunch.start_s for s in route.stops)


def test_group_larger_than_max_group_goes_to_the_smaller_bus(make_problem, quick):
    """A visit accepting 20 people goes to the bus carrying 15, not the one carrying 30."""
    problem = make_problem(
        buses=[{"load": 30}, {"load": 15}],
        visits=[{"id": 1, "place": 1, "windows": [(0, 9000)], "max_group": 20}],
    )
    result = solve(problem, quick)
    assert result.route_of(1).visit_ids == [1] and result.route_of(0).visit_ids == []


def test_group_grown_by_a_pickup_exceeds_max_group(make_problem, quick):
    """Passengers picked up count in the group: a visit after the pick-up is refused."""
    problem = make_problem(
        buses=[{"load": 10}],
        pickups=[{"id": 7, "place": 3, "seats": 15, "window": (0, 1000)}],
        visits=[{"id": 1, "place": 1, "windows": [(8000, 9000)], "max_group": 20}],
    )
    result = solve(problem, quick)
    assert [u.id for u in result.unassigned] == [1]
    assert [s.kind for s in result.routes[0].stops] == ["pickup"]


def test_reduced_mobility_only_to_accessible_sites(make_problem, quick):
    """An inaccessible site goes to the bus without a person of reduced mobility, even if farther."""
    near, far = 100, 3000
    # bus 0 starts at place 0 next to site 1; bus 1 at place 2 next to site 3
    durations = [[0, near, far, far], [near, 0, far, far], [far, far, 0, near], [far, far, near, 0]]
    problem = make_problem(
        n_places=4,
        durations=durations,
        buses=[{"carries_reduced_mobility": True}, {"start": 2, "end": 2}],
        visits=[
            {"id": 1, "place": 1, "windows": [(5000, 5000)], "is_accessible": False},
            {"id": 2, "place": 3, "windows": [(5000, 5000)]},
        ],
    )
    result = solve(problem, quick)
    assert result.route_of(1).visit_ids == [1]
    assert result.route_of(0).visit_ids == [2]


def test_required_visit_kept_over_optional(make_problem, quick):
    """Of two visits at the same time in different places, the required one is kept."""
    problem = make_problem(
        visits=[
            {"id": 1, "place": 1, "windows": [(3000, 3000)], "priority": 5},
            {"id": 2, "place": 2, "windows": [(3000, 3000)], "required": True},
        ]
    )
    result = solve(problem, quick)
    assert result.routes[0].visit_ids == [2]
    assert [(u.id, u.required) for u in result.unassigned] == [(1, False)]
    assert result.unassigned[0].reason and result.is_feasible()


def test_required_visit_impossible_makes_result_infeasible(make_problem, quick):
    """Two required visits at the same time: one is reported dropped and the result is infeasible."""
    problem = make_problem(
        visits=[
            {"id": 1, "place": 1, "windows": [(3000, 3000)], "required": True},
            {"id": 2, "place": 2, "windows": [(3000, 3000)], "required": True},
        ]
    )
    result = solve(problem, quick)
    assert len(result.unassigned) == 1 and result.unassigned[0].required
    assert not result.is_feasible()


def test_higher_priority_preferred(make_problem, quick):
    """When only one of two visits fits, the higher priority wins, whichever it is."""
    for high in (1, 2):
        problem = make_problem(
            visits=[
                {"id": 1, "place": 1, "windows": [(3000, 3000)], "priority": 3 if high == 1 else 1},
                {"id": 2, "place": 2, "windows": [(3000, 3000)], "priority": 3 if high == 2 else 1},
            ]
        )
        result = solve(problem, quick)
        assert result.routes[0].visit_ids == [high]
        assert result.unassigned[0].reason == LOWER_PRIORITY_REASON


def test_more_visits_before_less_driving(make_problem, quick):
    """Two cheap visits beat one visit that saves driving."""
    durations = [[0, 100, 5000, 5000], [100, 0, 5000, 5000], [5000, 5000, 0, 100], [5000, 5000, 100, 0]]
    problem = make_problem(
        n_places=4,
        durations=durations,
        visits=[
            {"id": 1, "place": 1, "windows": [(0, 30_000)]},
            {"id": 2, "place": 2, "windows": [(0, 30_000)]},
            {"id": 3, "place": 3, "windows": [(0, 30_000)]},
        ],
    )
    assert sorted(solve(problem, quick).routes[0].visit_ids) == [1, 2, 3]


def test_pickup_seats_respect_bus_capacity(make_problem, quick):
    """Two pick-ups of 8 cannot both board a bus with 10 free seats: one per bus."""
    problem = make_problem(
        buses=[{"seats": 30, "load": 20}, {"seats": 30, "load": 20}],
        pickups=[{"id": 1, "place": 1, "seats": 8}, {"id": 2, "place": 1, "seats": 8}],
    )
    result = solve(problem, quick)
    assert result.is_feasible()
    for route in result.routes:
        assert len(route.stops) == 1 and route.stops[0].load == 28


def test_pickup_that_cannot_board_is_reported(make_problem, quick):
    """A pick-up larger than the free seats is reported in French and makes the result infeasible."""
    problem = make_problem(buses=[{"seats": 30, "load": 25}], pickups=[{"id": 1, "place": 1, "seats": 8}])
    result = solve(problem, quick)
    assert result.unassigned[0].kind == "pickup"
    assert result.unassigned[0].reason == "8 passagers à prendre, 5 places libres dans le car"
    assert not result.is_feasible()


def test_same_input_same_output(small_tour):
    """Solving the same problem twice gives the same itinerary."""
    first, second = solve(small_tour), solve(small_tour)
    assert first.routes == second.routes and first.unassigned == second.unassigned
    assert first.objective == second.objective


def test_small_tour_serves_required_and_reports_the_rest(small_tour, small_tour_result):
    """Every visit is either in a stop or unassigned with a reason; the required one is made."""
    result = small_tour_result
    made = {s.id for r in result.routes for s in r.stops if s.kind == "visit"}
    left = {u.id for u in result.unassigned_visits}
    assert made | left == {v.id for v in small_tour.visits} and not made & left
    assert 14 in made and result.is_feasible()
    assert all(u.reason for u in result.unassigned)
    assert "car 0" in result.summary()


def test_visit_locked_to_a_bus_stays_on_it(make_problem, quick):
    """A visit locked to bus 1 is made by bus 1, though bus 0 is as good a choice."""
    problem = make_problem(
        buses=[{}, {}],
        visits=[
            {"id": 1, "place": 1, "windows": [(0, 9000)], "bus": 1},
            {"id": 2, "place": 2, "windows": [(0, 9000)], "bus": 0},
            {"id": 3, "place": 3, "windows": [(0, 9000)], "bus": 1},
        ],
    )
    result = solve(problem, quick)
    assert sorted(result.route_of(1).visit_ids) == [1, 3]
    assert result.route_of(0).visit_ids == [2]
