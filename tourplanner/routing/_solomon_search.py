"""OR-Tools search behind :func:`tourplanner.routing.solomon.solve_solomon`.

Kept apart from the reader so the reader and the checker load without OR-Tools. Imports
``solomon_instance`` only, never ``solomon`` (which imports this module).

OR-Tools works on integers, so travel times are scaled by ``SCALE`` and rounded *up*:
a model arrival time is then never earlier than the true one, hence every solution the
model accepts is feasible in doubles too (``solomon.repair`` checks again anyway).
"""

from __future__ import annotations

import math
import multiprocessing
import os
import time

from ortools.constraint_solver import pywrapcp, routing_enums_pb2, routing_ils_pb2
from ortools.util import optional_boolean_pb2

from tourplanner.routing.solomon_instance import SolomonInstance, check_solution, route_distance

#: Integer units per unit of Solomon distance/time inside the OR-Tools model.
SCALE = 10_000

FIRST = routing_enums_pb2.FirstSolutionStrategy
META = routing_enums_pb2.LocalSearchMetaheuristic
BOOL_TRUE, BOOL_FALSE = optional_boolean_pb2.BOOL_TRUE, optional_boolean_pb2.BOOL_FALSE


def build_model(instance: SolomonInstance, *, optional: bool = True):
    """The OR-Tools model (manager, routing): exact distances scaled up, windows, capacity."""
    nodes = instance.nodes
    n = len(nodes)
    manager = pywrapcp.RoutingIndexManager(n, instance.vehicles, 0)
    routing = pywrapcp.RoutingModel(manager)
    # Rounded up: a model arrival is never earlier than the true one (module docstring).
    travel = [[math.ceil(instance.distance(a, b) * SCALE) for b in nodes] for a in nodes]
    with_service = [[travel[i][j] + round(nodes[i].service * SCALE) for j in range(n)] for i in range(n)]
    cost = routing.RegisterTransitMatrix(travel)
    routing.SetArcCostEvaluatorOfAllVehicles(cost)
    horizon = round(instance.depot.due * SCALE)
    routing.AddDimension(routing.RegisterTransitMatrix(with_service), horizon, horizon, False, "time")
    time_dim = routing.GetDimensionOrDie("time")
    for i, node in enumerate(nodes[1:], start=1):
        index = manager.NodeToIndex(i)
        time_dim.CumulVar(index).SetRange(round(node.ready * SCALE), round(node.due * SCALE))
    depot_ready = round(instance.depot.ready * SCALE)
    for v in range(instance.vehicles):
        time_dim.CumulVar(routing.Start(v)).SetRange(depot_ready, horizon)
        time_dim.CumulVar(routing.End(v)).SetRange(depot_ready, horizon)
    demands = routing.RegisterUnaryTransitVector([node.demand for node in nodes])
    routing.AddDimensionWithVehicleCapacity(demands, 0, [instance.capacity] * instance.vehicles, True, "load")
    if optional:
        # Dropping a customer costs more than any set of routes: only when nothing fits.
        penalty = 4 * sum(max(row) for row in travel) + 1
        for i in range(1, n):
            routing.AddDisjunction([manager.NodeToIndex(i)], penalty)
    return manager, routing


def parameters(
    seconds: float,
    *,
    first: str = "PARALLEL_CHEAPEST_INSERTION",
    meta: str = "GUIDED_LOCAL_SEARCH",
    gls_lambda: float | None = None,
    neighbors_ratio: float | None = None,
    min_neighbors: int | None = None,
    ils: bool | dict = False,
    extra_operators: tuple[str, ...] = (),
    operators_off: tuple[str, ...] = (),
):
    """Routing search parameters for one run; the keyword options exist for experiments."""
    params = pywrapcp.DefaultRoutingSearchParameters()
    params.first_solution_strategy = getattr(FIRST, first)
    params.local_search_metaheuristic = getattr(META, meta)
    if gls_lambda is not None:
        params.guided_local_search_lambda_coefficient = gls_lambda
    if neighbors_ratio is not None:
        params.ls_operator_neighbors_ratio = neighbors_ratio
    if min_neighbors is not None:
        params.ls_operator_min_neighbors = min_neighbors
    if ils is not False:
        _iterated_local_search(params, **(ils if isinstance(ils, dict) else {}))
    for op in extra_operators:
        setattr(params.local_search_operators, op, BOOL_TRUE)
    for op in operators_off:
        setattr(params.local_search_operators, op, BOOL_FALSE)
    params.time_limit.FromMilliseconds(max(int(seconds * 1000), 100))
    return params


def _iterated_local_search(
    params,
    *,
    removed: int = 10,
    sequence: int = 10,
    bypass: float = 0.01,
    annealing: bool = True,
    recreate: str = "LOCAL_CHEAPEST_INSERTION",
    improve: bool = True,
    temperatures: tuple[float, float] | None = None,
):
    """Ruin (SISR string removals) and recreate, the perturbation of iterated local search."""
    params.use_iterated_local_search = True
    ils = params.iterated_local_search_parameters
    ils.improve_perturbed_solution = improve
    ruin = ils.ruin_recreate_parameters
    sisr = ruin.ruin_strategies.add().sisr
    sisr.max_removed_sequence_size = sequence
    sisr.avg_num_removed_visits = removed
    sisr.bypass_factor = bypass
    ruin.ruin_composition_strategy = routing_ils_pb2.RuinCompositionStrategy.RUN_ALL_SEQUENTIALLY
    ruin.recreate_strategy.heuristic = getattr(FIRST, recreate)
    if annealing and temperatures:
        annealing_params = ils.reference_solution_acceptance_strategy.simulated_annealing
        annealing_params.initial_temperature = temperatures[0] * SCALE
        annealing_params.final_temperature = temperatures[1] * SCALE
    elif annealing:
        ils.reference_solution_acceptance_strategy.simulated_annealing.automatic_temperatures = True
    else:
        ils.reference_solution_acceptance_strategy.greedy_descent.SetInParent()


