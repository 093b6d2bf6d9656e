"""OR-Tools search behind :func:`tourplanner.routing.solomon.solve_solomon`.

Kept apart from the reader so the reader and the checker load without OR-Tools. Imports
``solomon_instance`` only, never ``solomon`` (which imports this module).

OR-Tools works on integers, so travel times are scaled by ``SCALE`` and rounded *up*:
a model arrival time is then never earlier than the true one, hence every solution the
model accepts is feasible in doubles too (``solomon.repair`` checks again anyway).
"""

from __future__ import annotations

import dataclasses
import math
import multiprocessing
import os
import random
import time
from multiprocessing import connection

from ortools.constraint_solver import pywrapcp, routing_enums_pb2, routing_heuristic_parameters_pb2, routing_ils_pb2
from ortools.util import optional_boolean_pb2

from tourplanner.routing.solomon_instance import SolomonInstance, check_solution, route_distance

#: Integer units per unit of Solomon distance/time inside the OR-Tools model.
SCALE = 10_000

FIRST = routing_enums_pb2.FirstSolutionStrategy
META = routing_enums_pb2.LocalSearchMetaheuristic
SORTING = routing_heuristic_parameters_pb2.LocalCheapestInsertionParameters
BOOL_TRUE, BOOL_FALSE = optional_boolean_pb2.BOOL_TRUE, optional_boolean_pb2.BOOL_FALSE


def build_model(instance: SolomonInstance, *, optional: bool = True, fixed_cost: float = 0.0):
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
    if fixed_cost:
        routing.SetFixedCostOfAllVehicles(round(fixed_cost * SCALE))
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
    sorting: tuple[str, ...] = (),
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
    if sorting:
        lci = ruin.recreate_strategy.parameters.local_cheapest_insertion
        lci.insertion_sorting_properties.extend(getattr(SORTING, f"SORTING_PROPERTY_{name}") for name in sorting)
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


#: CPU seconds a search trajectory may run without a new best before it is replaced by a
#: fresh one (OR-Tools' ILS has a fixed random seed: one trajectory reaches an end point
#: and stays there, whatever the time left; bench/README-routing.md).
STAGNATION_CPU_S = 1.5

#: A fresh trajectory is started only if at least this many seconds remain.
MIN_TRAJECTORY_S = 1.0


def trajectory(number: int) -> tuple[dict, int]:
    """The ``number``-th trajectory: (search options, customer-order seed).

    Trajectories alternate between the PORTFOLIO's configurations; from the third on, the
    customers are listed to OR-Tools in another order (a seeded shuffle), which sends the
    same search down another path: OR-Tools takes no seed.
    """
    return PORTFOLIO[number % len(PORTFOLIO)], number // len(PORTFOLIO)


def shuffled(instance: SolomonInstance, seed: int) -> SolomonInstance:
    """The same instance with its customers in another order (seed 0: the file's order)."""
    if not seed:
        return instance
    customers = list(instance.customers)
    random.Random(seed).shuffle(customers)
    return dataclasses.replace(instance, customers=tuple(customers))


def stagnated(cpu_now: float, cpu_at_best: float, seconds_left: float) -> bool:
    """Whether a trajectory should give way to a fresh one."""
    return cpu_now - cpu_at_best > STAGNATION_CPU_S and seconds_left > MIN_TRAJECTORY_S


def search(instance: SolomonInstance, deadline: float, **options) -> list[list[int]]:
    """Routes of customer numbers found before ``deadline`` (time.monotonic()).

    Without options: iterated local search in child processes — two when a second core is
    idle, one on a busy machine (measured better there) — each reporting its every new best;
    a trajectory that has spent STAGNATION_CPU_S of CPU without a new best is killed and
    replaced by the next one (``trajectory``). The shortest feasible answer wins.
    """
    if options:
        return _search_one(instance, deadline, **options)
    context = multiprocessing.get_context("fork")
    running: list[_Trajectory] = []
    bests: list[list[list[int]]] = []
    started = 0
    for _ in range(2 if has_idle_core() else 1):
        running.append(_Trajectory.start(context, instance, deadline, started))
        started += 1
    try:
        while running and time.monotonic() < deadline:
            connection.wait([t.receiver for t in running], timeout=min(0.1, max(0.0, deadline - time.monotonic())))
            for current in list(running):
                current.drain()
                left = deadline - time.monotonic()
                if current.finished or (current.routes and stagnated(current.cpu(), current.cpu_at_best, left)):
                    current.stop()
                    running.remove(current)
                    if current.routes:
                        bests.append(current.routes)
                    if left > MIN_TRAJECTORY_S:
                        running.append(_Trajectory.start(context, instance, deadline, started))
                        started += 1
    finally:
        for current in running:
            current.drain()
            current.stop()
            if current.routes:
                bests.append(current.routes)
    if not bests:  # nothing reported in time (a very busy machine): a first solution here
        return _search_one(instance, time.monotonic() + 0.3, **PORTFOLIO[0])
    return min(bests, key=lambda routes: _score(instance, routes))


