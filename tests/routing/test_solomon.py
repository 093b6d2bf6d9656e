"""Solomon VRPTW: the reader, solve_solomon_file's contract checked in double precision, and the two
searches behind `tourplanner solve --format solomon`: PyVRP (default) and OR-Tools (`--engine ortools`)."""

from __future__ import annotations

import json
import math
import subprocess
import sys
import time

import pytest
from click.testing import CliRunner

from tourplanner.routing import _solomon_search, solomon_pyvrp
from tourplanner.routing.solomon import (
    SolomonCustomer,
    SolomonInstance,
    check_solution,
    read_solomon,
    solve_solomon,
    solve_solomon_file,
)
from tourplanner.solve_command import solve


@pytest.fixture(scope="session")
def small10_path(data_dir):
    """A 10-customer instance (RC105's first ten customers, 4 vehicles of 70)."""
    return str(data_dir / "solomon_small10.txt")


@pytest.fixture(scope="session")
def small10_answer(small10_path):
    """solve_solomon_file on the small instance, once per session."""
    return solve_solomon_file(small10_path, time_limit_s=1.0)


def test_reader(small10_path):
    """The reader finds name, fleet, depot and customers with their fields."""
    instance = read_solomon(small10_path)
    assert (instance.name, instance.vehicles, instance.capacity) == ("SMALL10", 4, 70)
    assert (instance.depot.x, instance.depot.y, instance.depot.due) == (40, 50, 240)
    assert [c.number for c in instance.customers] == list(range(1, 11))
    first = instance.customers[0]
    assert (first.x, first.y, first.demand, first.ready, first.due, first.service) == (25, 85, 20, 71, 191, 10)


def test_reader_rejects_a_file_without_fleet(tmp_path):
    """A file with no VEHICLE section is refused with a clear message."""
    path = tmp_path / "bad.txt"
    path.write_text("BAD\n\nCUSTOMER\n 0 1 1 0 0 100 0\n 1 2 2 1 0 100 1\n")
    with pytest.raises(ValueError, match="no VEHICLE section"):
        read_solomon(path)


def test_answer_shape(small10_answer):
    """The answer has exactly the contract's keys and types, and is JSON-serialisable."""
    assert set(small10_answer) == {"routes", "distance", "vehicles", "unassigned"}
    assert isinstance(small10_answer["distance"], float)
    assert small10_answer["vehicles"] == len(small10_answer["routes"])
    json.dumps(small10_answer)


def assert_feasible(instance, answer):
    """Checked here, apart from the engine's own checker: every customer once, at most the fleet,
    capacity, windows, service times, depot due time, and the distance recomputed in doubles."""
    nodes = {c.number: c for c in instance.nodes}
    routes = answer["routes"]
    assert answer["unassigned"] == []
    assert sorted(n for r in routes for n in r) == sorted(c.number for c in instance.customers)
    assert 0 < len(routes) <= instance.vehicles
    assert answer["vehicles"] == len(routes)
    total = 0.0
    for route in routes:
        assert sum(nodes[n].demand for n in route) <= instance.capacity
        t, here = instance.depot.ready, instance.depot
        for number in [*route, 0]:
            there = nodes[number]
            leg = math.hypot(here.x - there.x, here.y - there.y)
            total += leg
            t = t + here.service + leg
            assert t <= there.due, f"customer {number} reached at {t} after {there.due}"
            t = max(t, there.ready)
            here = there
    assert answer["distance"] == pytest.approx(total, abs=1e-9)


def test_answer_feasible_in_doubles(small10_path, small10_answer):
    """The small instance's answer keeps every rule of the contract."""
    assert_feasible(read_solomon(small10_path), small10_answer)


def test_tight_windows_answer_feasible_within_its_limit(data_dir):
    """25 customers of RC101 (tight windows, 5 vehicles): every route feasible at a short limit,
    and the call returns by its limit (the clock started before reading the file)."""
    path = data_dir / "solomon_rc101_25.txt"
    started = time.monotonic()
    answer = solve_solomon_file(path, time_limit_s=1.0, started=started)
    assert time.monotonic() - started <= 1.0
    assert_feasible(read_solomon(path), answer)


def test_limit_counts_from_the_given_start(small10_path):
    """Time already spent (start-up, imports) is taken from the search, not added to the limit."""
    started = time.monotonic() - 1.5
    answer = solve_solomon_file(small10_path, time_limit_s=2.0, started=started)
    assert time.monotonic() - started <= 2.0
    assert_feasible(read_solomon(small10_path), answer)