def routes_of(manager, routing, assignment) -> list[list[int]]:
    """Customer numbers per non-empty route."""
    routes = []
    for v in range(routing.vehicles()):
        route = []
        index = assignment.Value(routing.NextVar(routing.Start(v)))
        while not routing.IsEnd(index):
            route.append(manager.IndexToNode(index))
            index = assignment.Value(routing.NextVar(index))
        if route:
            routes.append(route)
    return routes


#: Local-search operators left out of the ILS's descent: large-neighbourhood operators
#: that cost more time than they win once ruin-and-recreate does that job (measured).
SLOW_OPERATORS = (
    "use_global_cheapest_insertion_path_lns",
    "use_local_cheapest_insertion_path_lns",
    "use_relocate_path_global_cheapest_insertion_insert_unperformed",
    "use_global_cheapest_insertion_visit_types_lns",
    "use_local_cheapest_insertion_visit_types_lns",
)

#: The two search configurations run side by side (one per core) when a core is idle; the
#: best result wins. On a busy machine the first one runs alone.
#: Iterated local search with SISR ruin-and-recreate, chosen by measurement (bench/README-routing.md).
PORTFOLIO = (
    {"meta": "GREEDY_DESCENT", "ils": {"removed": 20, "sequence": 15}, "operators_off": SLOW_OPERATORS},
    {"meta": "GREEDY_DESCENT", "ils": {"removed": 30, "sequence": 20}, "operators_off": SLOW_OPERATORS},
)


def has_idle_core(load: float | None = None, cores: int | None = None) -> bool:
    """Whether a core is free for the portfolio's second process (one-minute load average)."""
    try:
        load = os.getloadavg()[0] if load is None else load
    except OSError:  # no load average on this system: stay on one core
        return False
    cores = (os.cpu_count() or 1) if cores is None else cores
    return cores - load >= 1.0


#: Seconds by which the portfolio's child finishes before the parent.
CHILD_HEAD_START_S = 0.5


def search(instance: SolomonInstance, deadline: float, **options) -> list[list[int]]:
    """Routes of customer numbers found before ``deadline`` (time.monotonic()).

    Without options: when a second core sits idle, runs the PORTFOLIO — its first
    configuration in a forked child process, its second here — and keeps the shorter
    feasible answer; on a busy machine, its first configuration alone (measured better
    there: two processes of one command then share one command's slice of the CPU).
    """
    if options:
        return _search_one(instance, deadline, **options)
    if not has_idle_core():
        return _search_one(instance, deadline, **PORTFOLIO[0])
    return best_of_two(instance, deadline, _search_one, PORTFOLIO[0], PORTFOLIO[1])


def best_of_two(instance: SolomonInstance, deadline: float, run, child_options: dict, own_options: dict):
    """``run(instance, deadline, **options)`` twice at once, ``child_options`` in a forked child
    process and ``own_options`` here; the better answer (every customer served and feasible in
    doubles first, then the shorter). Used by both engines when a core is idle."""
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    # The child stops earlier: a search may overrun its limit on a loaded machine, and an
    # answer that comes after the parent's deadline is not waited for.
    child_deadline = deadline - CHILD_HEAD_START_S
    child = context.Process(target=_child, args=(run, instance, child_deadline, child_options, sender), daemon=True)
    child.start()
    sender.close()
    candidates = [run(instance, deadline, **own_options)]
    # A child late by more than a quarter second (a loaded machine) is not waited for: the
    # command's bound (limit + 1 s) matters more than its answer.
    if receiver.poll(max(0.0, deadline - time.monotonic()) + 0.25):
        try:
            candidates.append(receiver.recv())
        except EOFError:  # the child died: keep our own answer
            pass
    child.join(timeout=0.2)
    if child.is_alive():
        child.kill()
        child.join()
    return min(candidates, key=lambda routes: _score(instance, routes))


def _child(run, instance, deadline, options, sender) -> None:
    sender.send(run(instance, deadline, **dict(options)))
    sender.close()


def _score(instance: SolomonInstance, routes: list[list[int]]) -> tuple[int, float]:
    served = sum(len(r) for r in routes)
    feasible = not check_solution(instance, routes, _missing(instance, routes))
    return (-served if feasible else 1, route_distance(instance, routes))


def _missing(instance, routes):
    served = {n for r in routes for n in r}
    return [c.number for c in instance.customers if c.number not in served]


def _search_one(instance: SolomonInstance, deadline: float, **options) -> list[list[int]]:
    optional = options.pop("optional", True)
    manager, routing = build_model(instance, optional=optional)
    seconds = deadline - time.monotonic() - 0.2
    params = parameters(seconds, **options)
    if params.use_iterated_local_search:
        assignment = routing.SolveWithIteratedLocalSearch(params)
    else:
        assignment = routing.SolveWithParameters(params)
    if assignment is None:
        return []
    numbers = [node.number for node in instance.nodes]
    return [[numbers[i] for i in route] for route in routes_of(manager, routing, assignment)]
