"""The routing engine: bus tours as a vehicle-routing problem with time windows.

Pure: imports nothing of Flask, the database or the rest of tourplanner. Build a
:class:`Problem` with :class:`ProblemBuilder`, call :func:`solve`, read the :class:`Result`.
"""

from tourplanner.routing.problem import (
    Break,
    Bus,
    Pickup,
    Place,
    Problem,
    ProblemBuilder,
    TimeWindow,
    Visit,
)
from tourplanner.routing.result import BreakPlacement, BusRoute, Result, Stop, Unassigned
from tourplanner.routing.solver import SolveParams, solve
from tourplanner.routing.stop import BranchLimit, SolutionLimit, StoppingCriterion, TimeLimit
from tourplanner.routing.travel import HaversineProvider, OsrmTableProvider, TravelTimeProvider

__all__ = [
    "Break",
    "BranchLimit",
    "BreakPlacement",
    "Bus",
    "BusRoute",
    "HaversineProvider",
    "OsrmTableProvider",
    "Pickup",
    "Place",
    "Problem",
    "ProblemBuilder",
    "Result",
    "SolutionLimit",
    "SolveParams",
    "Stop",
    "StoppingCriterion",
    "TimeLimit",
    "TimeWindow",
    "TravelTimeProvider",
    "Unassigned",
    "Visit",
    "solve",
]
