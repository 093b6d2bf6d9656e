"""Stopping rules: small objects that set OR-Tools search limits."""

from __future__ import annotations

from typing import Protocol, runtime_checkable


@runtime_checkable
class StoppingCriterion(Protocol):
    """Something that limits a search by setting OR-Tools routing search parameters."""

    def apply(self, search_parameters) -> None:
        """Write the limit into ``search_parameters`` (a RoutingSearchParameters proto)."""
        ...


class TimeLimit:
    """Stop after ``seconds`` of search (wall clock: results may vary from run to run)."""

    def __init__(self, seconds: float) -> None:
        if not seconds > 0:
            raise ValueError(f"time limit must be positive, got {seconds}")
        self.seconds = seconds

    def __repr__(self) -> str:
        return f"TimeLimit({self.seconds})"

    def apply(self, search_parameters) -> None:
        """Set the search's time limit."""
        search_parameters.time_limit.FromMilliseconds(max(1, round(self.seconds * 1000)))


class SolutionLimit:
    """Stop after ``solutions`` improving moves: a limit that does not depend on the clock."""

    def __init__(self, solutions: int) -> None:
        if isinstance(solutions, bool) or not isinstance(solutions, int) or solutions <= 0:
            raise ValueError(f"solution limit must be a positive integer, got {solutions!r}")
        self.solutions = solutions

    def __repr__(self) -> str:
        return f"SolutionLimit({self.solutions})"

    def apply(self, search_parameters) -> None:
        """Set the search's solution limit."""
        search_parameters.solution_limit = self.solutions
