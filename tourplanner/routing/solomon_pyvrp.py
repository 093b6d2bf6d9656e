"""PyVRP search behind :func:`tourplanner.routing.solomon.solve_solomon` (the default engine).

PyVRP (MIT licence, compiled wheels, kept and tested upstream) is the state-of-the-art
open solver for VRPTW: on Solomon's 100-customer set it gets within a few tenths of a
percent of the best-known distances in 10 s, where OR-Tools' iterated local search stays
near 0.75 % on an idle machine (bench/README-routing.md). The app's real tours stay on
OR-Tools (dimensions, breaks, disjunctions); this module serves `tourplanner solve
--format solomon` only, and is imported only there. With a core idle, two seeds run side
by side (``_solomon_search.best_of_two``, shared with the OR-Tools engine).

PyVRP works on integers. Distances are scaled by ``SCALE`` and rounded to the nearest unit
(the objective); travel *durations* and window openings are rounded *up*, window closings
and the depot's due time *down*: a model arrival is then never earlier than the true one
and a model deadline never later, so whatever PyVRP calls feasible is feasible in doubles
(``solomon.repair`` and the checker check every answer again anyway).
"""

from __future__ import annotations

import math
import time
import warnings

import numpy as np
from pyvrp import Client, Depot, IteratedLocalSearchParams, Location, ProblemData, SolveParams, VehicleType
from pyvrp import solve as pyvrp_solve
from pyvrp.exceptions import PenaltyBoundWarning
from pyvrp.stop import MaxRuntime

from tourplanner.routing._solomon_search import best_of_two, has_idle_core
from tourplanner.routing.solomon_instance import SolomonInstance

#: Integer units per unit of Solomon distance/time inside the PyVRP model.
SCALE = 10_000

#: PyVRP's search, with a shorter late-acceptance history than its default (300): a 10 s run
#: on a shared machine makes only 2,000-3,000 iterations, and compared to the solution of 300
#: iterations before, the search hardly settles. Measured (bench/README-routing.md): full
#: benchmark passes at load 6.5-10 gave a mean gap of 0.33 % (six passes) against 0.61 % for
#: the default (four passes); single runs per instance at that load are within noise.
PARAMS = SolveParams(ils=IteratedLocalSearchParams(history_length=100))

#: Seconds kept between PyVRP's stop and the caller's deadline (building the answer).
STOP_MARGIN_S = 0.1


def problem_data(instance: SolomonInstance) -> ProblemData:
    """The PyVRP problem: one depot, the customers, the instance's fleet of one capacity."""
    nodes = instance.nodes
    xs = np.array([node.x for node in nodes], dtype=float)
    ys = np.array([node.y for node in nodes], dtype=float)
    exact = np.hypot(xs[:, None] - xs[None, :], ys[:, None] - ys[None, :])
    distances = np.rint(exact * SCALE).astype(np.int64)
    durations = np.ceil(exact * SCALE).astype(np.int64)  # never earlier than the true arrival
    depot = instance.depot
    opens, closes = math.ceil(depot.ready * SCALE), math.floor(depot.due * SCALE)
    clients = [
        Client(
            location=i,
            delivery=[c.demand],
            service_duration=math.ceil(c.service * SCALE),
            tw_early=math.ceil(c.ready * SCALE),
            tw_late=math.floor(c.due * SCALE),
        )
        for i, c in enumerate(instance.customers, start=1)
    ]
    fleet = VehicleType(num_available=instance.vehicles, capacity=[instance.capacity], tw_early=opens, tw_late=closes)
    return ProblemData(
        locations=[Location(x=node.x, y=node.y) for node in nodes],
        clients=clients,
        depots=[Depot(location=0, tw_early=opens, tw_late=closes)],
        vehicle_types=[fleet],
        distance_matrices=[distances],
        duration_matrices=[durations],
    )


def search(instance: SolomonInstance, deadline: float, *, seed: int | None = None) -> list[list[int]]:
    """Routes of customer numbers found before ``deadline`` (``time.monotonic()``).

    Without a seed: when a second core sits idle, two searches of different seeds run side
    by side (one in a forked child) and the better answer wins; on a busy machine, one.
    """
    if seed is not None:
        return _search_one(instance, deadline, seed=seed)
    if not has_idle_core():
        return _search_one(instance, deadline, seed=0)
    return best_of_two(instance, deadline, _search_one, {"seed": 1}, {"seed": 0})


def _search_one(instance: SolomonInstance, deadline: float, *, seed: int) -> list[list[int]]:
    """One PyVRP search with this seed.

    An answer PyVRP itself finds infeasible (none feasible found in the time) is returned
    as it is: ``solomon.repair`` then drops the customers that break a rule. PyVRP's warning
    that its penalties hit their bound (no feasible solution in sight) says the same thing,
    so it is not passed on.
    """
    data = problem_data(instance)
    seconds = max(deadline - time.monotonic() - STOP_MARGIN_S, 0.01)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PenaltyBoundWarning)
        result = pyvrp_solve(
            data, stop=MaxRuntime(seconds), seed=seed, collect_stats=False, display=False, params=PARAMS
        )
    customers = instance.customers  # a scheduled client's ``idx`` counts clients only, from 0
    routes = [[customers[step.idx].number for step in route if step.is_client()] for route in result.best.routes()]
    return [route for route in routes if route]
