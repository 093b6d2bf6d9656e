"""Bookings under load: throughput and p99 latency of POST /tours/{id}/bookings on a real
multi-process server, each as a ratio to GET /healthz on the same server in the same run.

    python bench/bookings.py                                  # SQLite (a temporary file)
    python bench/bookings.py --postgresql postgresql+psycopg://user@host:port/db --reset
    python bench/bookings.py --requests 600 --concurrency 16 --workers 4 --tours 10
    python bench/bookings.py --cpu [--profile]                # CPU per booking in one process

--cpu measures what the server cannot hide behind the machine's load: the CPU time one
process spends per booking and per GET /healthz (Flask's test client, SQLite, mail off),
and with --profile the top of a cProfile of the bookings.

/healthz and the bookings are measured in alternating slices (--rounds, 3 by default), so
that a change of the machine's load during the run weighs on both alike.

Bookings of 1–3 seats go to the tours in turn (each two coaches of 25 seats, as a real
ZI Tour), so some are confirmed and some waitlisted; afterwards the script checks that
no coach holds more than its seats.

The server is started as in production: gunicorn with several worker processes
(`--preload`, one app built then forked). With --reset the PostgreSQL database's public
schema is DROPPED and recreated first — point it at a scratch database only.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


@dataclass(frozen=True)
class Measure:
    """Latencies of one endpoint over a run, and the run's wall time."""

    label: str
    latencies_s: list[float]
    wall_s: float
    errors: int

    @property
    def per_second(self) -> float:
        """Requests answered per second."""
        return len(self.latencies_s) / self.wall_s

    def percentile_ms(self, q: float) -> float:
        """The q-th percentile latency in milliseconds."""
        ordered = sorted(self.latencies_s)
        return 1000 * ordered[min(len(ordered) - 1, int(q / 100 * len(ordered)))]


#: Each tour of the run: two coaches, as a real ZI Tour.
BUS_SEATS = [25, 25]


def prepare(url: str, reset: bool, tours: int, prescribers: int) -> tuple[list[int], list[str]]:
    """Migrate the database, create published tours and prescribers: (tour ids, prescribers' tokens)."""
    from flask_migrate import upgrade
    from sqlalchemy import text

    from tourplanner import create_app
    from tourplanner.accounts.enums import Role
    from tourplanner.accounts.operations import create_api_token, create_user
    from tourplanner.extensions import db
    from tourplanner.tours import operations as tour_ops
    from tourplanner.tours.details import TourDetails

    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "SMTP_HOST": None})
    with app.app_context():
        if reset and url.startswith("postgresql"):
            with db.engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
        upgrade()
        run = f"{int(time.time())}{random.randrange(1000)}"
        organiser = create_user(f"bench-organiser-{run}@example.fr", "Bench", Role.ORGANISER, f"Bench {run}", None)
        paris = ZoneInfo("Europe/Paris")
        day = datetime.now(paris) + timedelta(days=30)
        created = []
        for n in range(tours):
            tour = tour_ops.create_tour(
                TourDetails(
                    title=f"Bench {n}",
                    start=day.replace(hour=8, minute=30),
                    end=day.replace(hour=17, minute=0),
                    meeting_point_name="Part-Dieu",
                    meeting_lat=45.76,
                    meeting_lon=4.86,
                    bus_seats=BUS_SEATS,
                    booking_deadline=day - timedelta(days=2),
                ),
                organiser,
            )
            tour_ops.publish_tour(tour, organiser)
            created.append(tour)
        tokens = []
        for n in range(prescribers):
            user = create_user(
                f"bench-{run}-{n}@example.fr", f"Prescripteur {n}", Role.PRESCRIBER, f"Agence {run} {n % 5}", None
            )
            tokens.append(create_api_token(user))
        db.session.commit()
        tour_ids = [tour.id for tour in created]
        db.engine.dispose()
    return tour_ids, tokens


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(url: str, workers: int, log_path: Path) -> tuple[subprocess.Popen, str]:
    """gunicorn on `url` with `workers` processes; waits for /healthz."""
    port = free_port()
    env = dict(os.environ, TOURPLANNER_DATABASE_URL=url, TOURPLANNER_SECRET_KEY="bench")
    env.pop("TOURPLANNER_SMTP_HOST", None)
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "-w",
                str(workers),
                "-b",
                f"127.0.0.1:{port}",
                "--preload",
                "--graceful-timeout",
                "1",
                "--backlog",
                "512",
                "tourplanner:create_app()",
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit(f"gunicorn stopped; see {log_path}")
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=5):
                return process, base
        except OSError:
            time.sleep(0.2)
    process.kill()
    sys.exit(f"gunicorn did not answer; see {log_path}")


