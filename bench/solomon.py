"""Benchmark of the routing engine on Solomon's VRPTW instances, through the real command.

    python bench/solomon.py [--dir ../shared/bench/solomon] [--time-limit 10] [--runs 1]
                            [--engine pyvrp|ortools|both] [NAME ...]

Each instance is solved by `tourplanner solve FILE --format solomon --time-limit T
--engine E` in its own process, as a user would run it (with `--engine both`, the two
engines one after the other on each instance, so that both see the same load). For
each: distance (recomputed here in double precision), vehicles, gap to the best-known
distance in bks.csv, wall-clock seconds of the whole command (start-up included: the
contract's bound is the limit plus one second), and whether the answer is feasible —
checked by this script alone, not by the engine's checker: every customer once, at most
the instance's vehicles, capacity, windows with exact Euclidean travel times, service
times, back at the depot by its due time. Then the mean
gap, the slowest command and the load average before and after each run.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
COMMAND = [sys.executable, "-c", "from tourplanner.console import main; main()", "solve"]


def read_instance(path: Path) -> tuple[int, int, dict[int, tuple[float, ...]]]:
    """Vehicles, capacity and {number: (x, y, demand, ready, due, service)}; 0 is the depot."""
    rows = [line.split() for line in path.read_text().splitlines()]
    fleet = next(r for r in rows if len(r) == 2 and all(f.isdigit() for f in r))
    nodes = {int(r[0]): tuple(float(f) for f in r[1:]) for r in rows if len(r) == 7 and r[0].isdigit()}
    return int(fleet[0]), int(fleet[1]), nodes


def problems(path: Path, answer: dict) -> tuple[list[str], float]:
    """The rules the answer breaks and its distance, computed here in double precision."""
    vehicles, capacity, nodes = read_instance(path)
    routes, broken, total = answer["routes"], [], 0.0
    if answer["unassigned"]:
        broken.append(f"unassigned {answer['unassigned']}")
    if sorted(n for r in routes for n in r) != sorted(n for n in nodes if n != 0):
        broken.append("customers missing or repeated")
    if len(routes) > vehicles:
        broken.append(f"{len(routes)} routes for {vehicles} vehicles")
    for route in routes:
        if sum(nodes[n][2] for n in route) > capacity:
            broken.append(f"route {route}: over capacity")
        clock, here = nodes[0][3], 0
        for there in [*route, 0]:
            leg = math.hypot(nodes[here][0] - nodes[there][0], nodes[here][1] - nodes[there][1])
            total += leg
            clock += nodes[here][5] + leg
            if clock > nodes[there][4]:
                broken.append(f"{there} reached at {clock:.6f} > due {nodes[there][4]}")
            clock, here = max(clock, nodes[there][3]), there
    return broken, total


def load() -> str:
    """The one-minute load average (Linux), or '?'."""
    try:
        return Path("/proc/loadavg").read_text().split()[0]
    except OSError:
        return "?"


def run_pass(args, names, best, engines: list[str]) -> dict[str, tuple[float, bool, float]]:
    """One pass over the instances, the engines in turn on each; prints the table;
    per engine (mean gap, all feasible, slowest seconds)."""
    print("| instance | engine | distance | vehicles | best known | gap | seconds | feasible |")
    print("|---|---|---|---|---|---|---|---|")
    gaps = {engine: [] for engine in engines}
    feasible = dict.fromkeys(engines, True)
    slowest = dict.fromkeys(engines, 0.0)
    for name, engine in ((name, engine) for name in names for engine in engines):
        path = args.dir / f"{name}.txt"
        started = time.monotonic()
        done = subprocess.run(
            [*COMMAND, str(path), "--format", "solomon", "--time-limit", f"{args.time_limit:g}", "--engine", engine],
            capture_output=True,
            text=True,
            check=True,
            cwd=REPO,
        )
        seconds = time.monotonic() - started
        slowest[engine] = max(slowest[engine], seconds)
        answer = json.loads(done.stdout)
        broken, distance = problems(path, answer)
        feasible[engine] &= not broken
        gap = (distance - best[name]) / best[name] * 100 if name in best else float("nan")
        gaps[engine].append(gap)
        print(
            f"| {name} | {engine} | {distance:.2f} | {answer['vehicles']} | {best.get(name, float('nan')):.2f} "
            f"| {gap:.2f} % | {seconds:.1f} | {'yes' if not broken else 'NO: ' + '; '.join(broken[:3])} |",
            flush=True,
        )
    return {e: (sum(gaps[e]) / len(gaps[e]), feasible[e], slowest[e]) for e in engines}


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print its tables."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dir", type=Path, default=REPO.parent / "shared" / "bench" / "solomon")
    parser.add_argument("--time-limit", type=float, default=10.0)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--engine", choices=["pyvrp", "ortools", "both"], default="pyvrp")
    parser.add_argument("names", nargs="*", help="instances to run (default: every *.txt)")
    args = parser.parse_args(argv)
    args.dir = args.dir.resolve()
    best = {row["instance"]: float(row["distance"]) for row in csv.DictReader((args.dir / "bks.csv").open())}
    names = args.names or sorted(p.stem for p in args.dir.glob("*.txt"))
    engines = ["pyvrp", "ortools"] if args.engine == "both" else [args.engine]
    means, every_feasible = {engine: [] for engine in engines}, True
    for number in range(1, args.runs + 1):
        before = load()
        results = run_pass(args, names, best, engines)
        after = load()
        print()
        for engine, (mean, feasible, slowest) in results.items():
            means[engine].append(mean)
            every_feasible &= feasible
            print(
                f"run {number}, {engine}: mean gap {mean:.2f} % over {len(names)} instances, "
                f"{'all feasible' if feasible else 'SOME INFEASIBLE'}, time limit {args.time_limit:g} s, "
                f"slowest command {slowest:.1f} s, load average {before} before / {after} after",
                flush=True,
            )
        print()
    if args.runs > 1:
        for engine, per_run in means.items():
            print(
                f"{engine}: mean gap per run: {', '.join(f'{m:.2f} %' for m in per_run)}; "
                f"mean {sum(per_run) / len(per_run):.2f} %"
            )
    return 0 if every_feasible else 1


if __name__ == "__main__":
    sys.exit(main())