class _Trajectory:
    """One search in a forked child, reporting (its CPU seconds, cost, routes) at each new best."""

    def __init__(self, process, receiver) -> None:
        self.process, self.receiver = process, receiver
        self.routes: list[list[int]] = []
        self.cost = math.inf
        self.cpu_at_best = 0.0
        self.finished = False
        self.started_at = time.monotonic()

    @classmethod
    def start(cls, context, instance, deadline, number) -> _Trajectory:
        receiver, sender = context.Pipe(duplex=False)
        options, seed = trajectory(number)
        process = context.Process(target=_report_bests, args=(instance, deadline, options, seed, sender), daemon=True)
        process.start()
        sender.close()
        return cls(process, receiver)

    def drain(self) -> None:
        """Read every report waiting in the pipe."""
        try:
            while self.receiver.poll():
                cpu, cost, routes = self.receiver.recv()
                if cost < self.cost:
                    self.cost, self.routes, self.cpu_at_best = cost, routes, cpu
        except (EOFError, OSError):  # the child ended (its own deadline) or died
            self.finished = True

    def cpu(self) -> float:
        """The child's CPU seconds so far (Linux); elsewhere its wall-clock age."""
        try:
            with open(f"/proc/{self.process.pid}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
            return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        except (OSError, ValueError, IndexError, AttributeError):
            return time.monotonic() - self.started_at

    def stop(self) -> None:
        if self.process.is_alive():
            self.process.kill()
        self.process.join()
        self.receiver.close()


def _report_bests(instance, deadline, options, seed, sender) -> None:
    """Child process: one trajectory, every new best sent as (CPU seconds, cost, routes)."""
    instance = shuffled(instance, seed)
    options = dict(options)
    manager, routing = build_model(instance, optional=options.pop("optional", True))
    numbers = [node.number for node in instance.nodes]
    best = [math.inf]

    def report() -> None:
        cost = routing.CostVar().Value()
        if cost < best[0]:
            best[0] = cost
            routes = [[numbers[i] for i in route] for route in _current_routes(manager, routing)]
            sender.send((time.process_time(), cost, routes))

    routing.AddAtSolutionCallback(report)
    params = parameters(deadline - time.monotonic() - 0.2, **options)
    routing.SolveWithIteratedLocalSearch(params)
    sender.close()


def _current_routes(manager, routing) -> list[list[int]]:
    """Routes of the solution being reported (inside an at-solution callback)."""
    routes = []
    for v in range(routing.vehicles()):
        route, index = [], routing.NextVar(routing.Start(v)).Value()
        while not routing.IsEnd(index):
            route.append(manager.IndexToNode(index))
            index = routing.NextVar(index).Value()
        if route:
            routes.append(route)
    return routes


def _score(instance: SolomonInstance, routes: list[list[int]]) -> tuple[int, float]:
    served = sum(len(r) for r in routes)
    feasible = not check_solution(instance, routes, _missing(instance, routes))
    return (-served if feasible else 1, route_distance(instance, routes))


def _missing(instance, routes):
    served = {n for r in routes for n in r}
    return [c.number for c in instance.customers if c.number not in served]


def _search_one(instance: SolomonInstance, deadline: float, **options) -> list[list[int]]:
    optional = options.pop("optional", True)
    fixed_cost = options.pop("fixed_cost", 0.0)
    manager, routing = build_model(instance, optional=optional, fixed_cost=fixed_cost)
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
