"""Benchmark of the routing engine on Solomon's VRPTW instances, through the real command.

    python bench/solomon.py [--dir ../shared/bench/solomon] [--time-limit 10] [--runs 1] [NAME ...]

Each instance is solved by `tourplanner solve FILE --format solomon --time-limit T` in its
own process, as a user would run it. For each: distance (recomputed here in double
precision), vehicles, gap to the best-known distance in bks.csv, wall-clock seconds of the
whole command (start-up included: the contract's bound is the limit plus one second), and
whether the answer is feasible — checked by this script alone, not by the engine's checker:
every customer once, at most the instance's vehicles, capacity, windows with exact
Euclidean travel times, service times, back at the depot by its due time. Then the mean
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


def run(args, names, best) -> tuple[float, bool, float]:
    """One pass over the instances; prints the table; (mean gap, all feasible, slowest seconds)."""
    print("| instance | distance | vehicles | best known | gap | seconds | feasible |")
    print("|---|---|---|---|---|---|---|")
    gaps, all_feasible, slowest = [], True, 0.0
    for name in names:
        path = args.dir / f"{name}.txt"
        started = time.monotonic()
        done = subprocess.run(
            [*COMMAND, str(path), "--format", "solomon", "--time-limit", f"{args.time_limit:g}"],
            capture_output=True,
            text=True,
            check=True,
            cwd=REPO,
        )
        seconds = time.monotonic() - started
        slowest = max(slowest, seconds)
        answer = json.loads(done.stdout)
        broken, distance = problems(path, answer)
        all_feasible &= not broken
        gap = (distance - best[name]) / best[name] * 100 if name in best else float("nan")
        gaps.append(gap)
        print(
            f"| {name} | {distance:.2f} | {answer['vehicles']} | {best.get(name, float('nan')):.2f} "
            f"| {gap:.2f} % | {seconds:.1f} | {'yes' if not broken else 'NO: ' + '; '.join(broken[:3])} |",
            flush=True,
        )
    return sum(gaps) / len(gaps), all_feasible, slowest


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print its tables."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dir", type=Path, default=REPO.parent / "shared" / "bench" / "solomon")
    parser.add_argument("--time-limit", type=float, default=10.0)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("names", nargs="*", help="instances to run (default: every *.txt)")
    args = parser.parse_args(argv)
    args.dir = args.dir.resolve()
    best = {row["instance"]: float(row["distance"]) for row in csv.DictReader((args.dir / "bks.csv").open())}
    names = args.names or sorted(p.stem for p in args.dir.glob("*.txt"))
    means, every_feasible = [], True
    for number in range(1, args.runs + 1):
        before = load()
        mean, feasible, slowest = run(args, names, best)
        means.append(mean)
        every_feasible &= feasible
        print(
            f"\nrun {number}: mean gap {mean:.2f} % over {len(names)} instances, "
            f"{'all feasible' if feasible else 'SOME INFEASIBLE'}, time limit {args.time_limit:g} s, "
            f"slowest command {slowest:.1f} s, load average {before} before / {load()} after\n",
            flush=True,
        )
    if args.runs > 1:
        print(f"mean gap per run: {', '.join(f'{m:.2f} %' for m in means)}; mean {sum(means) / len(means):.2f} %")
    return 0 if every_feasible else 1


if __name__ == "__main__":
    sys.exit(main())
