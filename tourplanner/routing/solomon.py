"""Solving Solomon VRPTW instances: the entry points of ``tourplanner solve --format solomon``.

The data, the reader and the double-precision checker live in ``solomon_instance`` (no
solver needed); the searches in ``solomon_pyvrp`` (PyVRP, the default engine) and
``_solomon_search`` (OR-Tools' iterated local search, ``engine="ortools"``), each imported
only when chosen; this module joins them and owns the clock: the whole command must end
within its time limit plus a second, so the search's deadline counts from the process's
start, not from the moment the search begins.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from tourplanner.routing.solomon_instance import (
    SolomonCustomer,
    SolomonInstance,
    SolomonSolution,
    check_solution,
    read_solomon,
    route_distance,
    route_problems,
)

__all__ = [
    "ENGINES",
    "SolomonCustomer",
    "SolomonInstance",
    "SolomonSolution",
    "check_solution",
    "process_started_at",
    "read_solomon",
    "route_distance",
    "solve_solomon",
    "solve_solomon_file",
]

#: The searches `tourplanner solve --format solomon` can run; the first is the default.
ENGINES = ("pyvrp", "ortools")

#: Seconds kept after the search for checking, printing the answer and leaving the process.
FINISH_MARGIN_S = 0.3

#: A process age beyond this is taken for a clock mismatch rather than a slow start-up.
MAX_START_UP_S = 60.0


def solve_solomon(
    instance: SolomonInstance,
    time_limit_s: float = 10.0,
    *,
    deadline: float | None = None,
    engine: str = ENGINES[0],
    **options,
) -> SolomonSolution:
    """Least-distance routes for a Solomon instance, searched until ``deadline``.

    ``deadline`` is a ``time.monotonic()`` instant, by default ``time_limit_s`` from now.
    ``engine`` is one of :data:`ENGINES`. ``options`` go to that engine's search (for
    experiments: a seed for PyVRP, one configuration of ``_solomon_search.parameters``).
    """
    if deadline is None:
        deadline = time.monotonic() + time_limit_s
    routes, _ = repair(instance, _search(engine)(instance, deadline, **options))
    served = {n for route in routes for n in route}
    unassigned = [c.number for c in instance.customers if c.number not in served]
    return SolomonSolution(routes, route_distance(instance, routes), unassigned)


def _search(engine: str):
    """The search function of an engine, imported now: each loads its solver only when used."""
    if engine == "pyvrp":
        from tourplanner.routing.solomon_pyvrp import search
    elif engine == "ortools":
        from tourplanner.routing._solomon_search import search
    else:
        raise ValueError(f"unknown engine {engine!r}: one of {', '.join(ENGINES)}")
    return search


def repair(instance: SolomonInstance, routes: list[list[int]]) -> tuple[list[list[int]], list[int]]:
    """Drop, in doubles, any customer the integer model let through a hair too late."""
    by_number = {c.number: c for c in instance.nodes}
    kept_routes, dropped = [], []
    for route in routes:
        route = list(route)
        while route_problems(instance, by_number, route):
            late = _first_late(instance, by_number, route)
            dropped.append(route.pop(late))
        if route:
            kept_routes.append(route)
    return kept_routes, dropped


def _first_late(instance, by_number, route) -> int:
    load, time_now, here = 0, instance.depot.ready, instance.depot
    for i, number in enumerate(route):
        customer = by_number[number]
        load += customer.demand
        arrival = time_now + here.service + instance.distance(here, customer)
        if arrival > customer.due or load > instance.capacity:
            return i
        time_now, here = max(arrival, customer.ready), customer
    return len(route) - 1


def solve_solomon_file(
    path: str | Path, time_limit_s: float = 10.0, *, started: float | None = None, engine: str = ENGINES[0]
) -> dict:
    """Solve a Solomon file; the JSON-ready answer of ``tourplanner solve --format solomon``.

    ``started`` (a ``time.monotonic()`` instant, by default now) is when the clock began:
    the CLI passes :func:`process_started_at`, so start-up and imports count too.
    """
    if started is None:
        started = time.monotonic()
    instance = read_solomon(path)
    deadline = started + time_limit_s - FINISH_MARGIN_S
    # A limit shorter than the start-up still gets a first solution (a few milliseconds).
    deadline = max(deadline, time.monotonic() + 0.05)
    return solve_solomon(instance, deadline=deadline, engine=engine).as_dict()


def process_started_at() -> float:
    """The ``time.monotonic()`` instant this process started (Linux), else now."""
    try:
        with open("/proc/self/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        # The kernel's own uptime (a file, which a moved clock such as libfaketime's leaves alone),
        # against the process's start in clock ticks since boot.
        with open("/proc/uptime") as uptime:
            since_boot = float(uptime.read().split()[0])
        age = since_boot - int(fields[19]) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError, AttributeError):
        return time.monotonic()
    if not -0.05 <= age <= MAX_START_UP_S:  # clocks that disagree (some sandboxes): trust only now
        return time.monotonic()
    return time.monotonic() - max(age, 0.0)  # both counts are in hundredths of a second
