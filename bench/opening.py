"""The day bookings open: 500 prescribers book within the first minute of a tour's opening.

    python bench/opening.py --postgresql postgresql+psycopg://user@host:port/db --reset
    python bench/opening.py --postgresql URL --reset --prescribers 500 --seconds 60 --workers 4

The server runs as in production (gunicorn, 4 worker processes, `--preload`, rate limits
on) on PostgreSQL. Each prescriber has their own API token and sends one booking of 1–3
seats, with an Idempotency-Key, at a moment of the first minute drawn as a rush: half of
them in the first 10 seconds, the rest spread over the minute (open loop: a request leaves
at its moment whether or not the earlier ones were answered). Before the rush, GET /healthz
is measured on the same server for comparison.

Afterwards the script checks, in the database, that nothing was lost and nothing
overbooked: every request answered 201; one booking per prescriber, each the one its answer
named, with the status and seats it answered; confirmed plus waiting seats equal to the
seats asked for; no coach holding more than its seats; the waiting list served first come,
first served (no waiting booking would fit where a later one was confirmed). It exits with
status 1 if any check fails. With --reset the database's public schema is DROPPED first —
point it at a scratch database only.
"""

from __future__ import annotations

import argparse
import json
import random
import signal
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.bookings import BUS_SEATS, Measure, prepare, run, start_server  # noqa: E402


def rush_moments(count: int, seconds: float, seed: int = 14) -> list[float]:
    """When each prescriber's request leaves, in seconds after the opening: half in the first sixth."""
    rng = random.Random(seed)
    early = count // 2
    moments = [rng.uniform(0, seconds / 6) for _ in range(early)]
    moments += [rng.uniform(0, seconds) for _ in range(count - early)]
    return sorted(moments)


