"""A realistic bus tour: 15 company visits around Lyon's eastern industrial zones,
2 buses, slots in the morning and the afternoon, a lunch break.

    python bench/tour.py            # solves it three times, prints the itinerary and timings
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tourplanner.routing import Break, ProblemBuilder, solve

H = 3600


def realistic_tour():
    """The problem: time 0 is 8h00, buses back at the meeting point by 17h30."""
    b = ProblemBuilder(clock_origin_s=8 * H)
    meeting = b.add_place(45.7485, 4.8467, "Pôle emploi Lyon Part-Dieu")
    sites = [
        (45.7050, 4.9480, "ZI Saint-Priest — logistique"),
        (45.7120, 4.9610, "ZI Saint-Priest — plasturgie"),
        (45.6960, 4.9330, "ZI Mi-Plaine — agroalimentaire"),
        (45.7290, 4.9520, "Parc Technologique — électronique"),
        (45.7380, 5.0050, "ZI Genas — métallerie"),
        (45.7300, 5.0200, "ZI Genas — imprimerie"),
        (45.7010, 4.8800, "Vénissieux — poids lourds"),
        (45.6920, 4.8900, "Vénissieux — chimie"),
        (45.7610, 5.0200, "Meyzieu — cosmétique"),
        (45.7700, 5.0050, "Meyzieu — menuiserie industrielle"),
        (45.6880, 4.9600, "Corbas — entrepôt frigorifique"),
        (45.6700, 4.9100, "Feyzin — raffinerie"),
        (45.7200, 4.9100, "Bron — maintenance aéronautique"),
        (45.6600, 4.9900, "Saint-Pierre-de-Chandieu — transport"),
        (45.7450, 4.9700, "Chassieu — Eurexpo logistique"),
    ]
    slots = [  # (slot start h, slot end h, visit minutes, max group, accessible, priority)
        (1.0, 3.0, 60, 40, True, 2),
        (1.0, 4.0, 75, 30, True, 1),
        (1.5, 3.5, 60, 25, False, 1),
        (2.0, 4.0, 60, 40, True, 3),
        (1.0, 3.0, 45, 20, True, 1),
        (5.5, 8.0, 60, 40, True, 2),
        (6.0, 8.5, 60, 30, True, 1),
        (5.0, 7.5, 90, 40, True, 1),
        (6.0, 8.0, 60, 35, False, 2),
        (1.5, 4.0, 60, 40, True, 1),
        (5.5, 7.5, 60, 40, True, 1),
        (2.0, 3.5, 60, 25, True, 1),
        (6.5, 8.5, 45, 40, True, 1),
        (1.0, 2.5, 60, 40, True, 1),
        (5.5, 8.0, 75, 40, True, 3),
    ]
    for i, ((lat, lon, name), (s, e, minutes, group, accessible, priority)) in enumerate(
        zip(sites, slots, strict=True)
    ):
        place = b.add_place(lat, lon, name)
        b.add_visit(
            100 + i,
            place,
            [(int(s * H), int(e * H) - minutes * 60)],
            minutes * 60,
            group,
            is_accessible=accessible,
            priority=priority,
        )
    lunch = Break(int(4 * H), int(5.5 * H), 3600)
    b.add_bus(0, seats=50, start=meeting, end=meeting, start_s=0, end_s=int(9.5 * H), load=28, lunch=lunch)
    b.add_bus(
        1,
        seats=30,
        start=meeting,
        end=meeting,
        start_s=0,
        end_s=int(9.5 * H),
        load=18,
        lunch=lunch,
        carries_reduced_mobility=True,
    )
    return b.build()


def main() -> None:
    """Solve the tour three times: timings and whether the answer is the same each time."""
    started = time.perf_counter()
    problem = realistic_tour()
    print(f"problem built in {time.perf_counter() - started:.3f} s")
    results = [solve(problem) for _ in range(3)]
    print(results[0].summary())
    print("solver seconds:", ", ".join(f"{r.solve_s:.3f}" for r in results))
    print("same result each time:", all(r.routes == results[0].routes for r in results))


if __name__ == "__main__":
    main()
