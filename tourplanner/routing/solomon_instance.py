"""Solomon VRPTW instances: the data, the reader and the double-precision checker.

Conventions (the outside contract of ``tourplanner solve FILE --format solomon``):
customer 0 is the depot; at most the instance's vehicles, each of its capacity; every
customer served once; travel time equals the exact Euclidean distance (no rounding);
a vehicle may wait; service time is spent at each customer; every vehicle is back at the
depot by its due time; the objective is the least total distance.

Loads without OR-Tools: the search lives in ``_solomon_search``, the entry points in
``solomon``; both import this module, which imports neither.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path


@dataclass(frozen=True)
class SolomonCustomer:
    """One line of a Solomon instance (number 0 is the depot)."""

    number: int
    x: float
    y: float
    demand: int
    ready: float
    due: float
    service: float


@dataclass(frozen=True)
class SolomonInstance:
    """A Solomon VRPTW instance: fleet, depot and customers in file order."""

    name: str
    vehicles: int
    capacity: int
    depot: SolomonCustomer
    customers: tuple[SolomonCustomer, ...]

    def __post_init__(self) -> None:
        if self.vehicles <= 0:
            raise ValueError(f"number of vehicles must be positive, got {self.vehicles}")
        if self.capacity <= 0:
            raise ValueError(f"vehicle capacity must be positive, got {self.capacity}")
        numbers = [c.number for c in self.customers]
        if len(set(numbers)) != len(numbers) or self.depot.number in numbers:
            raise ValueError("customer numbers must be unique and differ from the depot's")

    @property
    def nodes(self) -> tuple[SolomonCustomer, ...]:
        """Depot first, then the customers."""
        return (self.depot, *self.customers)

    def distance(self, a: SolomonCustomer, b: SolomonCustomer) -> float:
        """Exact Euclidean distance (= travel time) between two nodes."""
        return math.hypot(a.x - b.x, a.y - b.y)


def read_solomon(path: str | Path) -> SolomonInstance:
    """Read a file in Solomon's original text format."""
    path = Path(path)
    lines = [line.split() for line in path.read_text().splitlines()]
    lines = [line for line in lines if line]
    if not lines:
        raise ValueError(f"{path}: empty file")
    name = " ".join(lines[0])
    vehicles = capacity = None
    rows: list[SolomonCustomer] = []
    for fields in lines[1:]:
        if vehicles is None and len(fields) == 2 and all(_is_number(f) for f in fields):
            vehicles, capacity = int(fields[0]), int(fields[1])
        elif len(fields) == 7 and all(_is_number(f) for f in fields):
            number, x, y, demand, ready, due, service = (float(f) for f in fields)
            rows.append(SolomonCustomer(int(number), x, y, int(demand), ready, due, service))
        elif not all(f.isupper() or f.endswith(".") or f.isalpha() for f in fields):
            raise ValueError(f"{path}: unreadable line {' '.join(fields)!r}")
    if vehicles is None or capacity is None:
        raise ValueError(f"{path}: no VEHICLE section (number and capacity)")
    if not rows:
        raise ValueError(f"{path}: no CUSTOMER lines")
    if rows[0].number != 0:
        raise ValueError(f"{path}: the first customer line must be the depot, number 0")
    return SolomonInstance(name, vehicles, capacity, rows[0], tuple(rows[1:]))


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def route_distance(instance: SolomonInstance, routes: list[list[int]]) -> float:
    """Total distance of routes (customer numbers) in double precision, depot to depot."""
    by_number = {c.number: c for c in instance.nodes}
    total = 0.0
    for route in routes:
        path = [instance.depot, *(by_number[n] for n in route), instance.depot]
        total += sum(instance.distance(a, b) for a, b in pairwise(path))
    return total


def check_solution(
    instance: SolomonInstance, routes: list[list[int]], unassigned: list[int] | None = None
) -> list[str]:
    """Every violated rule of the contract, checked in double precision; [] when feasible."""
    by_number = {c.number: c for c in instance.nodes}
    problems = []
    if sum(1 for r in routes if r) > instance.vehicles:
        problems.append(f"{len(routes)} routes for {instance.vehicles} vehicles")
    seen = [n for r in routes for n in r] + list(unassigned or [])
    expected = sorted(c.number for c in instance.customers)
    if sorted(seen) != expected:
        problems.append("customers missing, repeated or unknown")
    for i, route in enumerate(routes):
        problems += [f"route {i}: {p}" for p in route_problems(instance, by_number, route)]
    return problems


def route_problems(instance: SolomonInstance, by_number: dict, route: list[int]) -> list[str]:
    """The rules one route breaks (capacity, windows, depot due time), in doubles."""
    problems = []
    load = sum(by_number[n].demand for n in route if n in by_number)
    if load > instance.capacity:
        problems.append(f"load {load} > capacity {instance.capacity}")
    time_now, here = instance.depot.ready, instance.depot
    for number in route:
        if number not in by_number:
            return problems + [f"unknown customer {number}"]
        customer = by_number[number]
        arrival = time_now + here.service + instance.distance(here, customer)
        if arrival > customer.due:
            problems.append(f"customer {number} reached at {arrival:.6f} > due {customer.due}")
        time_now, here = max(arrival, customer.ready), customer
    back = time_now + here.service + instance.distance(here, instance.depot)
    if back > instance.depot.due:
        problems.append(f"back at the depot at {back:.6f} > due {instance.depot.due}")
    return problems


@dataclass(frozen=True)
class SolomonSolution:
    """Routes of customer numbers, their distance in doubles and the customers left out."""

    routes: list[list[int]]
    distance: float
    unassigned: list[int]

    def as_dict(self) -> dict:
        """The JSON shape of the CLI contract."""
        return {
            "routes": [list(r) for r in self.routes],
            "distance": self.distance,
            "vehicles": len(self.routes),
            "unassigned": list(self.unassigned),
        }
