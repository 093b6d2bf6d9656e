"""Stopping rules: small objects that set OR-Tools search limits."""

from __future__ import annotations

from typing import Protocol, runtime_checkable


@runtime_checkable
class StoppingCriterion(Protocol):
    """Something that limits a search by setting OR-Tools routing search parameters."""

    def apply(self, search_parameters, routing) -> None:
        """Limit the search: set ``search_parameters`` (RoutingSearchParameters) or add a
        search monitor to ``routing`` (the RoutingModel about to be solved)."""
        ...


class TimeLimit:
    """Stop after ``seconds`` of search (wall clock: results may vary from run to run)."""

    def __init__(self, seconds: float) -> None:
        if not seconds > 0:
            raise ValueError(f"time limit must be positive, got {seconds}")
        self.seconds = seconds

    def __repr__(self) -> str:
        return f"TimeLimit({self.seconds})"

    def apply(self, search_parameters, routing) -> None:
        """Set the search's time limit."""
        search_parameters.time_limit.FromMilliseconds(max(1, round(self.seconds * 1000)))


class SolutionLimit:
    """Stop after ``solutions`` solutions accepted by the search.

    Independent of the clock, but a guided local search on a tiny problem may never
    accept that many: pair it with another limit.
    """

    def __init__(self, solutions: int) -> None:
        if isinstance(solutions, bool) or not isinstance(solutions, int) or solutions <= 0:
            raise ValueError(f"solution limit must be a positive integer, got {solutions!r}")
        self.solutions = solutions

    def __repr__(self) -> str:
        return f"SolutionLimit({self.solutions})"

    def apply(self, search_parameters, routing) -> None:
        """Set the search's solution limit."""
        search_parameters.solution_limit = self.solutions


class BranchLimit:
    """Stop after ``branches`` search branches: reproducible, and reached on any problem.

    The work is counted, not the time, so the same problem always gets the same answer.
    """

    def __init__(self, branches: int) -> None:
        if isinstance(branches, bool) or not isinstance(branches, int) or branches <= 0:
            raise ValueError(f"branch limit must be a positive integer, got {branches!r}")
        self.branches = branches

    def __repr__(self) -> str:
        return f"BranchLimit({self.branches})"

    def apply(self, search_parameters, routing) -> None:
        """Add a branch-counting search limit to the model."""
        unlimited = 2**62
        routing.AddSearchMonitor(routing.solver().Limit(unlimited, self.branches, unlimited, unlimited))