def run(label: str, make_request, count: int, concurrency: int) -> Measure:
    """Send `count` requests from `concurrency` threads; each thread waits for its answer before the next."""
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    next_index = iter(range(count))

    def worker() -> None:
        while True:
            with lock:
                index = next(next_index, None)
            if index is None:
                return
            started = time.perf_counter()
            try:
                with urllib.request.urlopen(make_request(index), timeout=120) as response:
                    response.read()
                    ok = response.status in (200, 201)
            except (urllib.error.URLError, OSError):
                ok = False
            elapsed = time.perf_counter() - started
            with lock:
                latencies.append(elapsed)
                errors[0] += not ok

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return Measure(label, latencies, time.perf_counter() - started, errors[0])


def slices(requests: int, rounds: int) -> list[tuple[int, int]]:
    """(first index, count) of each of `rounds` slices of `requests`, as even as can be."""
    rounds = max(1, min(rounds, requests))
    bounds = [requests * n // rounds for n in range(rounds + 1)]
    return [(bounds[n], bounds[n + 1] - bounds[n]) for n in range(rounds)]


def merged(measures: list[Measure]) -> Measure:
    """One measure of the slices of a run: their latencies, wall times and errors added up."""
    return Measure(
        measures[0].label,
        [latency for measure in measures for latency in measure.latencies_s],
        sum(measure.wall_s for measure in measures),
        sum(measure.errors for measure in measures),
    )


def bench(name: str, url: str, args: argparse.Namespace) -> list[tuple[str, Measure, Measure]]:
    """Measure /healthz and bookings on one database."""
    tour_ids, tokens = prepare(url, args.reset, tours=args.tours, prescribers=20)
    log_path = Path(tempfile.gettempdir()) / f"bench-bookings-{name}.log"
    process, base = start_server(url, args.workers, log_path)
    sizes = random.Random(1).choices([1, 2, 3], k=args.requests)
    try:

        def health(_: int) -> urllib.request.Request:
            return urllib.request.Request(f"{base}/healthz")

        def booking(index: int) -> urllib.request.Request:
            return urllib.request.Request(
                f"{base}/api/v1/tours/{tour_ids[index % len(tour_ids)]}/bookings",
                data=json.dumps({"seats": sizes[index]}).encode(),
                headers={"Authorization": f"Bearer {tokens[index % len(tokens)]}", "Content-Type": "application/json"},
                method="POST",
            )

        run("warm-up", health, 50, args.concurrency)
        # In alternating slices, so that both endpoints meet the same load of the machine (other
        # work beside the benchmark moves /healthz's figure more than the code does).
        healthz_slices, booking_slices = [], []
        for start, count in slices(args.requests, args.rounds):
            healthz_slices.append(run("GET /healthz", health, count, args.concurrency))
            booking_slices.append(
                run(
                    "POST /tours/{id}/bookings",
                    lambda index, start=start: booking(start + index),
                    count,
                    args.concurrency,
                )
            )
        healthz, bookings = merged(healthz_slices), merged(booking_slices)
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=30)
    check_no_overbooking(url, tour_ids)
    return [(name, healthz, bookings)]


