"""The race: many prescribers book at once against a real multi-process server.

A gunicorn server with 4 worker processes runs on the test's database (SQLite file, or
the PostgreSQL of TOURPLANNER_TEST_DATABASE_URL); dozens of threads fire their requests
together. Nothing may be lost, no bus overbooked, and the outcome must be the one a
single clerk serving the requests one by one, in booking order, would have produced.
"""

from __future__ import annotations

import json
import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from tourplanner.accounts.enums import Role
from tourplanner.bookings.models import Booking
from tourplanner.tours.models import Bus

ROOT = Path(__file__).resolve().parents[2]
WORKERS = 4


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass(frozen=True)
class LiveServer:
    """A running server: its base URL and its log."""

    url: str
    log_path: Path

    def unexpected(self, results: list[Any], *statuses: int) -> str:
        """For failure messages: the results that are not an answer with one of `statuses`, and the log's end."""
        odd = [r for r in results if not (isinstance(r, tuple) and r[0] in statuses)]
        return f"{odd}\n--- server log ---\n{self.log_path.read_text(errors='replace')[-6000:]}"


@pytest.fixture
def server(app, database_url: str, tmp_path: Path) -> Iterator[LiveServer]:
    """A real gunicorn server with several worker processes on the test's database."""
    port = free_port()
    env = dict(os.environ)
    env.pop("TOURPLANNER_SMTP_HOST", None)
    env.update(
        {
            "TOURPLANNER_DATABASE_URL": database_url,
            "TOURPLANNER_SECRET_KEY": "race-test-secret",
            "TOURPLANNER_BASE_URL": "http://tourplanner.test",
        }
    )
    log_path = tmp_path / "gunicorn.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "-w",
                str(WORKERS),
                "-b",
                f"127.0.0.1:{port}",
                # --preload: the app is built once, then forked; each worker opens its own connections.
                "--preload",
                "--timeout",
                "120",
                "--graceful-timeout",
                "1",
                "--backlog",
                "256",
                "tourplanner:create_app()",
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            if process.poll() is not None:
                pytest.fail(f"gunicorn stopped:\n{log_path.read_text(errors='replace')}")
            try:
                with urllib.request.urlopen(f"{base}/healthz", timeout=5) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"gunicorn did not answer:\n{log_path.read_text(errors='replace')}")
            time.sleep(0.2)
        yield LiveServer(base, log_path)
    finally:
        process.send_signal(signal.SIGINT)  # gunicorn's quick shutdown
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def call(
    server: LiveServer, method: str, path: str, token: str, body: Any = None, headers: dict[str, str] | None = None
) -> tuple[int, dict[str, Any]]:
    """One API request over HTTP: (status, JSON answer)."""
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(f"{server.url}/api/v1{path}", data=data, method=method)
    request.add_header("Authorization", f"Bearer {token}")
    if data is not None:
        request.add_header("Content-Type", "application/json")
    for name, value in (headers or {}).items():
        request.add_header(name, value)
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


def all_at_once(calls: list[Callable[[], Any]]) -> list[Any]:
    """Run every call in its own thread, released together; their results in the same order."""
    results: list[Any] = [None] * len(calls)
    start = threading.Barrier(len(calls))

    def run(index: int) -> None:
        start.wait()
        try:
            results[index] = calls[index]()
        except Exception as error:
            results[index] = error

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def stored(db, tour_id: int) -> list[tuple[int, str, int, int | None]]:
    """(id, status, seats, bus position) of the tour's bookings as committed, by id."""
    db.session.rollback()  # a fresh look at what the server committed
    rows = db.session.execute(
        select(Booking.id, Booking.status, Booking.seats, Bus.position)
        .outerjoin(Bus, Booking.bus_id == Bus.id)
        .where(Booking.tour_id == tour_id)
        .order_by(Booking.id)
    ).all()
    return [(i, status.value, seats, position) for i, status, seats, position in rows]


def serve_one_by_one(
    bus_seats: list[int], bookings: list[tuple[int, int]], cancelled: list[int]
) -> dict[int, tuple[str, int | None]]:
    """The rules played by hand: bookings (id, seats) in id order, then cancellations in order.

    A booking goes on the first bus with room for all its seats, else waits; a cancellation
    frees its seats, then each waiting booking, earliest first, takes a bus if it fits.
    """
    free = list(bus_seats)
    state: dict[int, tuple[str, int | None]] = {}
    seats_of = dict(bookings)

    def place(booking_id: int) -> bool:
        for position, room in enumerate(free):
            if room >= seats_of[booking_id]:
                free[position] -= seats_of[booking_id]
                state[booking_id] = ("confirmed", position)
                return True
        return False

    for booking_id, _ in sorted(bookings):
        if not place(booking_id):
            state[booking_id] = ("waitlisted", None)
    for booking_id in cancelled:
        status, position = state[booking_id]
        if status == "confirmed":
            free[position] += seats_of[booking_id]
        state[booking_id] = ("cancelled", position)
        for waiting_id in sorted(i for i, (s, _) in state.items() if s == "waitlisted"):
            place(waiting_id)
    return state


