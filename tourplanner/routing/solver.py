"""solve(problem, params) -> Result: the bus tour as an OR-Tools routing model.

Model (one node per bus start, per bus end, per visit and per pick-up):
  - cost = ``SPAN_COST`` per second of each bus's day (from its departure, fixed at the
    bus's ``start_s``, until it is back: the group's waiting, driving and visiting) plus
    one per second of driving; an optional visit dropped costs ``priority * unit`` where
    ``unit`` exceeds any possible total of the rest, so the solver first serves as much
    priority as fits, then keeps the group's day shortest, then drives least. Required visits
    and pick-ups cost more to drop than all optional visits together: they are dropped only if
    impossible, and reported.
  - "time" dimension: transit = service at the origin + drive; slack = waiting; a visit's
    cumul is the time it begins, restricted to its windows; bus start/end cumuls within
    [start_s, end_s], the start fixed at start_s (the bus leaves when the group has
    boarded; it may wait at a site for its window); span upper bound = max duration; lunch = a break interval that may
    not overlap any service (OR-Tools vehicle breaks), covered by waiting time.
  - "load" dimension: passengers on board; starts at the bus's booked seats, pick-ups
    add theirs, capacity = seats; a visit's cumul (its group) is at most its max_group.
  - accessibility and what the pre-checks rule out: allowed vehicles per node.

Determinism: the default parameters bound the guided local search by a number of search
branches (BranchLimit), not by the clock, so the same problem gives the same result; their
time limit is only a safety net for big problems. (A solution limit alone is not enough:
on a tiny problem the search may never accept that many solutions and runs to the clock.)
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from itertools import pairwise

import numpy as np
from ortools.constraint_solver import pywrapcp, routing_enums_pb2

from tourplanner.routing.checks import LOWER_PRIORITY_REASON, NO_ROOM_REASON, precheck
from tourplanner.routing.problem import Problem
from tourplanner.routing.result import BreakPlacement, BusRoute, Result, Stop, Unassigned
from tourplanner.routing.stop import BranchLimit, StoppingCriterion, TimeLimit

REQUIRED_DROPPED_REASON = "visite obligatoire impossible à placer avec les autres contraintes"
PICKUP_DROPPED_REASON = "point de prise en charge impossible à desservir avec les autres contraintes"
NO_SOLUTION_REASON = "aucune solution trouvée dans le temps imparti"
#: Cost of a second of a bus's day (span), against 1 for a second of driving: the group's
#: time comes first, fewer kilometres break ties.
SPAN_COST = 10
#: Safety net on the second stage's descent (it normally ends at its local optimum well before).
DESCENT_LIMIT_S = 5.0


@dataclass(frozen=True)
class SolveParams:
    """How to search: a first-solution strategy, a metaheuristic and stopping rules."""

    first_solution: str = "PATH_CHEAPEST_ARC"
    #: "GUIDED_LOCAL_SEARCH", "GREEDY_DESCENT" (stop at the first local optimum), ...
    metaheuristic: str = "GUIDED_LOCAL_SEARCH"
    stop: tuple[StoppingCriterion, ...] = field(default_factory=lambda: (BranchLimit(2000), TimeLimit(30.0)))

    def __post_init__(self) -> None:
        if not hasattr(routing_enums_pb2.FirstSolutionStrategy, self.first_solution):
            raise ValueError(f"unknown first-solution strategy {self.first_solution!r}")
        if not hasattr(routing_enums_pb2.LocalSearchMetaheuristic, self.metaheuristic):
            raise ValueError(f"unknown metaheuristic {self.metaheuristic!r}")
        if self.metaheuristic != "GREEDY_DESCENT" and not self.stop:
            raise ValueError("a metaheuristic needs at least one stopping rule")

    @classmethod
    def for_time_limit(cls, seconds: float) -> SolveParams:
        """Guided local search for ``seconds`` (better on big tours, not reproducible)."""
        return cls(stop=(TimeLimit(seconds),))

    def search_parameters(self, routing):
        """The OR-Tools RoutingSearchParameters (stop rules may add monitors to ``routing``)."""
        params = pywrapcp.DefaultRoutingSearchParameters()
        params.first_solution_strategy = getattr(routing_enums_pb2.FirstSolutionStrategy, self.first_solution)
        params.local_search_metaheuristic = getattr(routing_enums_pb2.LocalSearchMetaheuristic, self.metaheuristic)
        for rule in self.stop:
            rule.apply(params, routing)
        return params


class _Model:
    """The OR-Tools model of a problem and the node <-> item bookkeeping."""

    def __init__(self, problem: Problem, checked, span_cost: int = SPAN_COST) -> None:
        self.problem = problem
        self.span_cost = span_cost
        buses = problem.buses
        self.visits = [v for v in problem.visits if v.id not in checked.visit_reasons]
        self.pickups = [p for p in problem.pickups if p.id not in checked.pickup_reasons]
        n_buses = len(buses)
        # node order: starts, ends, visits, pick-ups
        places = [c.start for c in buses] + [c.end for c in buses]
        places += [v.place for v in self.visits] + [p.place for p in self.pickups]
        self.node_place = np.array(places, dtype=np.int64)
        self.first_visit = 2 * n_buses
        self.first_pickup = self.first_visit + len(self.visits)
        service = [0] * (2 * n_buses) + [v.duration_s for v in self.visits]
        service += [p.duration_s for p in self.pickups]
        self.service = service
        self.drive = problem.durations_s[np.ix_(self.node_place, self.node_place)]

        self.shift = -min(0, *self._all_times())
        self.manager = pywrapcp.RoutingIndexManager(
            len(places), n_buses, list(range(n_buses)), list(range(n_buses, 2 * n_buses))
        )
        self.routing = pywrapcp.RoutingModel(self.manager)
        cost = self.routing.RegisterTransitMatrix(self.drive.tolist())
        self.routing.SetArcCostEvaluatorOfAllVehicles(cost)
        self._time_dimension()
        self._load_dimension()
        self._allowed_buses(checked)
        self._disjunctions()

    def _all_times(self):
        for bus in self.problem.buses:
            yield bus.start_s
            if bus.lunch:
                yield bus.lunch.earliest_s
        for visit in self.visits:
            yield from (w.earliest_start_s for w in visit.usable_windows)
        for pickup in self.pickups:
            if pickup.window:
                yield pickup.window.earliest_start_s

    def index(self, node: int) -> int:
        return self.manager.NodeToIndex(node)

    def _time_dimension(self) -> None:
        routing, shift = self.routing, self.shift
        transit = (self.drive + np.array(self.service, dtype=np.int64)[:, None]).tolist()
        horizon = max(c.end_s for c in self.problem.buses) + shift
        routing.AddDimension(routing.RegisterTransitMatrix(transit), horizon, horizon, False, "time")
        self.time = time_dim = routing.GetDimensionOrDie("time")
        for k, visit in enumerate(self.visits):
            cumul = time_dim.CumulVar(self.index(self.first_visit + k))
            windows = [(w.earliest_start_s + shift, w.latest_start_s + shift) for w in visit.usable_windows]
            cumul.SetRange(max(0, windows[0][0]), min(horizon, max(hi for _, hi in windows)))
            for (_, gap_start), (gap_end, _) in pairwise(windows):
                if gap_end - gap_start > 1:
                    cumul.RemoveInterval(gap_start + 1, gap_end - 1)
        for k, pickup in enumerate(self.pickups):
            if pickup.window:
                cumul = time_dim.CumulVar(self.index(self.first_pickup + k))
                cumul.SetRange(pickup.window.earliest_start_s + shift, pickup.window.latest_start_s + shift)
        solver = routing.solver()
        node_visit_transits = [self.service[self.manager.IndexToNode(i)] for i in range(routing.Size())]
        self.lunches = {}
        for v, bus in enumerate(self.problem.buses):
            start, end = time_dim.CumulVar(routing.Start(v)), time_dim.CumulVar(routing.End(v))
            # The bus leaves when the group has boarded, not later: waiting at a site for its
            # window is the group's time too, which the span cost counts.
            start.SetValue(bus.start_s + shift)
            end.SetRange(bus.start_s + shift, bus.end_s + shift)
            if bus.max_duration_s is not None:
                time_dim.SetSpanUpperBoundForVehicle(bus.max_duration_s, v)
            if bus.lunch is not None:
                lunch = solver.FixedDurationIntervalVar(
                    bus.lunch.earliest_s + shift,
                    bus.lunch.latest_s + shift,
                    bus.lunch.duration_s,
                    False,
                    f"lunch {bus.id}",
                )
                time_dim.SetBreakIntervalsOfVehicle([lunch], v, node_visit_transits)
                self.lunches[v] = lunch
            if self.span_cost:
                time_dim.SetSpanCostCoefficientForVehicle(self.span_cost, v)
            # Back as early as possible, each visit beginning as early as its window allows.
            routing.AddVariableMinimizedByFinalizer(end)
        for k in range(len(self.visits)):
            routing.AddVariableMinimizedByFinalizer(time_dim.CumulVar(self.index(self.first_visit + k)))

    def _load_dimension(self) -> None:
        routing = self.routing
        demand = [0] * self.first_pickup + [p.seats for p in self.pickups]
        routing.AddDimensionWithVehicleCapacity(
            routing.RegisterUnaryTransitVector(demand),
            0,
            [c.seats for c in self.problem.buses],
            False,
            "load",
        )
        self.load = load = routing.GetDimensionOrDie("load")
        for v, bus in enumerate(self.problem.buses):
            load.CumulVar(routing.Start(v)).SetValue(bus.load)
        for k, visit in enumerate(self.visits):
            cumul = load.CumulVar(self.index(self.first_visit + k))
            cumul.SetMax(min(visit.max_group, max(c.seats for c in self.problem.buses)))

    def _allowed_buses(self, checked) -> None:
        # VehicleVar.RemoveValues: SetAllowedVehiclesForIndex's binding rejects Python lists.
        n_buses = len(self.problem.buses)
        items = [(self.first_visit + k, checked.visit_buses[v.id]) for k, v in enumerate(self.visits)]
        items += [(self.first_pickup + k, checked.pickup_buses[p.id]) for k, p in enumerate(self.pickups)]
        for node, allowed in items:
            barred = [v for v in range(n_buses) if v not in allowed]
            if barred:
                self.routing.VehicleVar(self.index(node)).RemoveValues(barred)

    def _disjunctions(self) -> None:
        # Every solution costs less than `unit` besides its drops: each node leaves by one arc
        # at most, and no bus's day lasts longer than the horizon.
        horizon = max(c.end_s for c in self.problem.buses) + self.shift
        self.unit = int(self.drive.max(axis=1).sum()) + SPAN_COST * horizon * len(self.problem.buses) + 1
        optional_total = sum(v.priority for v in self.visits if not v.required)
        self.must_penalty = self.unit * (optional_total + 1)
        for k, visit in enumerate(self.visits):
            penalty = self.must_penalty if visit.required else self.unit * visit.priority
            self.routing.AddDisjunction([self.index(self.first_visit + k)], penalty)
        for k in range(len(self.pickups)):
            self.routing.AddDisjunction([self.index(self.first_pickup + k)], self.must_penalty)


def solve(problem: Problem, params: SolveParams | None = None) -> Result:
    """The best itinerary found for ``problem``."""
    params = params if params is not None else SolveParams()
    started = time.perf_counter()
    checked = precheck(problem)
    # Two stages: the search proper on driving (fast), then a descent from its solution
    # with the cost of each bus's day, whose evaluation needs a scheduling LP per move.
    model = _Model(problem, checked, span_cost=0)
    assignment = model.routing.SolveWithParameters(params.search_parameters(model.routing))
    if assignment is not None:
        model, assignment = _shorten_days(problem, checked, model, assignment)
    solve_s = time.perf_counter() - started
    early = [
        Unassigned(v.id, checked.visit_reasons[v.id], v.required)
        for v in problem.visits
        if v.id in checked.visit_reasons
    ] + [
        Unassigned(p.id, checked.pickup_reasons[p.id], True, "pickup")
        for p in problem.pickups
        if p.id in checked.pickup_reasons
    ]
    if assignment is None:
        late = [Unassigned(v.id, NO_SOLUTION_REASON, v.required) for v in model.visits]
        late += [Unassigned(p.id, NO_SOLUTION_REASON, True, "pickup") for p in model.pickups]
        return Result(
            (),
            tuple(_in_problem_order(problem, early + late)),
            0,
            0,
            0,
            solve_s,
            found=False,
            clock_origin_s=problem.clock_origin_s,
        )
    routes = tuple(_route(model, assignment, v) for v in range(len(problem.buses)))
    late = _dropped(model, assignment)
    return Result(
        routes,
        tuple(_in_problem_order(problem, early + late)),
        assignment.ObjectiveValue(),
        sum(r.driving_s for r in routes),
        sum(r.distance_m for r in routes),
        solve_s,
        clock_origin_s=problem.clock_origin_s,
    )


def _shorten_days(problem: Problem, checked, model: _Model, assignment):
    """From a solution on driving, descend to a local optimum of the full cost (days, then driving)."""
    routing = model.routing
    routes = []
    for v in range(len(problem.buses)):
        index, nodes = assignment.Value(routing.NextVar(routing.Start(v))), []
        while not routing.IsEnd(index):
            nodes.append(index)  # the two models number their indices alike
            index = assignment.Value(routing.NextVar(index))
        routes.append(nodes)
    refined = _Model(problem, checked)
    initial = refined.routing.ReadAssignmentFromRoutes(routes, True)
    if initial is None:
        return model, assignment
    params = pywrapcp.DefaultRoutingSearchParameters()
    params.local_search_metaheuristic = routing_enums_pb2.LocalSearchMetaheuristic.GREEDY_DESCENT
    # The lunch break makes each move's schedule a mixed-integer problem; its LP relaxation
    # (Glop) is enough to rank moves and far quicker than CP-SAT.
    params.mixed_integer_scheduling_solver = params.continuous_scheduling_solver
    params.time_limit.FromMilliseconds(int(DESCENT_LIMIT_S * 1000))
    better = refined.routing.SolveFromAssignmentWithParameters(initial, params)
    if better is None:
        return model, assignment
    return refined, better


def _in_problem_order(problem: Problem, items: list[Unassigned]) -> list[Unassigned]:
    order = {("visit", v.id): i for i, v in enumerate(problem.visits)}
    order.update({("pickup", p.id): len(order) + i for i, p in enumerate(problem.pickups)})
    return sorted(items, key=lambda u: order[(u.kind, u.id)])


def _dropped(model: _Model, assignment) -> list[Unassigned]:
    """Visits and pick-ups the search left out (a dropped node is its own successor)."""
    routing = model.routing

    def is_dropped(node: int) -> bool:
        index = model.index(node)
        return assignment.Value(routing.NextVar(index)) == index

    made = [v for k, v in enumerate(model.visits) if not is_dropped(model.first_visit + k)]
    dropped = []
    for k, visit in enumerate(model.visits):
        if not is_dropped(model.first_visit + k):
            continue
        if visit.required:
            reason = REQUIRED_DROPPED_REASON
        elif any(other.priority > visit.priority for other in made):
            reason = LOWER_PRIORITY_REASON
        else:
            reason = NO_ROOM_REASON
        dropped.append(Unassigned(visit.id, reason, visit.required))
    for k, pickup in enumerate(model.pickups):
        if is_dropped(model.first_pickup + k):
            dropped.append(Unassigned(pickup.id, PICKUP_DROPPED_REASON, True, "pickup"))
    return dropped


def _route(model: _Model, assignment, v: int) -> BusRoute:
    """Read one bus's route and lay out arrival, waiting and lunch in real time."""
    routing, time_dim, load_dim, shift = model.routing, model.time, model.load, model.shift
    problem, bus = model.problem, model.problem.buses[v]
    indices = [routing.Start(v)]
    while not routing.IsEnd(indices[-1]):
        indices.append(assignment.Value(routing.NextVar(indices[-1])))
    nodes = [model.manager.IndexToNode(i) for i in indices]
    begins = [assignment.Min(time_dim.CumulVar(i)) - shift for i in indices]
    lunch = None
    if v in model.lunches:
        interval = model.lunches[v]
        lunch_start = assignment.StartValue(interval) - shift
        lunch = (lunch_start, lunch_start + bus.lunch.duration_s)

    stops, placement = [], None
    departure = begins[0]  # leaving the start place
    if lunch and lunch[1] <= begins[0]:
        placement = BreakPlacement(lunch[0], lunch[1], 0, bus.start)
    for pos in range(1, len(nodes)):
        prev, node = nodes[pos - 1], nodes[pos]
        prev_end = begins[pos - 1] + model.service[prev]
        drive = int(model.drive[prev, node])
        arrival = prev_end + drive
        if placement is None and lunch and prev_end <= lunch[0] and lunch[1] <= begins[pos]:
            if lunch[0] >= prev_end + drive:  # drive first, lunch on arrival
                placement = BreakPlacement(lunch[0], lunch[1], pos - 1, int(model.node_place[node]))
            elif lunch[1] + drive <= begins[pos]:  # lunch where we are, then drive
                placement = BreakPlacement(lunch[0], lunch[1], pos - 1, int(model.node_place[prev]))
                arrival = lunch[1] + drive
                if pos == 1:
                    departure = lunch[1]
                else:
                    stops[-1] = _replace_departure(stops[-1], lunch[1])
            else:  # a stop on the road
                placement = BreakPlacement(lunch[0], lunch[1], pos - 1, None)
                arrival = prev_end + drive + bus.lunch.duration_s
        if routing.IsEnd(indices[pos]):
            return_s = arrival
            break
        kind = "visit" if node < model.first_pickup else "pickup"
        item = model.visits[node - model.first_visit] if kind == "visit" else model.pickups[node - model.first_pickup]
        end = begins[pos] + model.service[node]
        stops.append(
            Stop(
                kind,
                item.id,
                item.place,
                arrival,
                begins[pos],
                end,
                end,
                assignment.Min(load_dim.CumulVar(indices[pos])) + (item.seats if kind == "pickup" else 0),
            )
        )
    if lunch and placement is None:  # after the return (a short day)
        placement = BreakPlacement(lunch[0], lunch[1], len(stops), bus.end)
    path = [int(model.node_place[n]) for n in nodes]
    driving = sum(int(problem.durations_s[a, b]) for a, b in pairwise(path))
    distance = sum(int(problem.distances_m[a, b]) for a, b in pairwise(path))
    if not stops:
        departure, return_s = bus.start_s, bus.start_s + driving
    return BusRoute(bus.id, departure, tuple(stops), placement, return_s, driving, distance)


def _replace_departure(stop: Stop, departure_s: int) -> Stop:
    return Stop(stop.kind, stop.id, stop.place, stop.arrival_s, stop.start_s, stop.end_s, departure_s, stop.load)