def check_no_overbooking(url: str, tour_ids: list[int]) -> None:
    """Say how many seats were confirmed and stop if any coach holds more than its seats."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT b.id, b.seats, COALESCE(SUM(k.seats), 0) FROM buses b "
                "LEFT JOIN bookings k ON k.bus_id = b.id AND k.status = 'confirmed' "
                "WHERE b.tour_id BETWEEN :a AND :z GROUP BY b.id, b.seats"
            ),
            {"a": min(tour_ids), "z": max(tour_ids)},
        ).all()
        waiting = conn.execute(
            text("SELECT COUNT(*) FROM bookings WHERE tour_id BETWEEN :a AND :z AND status = 'waitlisted'"),
            {"a": min(tour_ids), "z": max(tour_ids)},
        ).scalar()
    engine.dispose()
    over = [(position, seats, held) for position, seats, held in rows if held > seats]
    print(
        f"  check: {sum(r[2] for r in rows)} of {sum(r[1] for r in rows)} seats confirmed, {waiting} bookings waiting, "
        f"{'NO coach overbooked' if not over else f'OVERBOOKED: {over}'}"
    )
    if over:
        sys.exit(1)


def cpu_per_request(args: argparse.Namespace) -> None:
    """CPU milliseconds per booking and per /healthz in one process; the profile's top with --profile."""
    import cProfile
    import pstats

    from tourplanner import create_app

    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{folder}/bench.sqlite"
        tour_ids, tokens = prepare(url, False, tours=args.tours, prescribers=20)
        app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "MAIL_DELIVERY": "off"})
        client = app.test_client()
        sizes = random.Random(1).choices([1, 2, 3], k=args.requests)

        def book(index: int) -> None:
            response = client.post(
                f"/api/v1/tours/{tour_ids[index % len(tour_ids)]}/bookings",
                json={"seats": sizes[index]},
                headers={"Authorization": f"Bearer {tokens[index % len(tokens)]}"},
            )
            assert response.status_code == 201, response.get_data(as_text=True)

        for index in range(20):  # warm-up: first statements compiled, caches filled
            book(index)
            client.get("/healthz")
        started = time.process_time()
        for _ in range(args.requests):
            client.get("/healthz")
        healthz_ms = (time.process_time() - started) * 1000 / args.requests
        profile = cProfile.Profile() if args.profile else None
        started = time.process_time()
        if profile:
            profile.enable()
        for index in range(args.requests):
            book(index)
        if profile:
            profile.disable()
        booking_ms = (time.process_time() - started) * 1000 / args.requests
        print(
            f"CPU per request, one process, {args.requests} each: GET /healthz {healthz_ms:.2f} ms, "
            f"POST /tours/{{id}}/bookings {booking_ms:.2f} ms{' (profiled)' if profile else ''}, "
            f"ratio {healthz_ms / booking_ms:.2f}"
        )
        if profile:
            pstats.Stats(profile).sort_stats("cumulative").print_stats(35)
        check_no_overbooking(url, tour_ids)


def main() -> None:
    """Run the benchmark on SQLite, and on PostgreSQL when a URL is given; print the table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=400, help="requests per endpoint (default 400)")
    parser.add_argument("--concurrency", type=int, default=8, help="client threads (default 8)")
    parser.add_argument(
        "--tours", type=int, default=10, help="tours booked in turn, 2 coaches of 25 seats each (default 10)"
    )
    parser.add_argument("--workers", type=int, default=4, help="gunicorn worker processes (default 4)")
    parser.add_argument(
        "--rounds",
        type=int,
        default=3,
        help="/healthz and bookings measured in this many alternating slices (default 3; 1: one after the other)",
    )
    parser.add_argument("--postgresql", metavar="URL", help="also measure on this PostgreSQL database")
    parser.add_argument("--reset", action="store_true", help="drop and recreate the PostgreSQL schema first")
    parser.add_argument("--cpu", action="store_true", help="CPU per booking and per /healthz in one process")
    parser.add_argument("--profile", action="store_true", help="with --cpu: print the top of a cProfile")
    args = parser.parse_args()
    if args.cpu:
        cpu_per_request(args)
        return

    results = []
    with tempfile.TemporaryDirectory() as folder:
        print("SQLite…")
        results += bench("sqlite", f"sqlite:///{folder}/bench.sqlite", args)
    if args.postgresql:
        print("PostgreSQL…")
        results += bench("postgresql", args.postgresql, args)

    print(
        f"\n{args.requests} requests per endpoint (bookings of 1-3 seats spread over {args.tours} tours of "
        f"{sum(BUS_SEATS)} seats), {args.concurrency} client threads, {args.workers} gunicorn workers, "
        f"{args.rounds} alternating rounds\n"
    )
    header = f"{'database':<11}{'endpoint':<28}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'errors':>8}"
    print(header)
    print("-" * len(header))
    for name, healthz, bookings in results:
        for measure in (healthz, bookings):
            print(
                f"{name:<11}{measure.label:<28}{measure.per_second:>9.1f}{measure.percentile_ms(50):>9.1f}"
                f"{measure.percentile_ms(99):>9.1f}{measure.errors:>8}"
            )
        print(
            f"{name:<11}{'ratio bookings / healthz':<28}{bookings.per_second / healthz.per_second:>9.2f}"
            f"{bookings.percentile_ms(50) / healthz.percentile_ms(50):>9.2f}"
            f"{bookings.percentile_ms(99) / healthz.percentile_ms(99):>9.2f}"
        )
    print(
        "\nmean latency: "
        + ", ".join(f"{name} {statistics.mean(b.latencies_s) * 1000:.1f} ms" for name, _, b in results)
    )


if __name__ == "__main__":
    main()