def test_fifty_parallel_bookings_never_overbook_and_keep_their_order(
    server, make_tour, make_user, token_for, db
) -> None:
    """60 one-seat bookings at once on 20 seats: exactly 20 confirmed, the first 20; the rest wait in order; none
    lost."""
    tour_id = make_tour(published=True, bus_seats=[20]).id  # threads have no app context: plain values only
    prescribers = [make_user(Role.PRESCRIBER) for _ in range(12)]
    tokens = [token_for(user) for user in prescribers]
    organiser_token = token_for(make_user(Role.ORGANISER))

    answers = all_at_once(
        [
            (lambda i=i: call(server, "POST", f"/tours/{tour_id}/bookings", tokens[i % len(tokens)], {"seats": 1}))
            for i in range(60)
        ]
    )
    assert all(isinstance(a, tuple) and a[0] == 201 for a in answers), server.unexpected(answers, 201)
    rows = stored(db, tour_id)
    assert len(rows) == 60 == len({a[1]["id"] for a in answers})
    assert [status for _, status, _, _ in rows] == ["confirmed"] * 20 + ["waitlisted"] * 40
    assert {a[1]["id"]: a[1]["status"] for a in answers} == {i: status for i, status, _, _ in rows}
    _, listed = call(server, "GET", f"/tours/{tour_id}/bookings?limit=200", organiser_token)
    waiting = [(b["id"], b["waiting_position"]) for b in listed["bookings"] if b["status"] == "waitlisted"]
    assert waiting == [(row[0], n) for n, row in enumerate(rows[20:], start=1)]

    # Seven prescribers cancel while five more book, all at once: the seven earliest waiting get the seats.
    owner = {a[1]["id"]: tokens[i % len(tokens)] for i, a in enumerate(answers)}
    to_cancel = [row[0] for row in rows[:20:3]]  # 7 confirmed bookings
    results = all_at_once(
        [(lambda b=b: call(server, "DELETE", f"/bookings/{b}", owner[b])) for b in to_cancel]
        + [(lambda i=i: call(server, "POST", f"/tours/{tour_id}/bookings", tokens[i], {"seats": 1})) for i in range(5)]
    )
    assert all(isinstance(r, tuple) and r[0] in (200, 201) for r in results), server.unexpected(results, 200, 201)
    promoted = sorted(b for status, body in results[:7] for b in body["promoted"])
    earliest_waiting = [row[0] for row in rows[20:27]]
    assert promoted == earliest_waiting
    after = stored(db, tour_id)
    assert len(after) == 65
    confirmed = [i for i, status, _, _ in after if status == "confirmed"]
    assert len(confirmed) == 20
    assert set(confirmed) == {row[0] for row in rows[:20]} - set(to_cancel) | set(earliest_waiting)
    _, seats = call(server, "GET", f"/tours/{tour_id}", organiser_token)
    assert (seats["seats_confirmed"], seats["seats_waitlisted"]) == (20, 38)


def test_mixed_sizes_on_two_buses_match_the_rules_played_one_by_one(
    server, make_tour, make_user, token_for, db
) -> None:
    """Bookings of 1–3 seats and retried keys, all at once: the result is what serving them in order gives."""
    bus_seats = [11, 9]
    tour_id = make_tour(published=True, bus_seats=bus_seats).id
    prescribers = [make_user(Role.PRESCRIBER) for _ in range(10)]
    tokens = [token_for(user) for user in prescribers]
    sizes = random.Random(20).choices([1, 2, 3], k=50)
    requests = [(tokens[i % 10], {"seats": sizes[i]}, {}) for i in range(50)]
    # Five clients retry at once with their Idempotency-Key: each pair must make one booking.
    retried = [(tokens[i], {"seats": 2}, {"Idempotency-Key": f"retry-{i}"}) for i in range(5)]
    requests += retried + retried
    answers = all_at_once(
        [(lambda t=t, b=b, h=h: call(server, "POST", f"/tours/{tour_id}/bookings", t, b, h)) for t, b, h in requests]
    )
    assert all(isinstance(a, tuple) and a[0] == 201 for a in answers), server.unexpected(answers, 201)
    for first, again in zip(answers[50:55], answers[55:60], strict=True):
        assert first[1]["id"] == again[1]["id"]

    rows = stored(db, tour_id)
    assert len(rows) == 55 == len({a[1]["id"] for a in answers})
    for position, seats in enumerate(bus_seats):
        assert sum(s for _, status, s, bus in rows if status == "confirmed" and bus == position) <= seats
    expected = serve_one_by_one(bus_seats, [(i, s) for i, _, s, _ in rows], [])
    assert {i: (status, bus) for i, status, _, bus in rows} == expected

    # Cancellations one after the other: each time, the earliest waiting booking whose seats fit, then the next.
    confirmed = [i for i, status, _, _ in rows if status == "confirmed"]
    owner = {a[1]["id"]: requests[n][0] for n, a in enumerate(answers)}
    cancelled: list[int] = []
    for booking_id in confirmed[::3]:
        status, body = call(server, "DELETE", f"/bookings/{booking_id}", owner[booking_id])
        assert status == 200 and body["status"] == "cancelled"
        cancelled.append(booking_id)
        now = stored(db, tour_id)
        expected = serve_one_by_one(bus_seats, [(i, s) for i, _, s, _ in rows], cancelled)
        assert {i: (status, bus) for i, status, _, bus in now} == expected

    # And a burst of cancellations at once: still no bus over its seats, and no waiting booking that would fit.
    burst = [i for i, status, _, _ in stored(db, tour_id) if status == "confirmed"][1::2]
    results = all_at_once([(lambda b=b: call(server, "DELETE", f"/bookings/{b}", owner[b])) for b in burst])
    assert all(isinstance(r, tuple) and r[0] == 200 for r in results), server.unexpected(results, 200)
    final = stored(db, tour_id)
    free = list(bus_seats)
    for _, status, seats, bus in final:
        if status == "confirmed":
            free[bus] -= seats
    assert min(free) >= 0
    assert all(seats > max(free) for _, status, seats, _ in final if status == "waitlisted")
