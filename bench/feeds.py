"""A prescriber's calendar feed of many events: full answer and conditional (304) answer,
each as a ratio to GET /healthz, in one process through the WSGI test client (no network).

    python bench/feeds.py                 # 1,000 tours booked, SQLite in a temporary folder
    python bench/feeds.py --events 200
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def timed(call, repeat: int) -> float:  # noqa: ANN001
    """Median wall time of `call` over `repeat` runs, in seconds."""
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    """Build the data, then measure."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1000)
    parser.add_argument("--profile", action="store_true", help="print where the time goes instead of timing")
    args = parser.parse_args()

    from tourplanner import create_app
    from tourplanner.accounts.enums import OrganisationKind, Role
    from tourplanner.accounts.models import Organisation, User
    from tourplanner.bookings.enums import BookingStatus
    from tourplanner.bookings.models import Booking
    from tourplanner.calendar.tokens import feed_secret, feed_url
    from tourplanner.extensions import db
    from tourplanner.tours.enums import TourStatus
    from tourplanner.tours.models import Bus, Tour

    folder = Path(tempfile.mkdtemp(prefix="tourplanner-feeds-"))
    app = create_app({"DATABASE_URL": f"sqlite:///{folder / 'bench.sqlite'}", "SECRET_KEY": "bench",
                      "BASE_URL": "http://bench.test", "TESTING": True})
    with app.app_context():
        db.create_all()
        org = Organisation(name="Mission locale", kind=OrganisationKind.MISSION_LOCALE)
        user = User(email="camille@example.fr", name="Camille", role=Role.PRESCRIBER, organisation=org)
        db.session.add_all([org, user])
        start = datetime.now(timezone.utc).replace(microsecond=0) + timedelta(days=10)
        for n in range(args.events):
            day = start + timedelta(days=n % 300, minutes=n)
            tour = Tour(title=f"ZI Tour n°{n}", status=TourStatus.PUBLISHED, start_at=day, end_at=day + timedelta(hours=8),
                        meeting_point_name="Gare", meeting_lat=45.76, meeting_lon=4.86,
                        booking_deadline_at=day - timedelta(days=2), buses=[Bus(position=0, seats=40)])
            db.session.add(tour)
            db.session.add(Booking(tour=tour, prescriber=user, seats=2, status=BookingStatus.CONFIRMED,
                                   bus=tour.buses[0], confirmed_at=day - timedelta(days=5)))
        db.session.commit()
        path = feed_url(feed_secret(user)).split("bench.test", 1)[1]
        db.session.commit()
    client = app.test_client()
    if args.profile:
        import cProfile
        import pstats

        etag = client.get(path).headers["ETag"]
        for label, headers in (("200", {}), ("304", {"If-None-Match": etag})):
            profiler = cProfile.Profile()
            profiler.runcall(lambda h=headers: [client.get(path, headers=h) for _ in range(3)])
            print(f"--- profile of 3 feed requests answering {label}")
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)
        return
    healthz = timed(lambda: client.get("/healthz"), 50)
    first = client.get(path)
    assert first.status_code == 200, first.status_code
    full = timed(lambda: client.get(path), 3)
    etag = first.headers["ETag"]
    conditional = timed(lambda: client.get(path, headers={"If-None-Match": etag}), 30)
    assert client.get(path, headers={"If-None-Match": etag}).status_code == 304
    events = first.get_data(as_text=True).count("BEGIN:VEVENT")
    print(f"events in the feed: {events}")
    print(f"GET /healthz median: {healthz * 1000:.2f} ms")
    print(f"GET feed (200) median: {full * 1000:.1f} ms  = {full / healthz:.0f}x healthz")
    print(f"GET feed (304, If-None-Match) median: {conditional * 1000:.2f} ms  = {conditional / healthz:.1f}x healthz")


if __name__ == "__main__":
    main()