def rush(
    base: str, tour_id: int, tokens: list[str], sizes: list[int], moments: list[float], threads: int
) -> tuple[Measure, list[dict | None]]:
    """Send each prescriber's booking at its moment; the answers (None when none came) in prescriber order."""
    answers: list[dict | None] = [None] * len(tokens)
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    order = iter(range(len(tokens)))
    started = time.perf_counter() + 0.5

    def worker() -> None:
        while True:
            with lock:
                index = next(order, None)
            if index is None:
                return
            time.sleep(max(0.0, started + moments[index] - time.perf_counter()))
            request = urllib.request.Request(
                f"{base}/api/v1/tours/{tour_id}/bookings",
                data=json.dumps({"seats": sizes[index]}).encode(),
                headers={
                    "Authorization": f"Bearer {tokens[index]}",
                    "Content-Type": "application/json",
                    "Idempotency-Key": f"opening-{index}",
                },
                method="POST",
            )
            sent = time.perf_counter()
            try:
                with urllib.request.urlopen(request, timeout=120) as response:
                    body = json.loads(response.read())
                    ok = response.status == 201
            except urllib.error.HTTPError as exc:
                body, ok = {"http_status": exc.code, "detail": exc.read()[:300].decode(errors="replace")}, False
            except OSError as exc:
                body, ok = {"error": str(exc)}, False
            elapsed = time.perf_counter() - sent
            with lock:
                latencies.append(elapsed)
                errors[0] += not ok
                answers[index] = body if ok else None
                if not ok:
                    print(f"  prescriber {index}: no booking: {body}")

    # Enough threads that a request never waits for a free thread: the rush is open loop.
    pool = [threading.Thread(target=worker) for _ in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    wall = time.perf_counter() - started
    return Measure("POST bookings (rush)", latencies, wall, errors[0]), answers


def subscribe_everyone(url: str) -> None:
    """A feed token for every prescriber: each booking then appends a feed change for every subscriber of the
    tour (calendar/feed_stamp.py), which the rush pays for."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO calendar_tokens (user_id, token_hash, version, created_at)"
                " SELECT id, md5('feed' || id) || md5('bench' || id), 1, now() FROM users WHERE role = 'prescriber'"
            )
        )
    engine.dispose()


def feed_rows(url: str) -> int:
    """How many feed changes the database holds."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.connect() as conn:
        count = conn.execute(text("SELECT count(*) FROM feed_changes")).scalar_one()
    engine.dispose()
    return count


def check(url: str, tour_id: int, sizes: list[int], answers: list[dict | None]) -> list[str]:
    """What went wrong, checked in the database: lost requests, wrong answers, overbooking, order."""
    from sqlalchemy import create_engine, text

    problems = []
    engine = create_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(
            text("SELECT id, seats, status, bus_id FROM bookings WHERE tour_id = :t ORDER BY id"), {"t": tour_id}
        ).all()
        buses = conn.execute(
            text("SELECT id, seats FROM buses WHERE tour_id = :t ORDER BY position"), {"t": tour_id}
        ).all()
    engine.dispose()
    stored = {row.id: row for row in rows}
    answered = [a for a in answers if a is not None]
    if len(answered) != len(answers):
        problems.append(f"{len(answers) - len(answered)} requests without a 201")
    if len(rows) != len(answered):
        problems.append(f"{len(rows)} bookings stored for {len(answered)} answered")
    for index, answer in enumerate(answers):
        if answer is None:
            continue
        row = stored.get(answer["id"])
        if row is None or row.seats != sizes[index] or row.status != answer["status"]:
            problems.append(f"prescriber {index}: answered {answer['id']} {answer['status']}, stored {row}")
    asked = sum(sizes[i] for i, a in enumerate(answers) if a is not None)
    holding = sum(r.seats for r in rows if r.status in ("confirmed", "waitlisted"))
    if holding != asked:
        problems.append(f"{holding} seats confirmed or waiting for {asked} asked")
    for bus in buses:
        held = sum(r.seats for r in rows if r.bus_id == bus.id and r.status == "confirmed")
        if held > bus.seats:
            problems.append(f"coach {bus.id} OVERBOOKED: {held} of {bus.seats} seats")
    # First come, first served: a waiting booking never fits in what the coaches have left.
    free = {
        bus.id: bus.seats - sum(r.seats for r in rows if r.bus_id == bus.id and r.status == "confirmed")
        for bus in buses
    }
    for row in rows:
        if row.status == "waitlisted" and any(room >= row.seats for room in free.values()):
            problems.append(f"booking {row.id} waits for {row.seats} seats while a coach has room")
    confirmed = sum(r.seats for r in rows if r.status == "confirmed")
    waiting = sum(1 for r in rows if r.status == "waitlisted")
    print(
        f"  check: {len(rows)} bookings for {len(answers)} prescribers; {confirmed} of "
        f"{sum(b.seats for b in buses)} seats confirmed, {waiting} bookings waiting; "
        f"{'nothing lost, nothing overbooked' if not problems else f'{len(problems)} PROBLEMS'}"
    )
    return problems


def main() -> None:
    """Prepare the tour and the prescribers, start gunicorn, measure /healthz then the rush; check."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--postgresql", metavar="URL", required=True, help="the PostgreSQL database (scratch)")
    parser.add_argument("--reset", action="store_true", help="drop and recreate the database's public schema first")
    parser.add_argument("--prescribers", type=int, default=500, help="prescribers booking (default 500)")
    parser.add_argument("--seconds", type=float, default=60, help="length of the rush (default 60)")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn worker processes (default 4)")
    parser.add_argument("--threads", type=int, default=200, help="client threads (default 200)")
    parser.add_argument(
        "--feeds", action="store_true", help="every prescriber holds a calendar feed (its triggers fan out)"
    )
    args = parser.parse_args()

    print(f"Preparing one tour ({' + '.join(map(str, BUS_SEATS))} seats) and {args.prescribers} prescribers…")
    (tour_id,), tokens = prepare(args.postgresql, args.reset, tours=1, prescribers=args.prescribers)
    if args.feeds:
        subscribe_everyone(args.postgresql)
    sizes = random.Random(6).choices([1, 2, 3], k=args.prescribers)
    moments = rush_moments(args.prescribers, args.seconds)
    log_path = Path(tempfile.gettempdir()) / "bench-opening.log"
    process, base = start_server(args.postgresql, args.workers, log_path)
    try:

        def health(_: int) -> urllib.request.Request:
            return urllib.request.Request(f"{base}/healthz")

        run("warm-up", health, 50, 8)
        healthz = run("GET /healthz", health, 400, 8)
        print(f"Rush: {args.prescribers} bookings within {args.seconds:.0f} s…")
        bookings, answers = rush(base, tour_id, tokens, sizes, moments, args.threads)
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=30)
    problems = check(args.postgresql, tour_id, sizes, answers)

    print(
        f"\n{args.prescribers} prescribers, one booking each within {args.seconds:.0f} s (half in the first "
        f"{args.seconds / 6:.0f} s), {args.workers} gunicorn workers, PostgreSQL\n"
    )
    header = f"{'endpoint':<24}{'answered':>9}{'errors':>8}{'p50 ms':>9}{'p99 ms':>9}{'max ms':>9}"
    print(header)
    print("-" * len(header))
    for measure in (healthz, bookings):
        print(
            f"{measure.label:<24}{len(measure.latencies_s):>9}{measure.errors:>8}{measure.percentile_ms(50):>9.1f}"
            f"{measure.percentile_ms(99):>9.1f}{max(measure.latencies_s) * 1000:>9.1f}"
        )
    print(
        f"{'p99 bookings / healthz':<24}{'':>17}{bookings.percentile_ms(50) / healthz.percentile_ms(50):>9.1f}"
        f"{bookings.percentile_ms(99) / healthz.percentile_ms(99):>9.1f}"
    )
    if args.feeds:
        print(f"feed changes appended (every prescriber holds a feed): {feed_rows(args.postgresql)}")
    for problem in problems:
        print("PROBLEM:", problem)
    if problems:
        sys.exit(1)


if __name__ == "__main__":
    main()