def test_cli_ends_within_its_time_limit_plus_one_second(small10_path):
    """`tourplanner solve` as a process, start-up included, ends within its limit + 1 s.

    5 s rather than less: on a machine loaded by parallel test runs, Python's start-up and
    OR-Tools' import alone have taken 4 s; the limit must leave room for them."""
    limit = 5.0
    command = [sys.executable, "-c", "from tourplanner.console import main; main()"]
    started = time.monotonic()
    done = subprocess.run(
        [*command, "solve", small10_path, "--format", "solomon", "--time-limit", str(limit)],
        capture_output=True,
        text=True,
        check=True,
        timeout=30,
    )
    assert time.monotonic() - started <= limit + 1.0
    assert_feasible(read_solomon(small10_path), json.loads(done.stdout))


def test_engine_imports_neither_flask_nor_sqlalchemy_nor_loops():
    """`import tourplanner.routing` stays pure, and the Solomon search does not import its caller."""
    code = (
        "import sys, tourplanner.routing, tourplanner.routing._solomon_search;"
        "print(sorted(m for m in ('flask', 'sqlalchemy', 'tourplanner.routing.solomon') if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_repair_drops_what_doubles_refuse(small10_path):
    """A route late in double precision loses its late customers, and the rest checks out."""
    from tourplanner.routing.solomon import check_solution, repair

    instance = read_solomon(small10_path)
    late = [[4, 8, 1, 2, 3], [5, 6, 7, 9, 10]]  # 4 opens at 151: everything after it is late
    routes, dropped = repair(instance, late)
    assert dropped and not check_solution(instance, routes, dropped)


def test_cli_refuses_an_unreadable_file_with_a_message(tmp_path):
    """A malformed instance ends the command with its reason, not a traceback."""
    from click.testing import CliRunner

    from tourplanner.solve_command import solve

    path = tmp_path / "bad.txt"
    path.write_text("BAD\n\nCUSTOMER\n 0 1 1 0 0 100 0\n")
    result = CliRunner().invoke(solve, [str(path), "--format", "solomon", "--time-limit", "1"])
    assert result.exit_code == 1
    assert "no VEHICLE section" in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_process_start_is_read_before_the_imports():
    """In a fresh process, the clock's start lies before the first line of Python ran."""
    code = (
        "import time; first_line = time.monotonic();"
        "from tourplanner.routing.solomon import process_started_at;"
        "print(first_line - process_started_at())"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert float(done.stdout) > 0.0


def test_second_process_only_when_a_core_is_idle():
    """The portfolio forks a second search only if the load leaves a whole core free."""
    from tourplanner.routing._solomon_search import has_idle_core

    assert has_idle_core(load=0.4, cores=2)
    assert has_idle_core(load=1.0, cores=2)
    assert not has_idle_core(load=1.5, cores=2)
    assert not has_idle_core(load=0.2, cores=1)
    assert not has_idle_core(load=12.0, cores=2)


@pytest.fixture
def calls(monkeypatch):
    """Records which engine's search ran (the real searches still run)."""
    seen = []
    for name, module in (("pyvrp", solomon_pyvrp), ("ortools", _solomon_search)):
        real = module.search

        def recording(*args, _real=real, _name=name, **kwargs):
            seen.append(_name)
            return _real(*args, **kwargs)

        monkeypatch.setattr(module, "search", recording)
    return seen


def test_default_engine_is_pyvrp_and_its_answer_is_feasible(data_dir, calls):
    """Without an engine named, PyVRP's search answers, and the answer keeps every rule."""
    path = data_dir / "solomon_small10.txt"
    answer = solve_solomon_file(path, time_limit_s=1.0)
    assert calls == ["pyvrp"]
    instance = read_solomon(path)
    assert check_solution(instance, answer["routes"], answer["unassigned"]) == []
    assert_feasible(instance, answer)


def test_pyvrp_on_tight_windows_is_feasible(data_dir):
    """25 customers of RC101 (tight windows): PyVRP's answer is feasible in doubles."""
    path = data_dir / "solomon_rc101_25.txt"
    assert_feasible(read_solomon(path), solve_solomon_file(path, time_limit_s=1.0, engine="pyvrp"))


def test_cli_engine_ortools_still_works(data_dir, calls):
    """`--engine ortools` runs OR-Tools' iterated local search and answers a feasible solution."""
    path = data_dir / "solomon_small10.txt"
    result = CliRunner().invoke(
        solve, [str(path), "--format", "solomon", "--time-limit", "1", "--engine", "ortools"], catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    assert calls == ["ortools"]
    assert_feasible(read_solomon(path), json.loads(result.output))


def test_cli_refuses_an_unknown_engine(data_dir):
    """An engine that does not exist is refused by the command, with the choices."""
    path = data_dir / "solomon_small10.txt"
    result = CliRunner().invoke(solve, [str(path), "--format", "solomon", "--engine", "vroom"])
    assert result.exit_code == 2
    assert "pyvrp" in result.output and "ortools" in result.output


def test_solve_solomon_refuses_an_unknown_engine(data_dir):
    with pytest.raises(ValueError, match="unknown engine"):
        solve_solomon(read_solomon(data_dir / "solomon_small10.txt"), 0.5, engine="vroom")


def test_pyvrp_model_rounds_towards_feasibility(data_dir):
    """Integer model: travel durations and openings rounded up, closings down, so a model
    arrival is never earlier than the true one and a model deadline never later."""
    instance = read_solomon(data_dir / "solomon_rc101_25.txt")
    data = solomon_pyvrp.problem_data(instance)
    scale = solomon_pyvrp.SCALE
    durations = data.duration_matrix(0)
    nodes = instance.nodes
    exact = [[instance.distance(a, b) * scale for b in nodes] for a in nodes]
    assert all(durations[i][j] >= exact[i][j] for i in range(len(nodes)) for j in range(len(nodes)))
    # Not the same as rounding to the nearest: some pair really is rounded up.
    assert any(durations[i][j] - exact[i][j] > 0.5 for i in range(len(nodes)) for j in range(len(nodes)))
    for client, customer in zip(data.clients(), instance.customers, strict=True):
        assert client.tw_early >= customer.ready * scale
        assert client.tw_late <= customer.due * scale
        assert client.delivery == [customer.demand]
    (fleet,) = data.vehicle_types()
    assert (fleet.num_available, fleet.capacity) == (instance.vehicles, [instance.capacity])
    assert fleet.tw_late <= instance.depot.due * scale


def test_pyvrp_answer_is_repaired_when_nothing_feasible_exists():
    """A customer nobody can reach in time: PyVRP's (infeasible) best is checked in doubles,
    that customer is reported unassigned, and the routes left keep every rule."""
    depot = SolomonCustomer(0, 0.0, 0.0, 0, 0.0, 1000.0, 0.0)
    near = SolomonCustomer(1, 3.0, 4.0, 1, 0.0, 100.0, 1.0)  # 5 away
    far = SolomonCustomer(2, 30.0, 40.0, 1, 0.0, 20.0, 1.0)  # 50 away, due at 20
    instance = SolomonInstance("UNREACHABLE", 2, 10, depot, (near, far))
    solution = solve_solomon(instance, 0.5, engine="pyvrp")
    assert solution.unassigned == [2]
    assert solution.routes == [[1]]
    assert check_solution(instance, solution.routes, solution.unassigned) == []
    assert solution.distance == pytest.approx(10.0)
    assert math.isfinite(solution.distance)


def test_pyvrp_is_imported_only_by_its_engine():
    """`import tourplanner.routing.solomon` loads no solver of its own; choosing OR-Tools
    never loads PyVRP."""
    code = (
        "import sys, tourplanner.routing.solomon as s;"
        "print('pyvrp' in sys.modules);"
        "s._search('ortools');"
        "print('pyvrp' in sys.modules);"
        "s._search('pyvrp');"
        "print('pyvrp' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["False", "False", "True"]


@pytest.mark.parametrize("idle", [True, False])
def test_pyvrp_runs_two_seeds_only_when_a_core_is_idle(data_dir, monkeypatch, idle):
    """With a core idle, two PyVRP searches (seeds 1 in a child, 0 here) and the better one
    kept; on a busy machine, one search. Either way the answer is feasible."""
    ran = []
    real = solomon_pyvrp.best_of_two

    def recording(instance, deadline, run, child_options, own_options):
        ran.append((child_options, own_options))
        return real(instance, deadline, run, child_options, own_options)

    monkeypatch.setattr(solomon_pyvrp, "has_idle_core", lambda: idle)
    monkeypatch.setattr(solomon_pyvrp, "best_of_two", recording)
    path = data_dir / "solomon_small10.txt"
    answer = solve_solomon_file(path, time_limit_s=1.0)
    assert ran == ([({"seed": 1}, {"seed": 0})] if idle else [])
    assert_feasible(read_solomon(path), answer)


def test_best_of_two_keeps_the_feasible_complete_answer(data_dir):
    """The child's answer is received and compared: a search that serves everyone beats a
    shorter one that leaves a customer out, whichever process found it."""
    from tourplanner.routing._solomon_search import best_of_two

    instance = read_solomon(data_dir / "solomon_small10.txt")
    full = solomon_pyvrp.search(instance, time.monotonic() + 0.5, seed=0)

    def run(instance, deadline, *, which):
        return full if which == "full" else [route[:-1] for route in full]

    deadline = time.monotonic() + 0.5
    assert best_of_two(instance, deadline, run, {"which": "full"}, {"which": "short"}) == full
    assert best_of_two(instance, deadline, run, {"which": "short"}, {"which": "full"}) == full
