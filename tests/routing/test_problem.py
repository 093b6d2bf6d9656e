"""Problem data: constructors validate their input, the builder assembles a frozen problem."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from tourplanner.routing import Break, Bus, Place, ProblemBuilder, TimeWindow, Visit


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: Place(91, 0), "latitude"),
        (lambda: Bus(1, 0, 0, 0, 0, 100), "seats"),
        (lambda: Bus(1, 10, 0, 0, 100, 50), "must be back"),
        (lambda: Bus(1, 10, 0, 0, 0, 100, load=11), "11 passengers booked for 10 seats"),
        (lambda: Visit(1, 0, (), 60, 10), "at least one time window"),
        (lambda: Visit(1, 0, ((0, 10),), 60, 10, priority=0), "priority"),
        (lambda: Visit(1, 0, ((0, 10),), 60.5, 10), "duration_s must be an integer"),
        (lambda: Break(100, 50, 10), "latest start"),
    ],
)
def test_constructors_refuse_bad_values(make, message):
    """Bad values raise ValueError naming the problem."""
    with pytest.raises(ValueError, match=message):
        make()


def test_slot_window():
    """A visit of 30 min in a 9h-10h slot may begin until 9h30."""
    assert TimeWindow.for_slot(9 * 3600, 10 * 3600, 1800) == TimeWindow(9 * 3600, 9 * 3600 + 1800)


def test_built_problem_is_frozen():
    """The problem and its matrices cannot be changed after building."""
    builder = ProblemBuilder()
    a, b = builder.add_place(45.7, 4.8), builder.add_place(45.8, 4.9)
    builder.add_bus(0, 50, a, a, 0, 3600)
    builder.add_visit(1, b, [(0, 1000)], 600, 20)
    problem = builder.build()
    assert problem.durations_s.shape == (2, 2) and problem.durations_s[0, 1] > 0
    with pytest.raises(ValueError):
        problem.durations_s[0, 1] = 1
    with pytest.raises(dataclasses.FrozenInstanceError):
        problem.visits = ()


def test_problem_checks_references():
    """A visit on an unknown place, or a wrong matrix size, is refused."""
    builder = ProblemBuilder()
    builder.add_place(45.7, 4.8)
    builder.add_bus(0, 50, 0, 0, 0, 3600)
    builder.add_visit(1, 3, [(0, 1000)], 600, 20)
    with pytest.raises(ValueError, match="unknown place 3"):
        builder.build()
    with pytest.raises(ValueError, match="1x1 matrix"):
        ProblemBuilder(places=builder.places, buses=builder.buses).build(
            durations_s=np.zeros((2, 2)), distances_m=np.zeros((2, 2))
        )
