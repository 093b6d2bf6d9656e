"""Benchmark of the routing engine on Solomon's VRPTW instances.

    python bench/solomon.py [--dir ../shared/bench/solomon] [--time-limit 10] [NAME ...]

For each instance: distance (double precision), vehicles used, gap to the best-known
distance in bks.csv, wall-clock seconds of solve_solomon_file (reading, model building
and search), and whether the solution is feasible (checked in doubles). Then the mean gap.
"""

from __future__ import annotations

import argparse
import csv
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tourplanner.routing.solomon import check_solution, read_solomon, solve_solomon_file  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print its table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dir", type=Path, default=REPO.parent / "shared" / "bench" / "solomon")
    parser.add_argument("--time-limit", type=float, default=10.0)
    parser.add_argument("names", nargs="*", help="instances to run (default: every *.txt)")
    args = parser.parse_args(argv)
    best = {row["instance"]: float(row["distance"]) for row in csv.DictReader((args.dir / "bks.csv").open())}
    names = args.names or sorted(p.stem for p in args.dir.glob("*.txt"))
    print("| instance | distance | vehicles | best known | gap | seconds | feasible |")
    print("|---|---|---|---|---|---|---|")
    gaps, all_feasible = [], True
    for name in names:
        path = args.dir / f"{name}.txt"
        started = time.monotonic()
        answer = solve_solomon_file(str(path), args.time_limit)
        seconds = time.monotonic() - started
        instance = read_solomon(path)
        feasible = not answer["unassigned"] and not check_solution(instance, answer["routes"], answer["unassigned"])
        all_feasible &= feasible
        gap = (answer["distance"] - best[name]) / best[name] * 100 if name in best else float("nan")
        gaps.append(gap)
        print(
            f"| {name} | {answer['distance']:.2f} | {answer['vehicles']} | {best.get(name, float('nan')):.2f} "
            f"| {gap:.2f} % | {seconds:.1f} | {'yes' if feasible else 'NO'} |",
            flush=True,
        )
    print(f"\nmean gap {sum(gaps) / len(gaps):.2f} % over {len(gaps)} instances, "
          f"{'all feasible' if all_feasible else 'SOME INFEASIBLE'}, time limit {args.time_limit:g} s")
    return 0 if all_feasible else 1


if __name__ == "__main__":
    sys.exit(main())
