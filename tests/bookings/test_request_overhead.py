"""No work a booking request repeats that a process can do once: no thread started per request
(the rate limiter's storage, the calendar updates), invitations only marked in the request."""

from __future__ import annotations

import threading
import time
from datetime import datetime
from typing import Any

import pytest
import time_machine

from tests.conftest import PARIS
from tourplanner.extensions import limiter


@pytest.fixture
def config_overrides() -> dict[str, Any]:
    """Rate limits on, calendars updated by a waiting thread (as in production) after a quiet window of 5 s."""
    return {"RATELIMIT_ENABLED": True, "MAIL_DELIVERY": "thread", "NOTIFY_DELAY_SECONDS": 5}


@pytest.fixture
def thread_starts(monkeypatch) -> list[str]:
    """The names of the threads started while the test runs."""
    started: list[str] = []
    original = threading.Thread.start

    def start(self: threading.Thread) -> None:
        started.append(self.name)
        original(self)

    monkeypatch.setattr(threading.Thread, "start", start)
    return started


def test_bookings_start_one_calendar_thread_per_process_and_none_for_the_rate_limit(
    app, make_tour, prescriber, booked, thread_starts
) -> None:
    """Five confirmed bookings, 20 ms apart: one thread waits for the calendar updates, no limiter timer."""
    tour_id = make_tour(published=True, bus_seats=[20]).id
    for _ in range(5):
        assert booked(prescriber, tour_id, 1)["status"] == "confirmed"
        time.sleep(0.02)  # more than the 10 ms after which `limits`' memory storage would start a timer again
    assert thread_starts.count("calendar-updates") == 1, thread_starts
    assert len(thread_starts) == 1, thread_starts
    # The waiter sends the update once the window has closed, then ends: nothing left running.
    waiter = app.extensions["calendar_updates_waiter"]
    thread = waiter.thread
    if thread is not None:
        thread.join(60)
        assert not thread.is_alive()
    assert waiter.thread is None


def test_the_rate_limit_still_counts_and_forgets(app, prescriber, make_tour) -> None:
    """The in-process storage counts API calls per token and drops them once out of the window."""
    app.config["RATELIMIT_API_PER_TOKEN"] = "3 per second"
    tour_id = make_tour(published=True).id
    # The clock stands still while the four calls are made (a loaded machine may take more than a second over
    # them), then moves past the window.
    with time_machine.travel(datetime(2027, 3, 9, 9, 0, 0, 500000, tzinfo=PARIS), tick=False) as clock:
        statuses = [prescriber.get(f"/tours/{tour_id}").status_code for _ in range(4)]
        assert statuses == [200, 200, 200, 429]
        clock.shift(1.1)
        assert prescriber.get(f"/tours/{tour_id}").status_code == 200
    assert type(limiter.storage).__name__ == "InlineExpiryMemoryStorage"


def test_an_api_call_counts_against_its_limit_without_flask_limiter_resolving_limits(
    app, prescriber, make_tour, monkeypatch
) -> None:
    """An API call is counted once, by the API's own check (one limit, parsed once per process), and Flask-Limiter
    is not asked which limits apply (that resolution cost each call about 0.3 ms of CPU)."""
    resolved: list[str | None] = []
    original = limiter.limit_manager.resolve_limits

    def resolving(app, endpoint=None, *args, **kwargs):
        resolved.append(endpoint)
        return original(app, endpoint, *args, **kwargs)

    monkeypatch.setattr(limiter.limit_manager, "resolve_limits", resolving)
    app.config["RATELIMIT_API_PER_TOKEN"] = "2 per minute"
    tour_id = make_tour(published=True).id
    with time_machine.travel(datetime(2027, 3, 9, 9, 0, 0, tzinfo=PARIS), tick=False):
        statuses = [prescriber.get(f"/tours/{tour_id}").status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    assert resolved == []
