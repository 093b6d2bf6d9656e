"""A prescriber's calendar feed of many events: full answer and conditional (304) answer,
each as a ratio to GET /healthz, in one process through the WSGI test client (no network).

    python bench/feeds.py                 # 1,000 tours booked, SQLite in a temporary folder
    python bench/feeds.py --events 200
    python bench/feeds.py --profile       # where the time goes (cProfile): 304, and 200 after a change

Medians of interleaved rounds (the machine's load changes), as ratios to /healthz; the
figures beside the load average they were measured at. Each is given twice: in wall time, and
in the process's CPU time, which other processes on a shared machine disturb much less (the
server is single-threaded here, so CPU time is the request's own work). A feed is rendered once per change
(its body kept by ETag); "first after one tour changed" renders that tour's events and
assembles the others' kept text, "cold" renders every event (nothing kept). Each booking's
invitation counts as sent (a sent state per event, as the bookings domain leaves it).
"""

from __future__ import annotations

import argparse
import atexit
import shutil
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def timed(call, repeat: int, clock=time.perf_counter) -> float:
    """Median time of `call` over `repeat` runs, in seconds: wall time, or `clock`'s (the process's CPU time)."""
    times = []
    for _ in range(repeat):
        started = clock()
        call()
        times.append(clock() - started)
    return statistics.median(times)


def build(events: int):
    """An app whose one prescriber has `events` tours booked; returns (app, feed path)."""
    from tourplanner import create_app
    from tourplanner.accounts.enums import OrganisationKind, Role
    from tourplanner.accounts.models import Organisation, User
    from tourplanner.bookings.enums import BookingStatus
    from tourplanner.bookings.models import Booking
    from tourplanner.calendar.enums import Audience
    from tourplanner.calendar.events import tour_uid
    from tourplanner.calendar.models import CalendarEventState
    from tourplanner.calendar.tokens import feed_secret, feed_url
    from tourplanner.extensions import db
    from tourplanner.tours.enums import TourStatus
    from tourplanner.tours.models import Bus, Tour

    folder = Path(tempfile.mkdtemp(prefix="tourplanner-feeds-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)  # the database goes with the run
    app = create_app(
        {
            "DATABASE_URL": f"sqlite:///{folder / 'bench.sqlite'}",
            "SECRET_KEY": "bench",
            "BASE_URL": "http://bench.test",
            "TESTING": True,
        }
    )
    with app.app_context():
        db.create_all()
        org = Organisation(name="Mission locale", kind=OrganisationKind.MISSION_LOCALE)
        user = User(email="camille@example.fr", name="Camille", role=Role.PRESCRIBER, organisation=org)
        db.session.add_all([org, user])
        start = datetime.now(UTC).replace(microsecond=0) + timedelta(days=10)
        for n in range(events):
            day = start + timedelta(days=n % 300, minutes=n)
            tour = Tour(
                title=f"ZI Tour n°{n}",
                status=TourStatus.PUBLISHED,
                start_at=day,
                end_at=day + timedelta(hours=8),
                meeting_point_name="Gare",
                meeting_lat=45.76,
                meeting_lon=4.86,
                booking_deadline_at=day - timedelta(days=2),
                buses=[Bus(position=0, seats=40)],
            )
            db.session.add(tour)
            db.session.add(
                Booking(
                    tour=tour,
                    prescriber=user,
                    seats=2,
                    status=BookingStatus.CONFIRMED,
                    bus=tour.buses[0],
                    confirmed_at=day - timedelta(days=5),
                )
            )
        db.session.flush()
        # Each booking's invitation was sent: the feed numbers its event like it (one state per event).
        for tour in db.session.scalars(db.select(Tour).order_by(Tour.id)):
            db.session.add(
                CalendarEventState(
                    uid=tour_uid(tour.id),
                    recipient=user.email,
                    recipient_name=user.name,
                    audience=Audience.BOOKER,
                    tour_id=tour.id,
                    sequence=0,
                    fingerprint="sent",
                    summary=tour.title,
                    start_at=tour.start_at,
                    end_at=tour.end_at,
                    location=tour.meeting_point_name,
                )
            )
        db.session.commit()
        path = feed_url(feed_secret(user)).split("bench.test", 1)[1]
        db.session.commit()
    return app, path


def main() -> None:
    """Build the data, then measure."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=5, help="rounds of healthz, 200 and 304 timings (per clock)")
    parser.add_argument("--profile", action="store_true", help="print where the time goes instead of timing")
    parser.add_argument("--sort", default="tottime", help="the profile's order (tottime, cumtime, …)")
    args = parser.parse_args()

    app, path = build(args.events)
    client = app.test_client()
    from sqlalchemy import update

    from tourplanner.calendar import ical
    from tourplanner.extensions import db
    from tourplanner.tours.models import Tour

    def change_one_tour() -> None:
        """What a change marks (plan_changed): the tour's revision and updated_at move."""
        with app.app_context():
            tour_id = db.session.scalar(db.select(Tour.id).order_by(Tour.id).limit(1))
            db.session.execute(
                update(Tour).where(Tour.id == tour_id).values(revision=Tour.revision + 1, title=Tour.title + ".")
            )
            db.session.commit()

    if args.profile:
        import cProfile
        import pstats

        etag = client.get(path).headers["ETag"]
        conditional = cProfile.Profile()
        conditional.runcall(lambda: [client.get(path, headers={"If-None-Match": etag}) for _ in range(100)])
        print("--- profile of 100 feed requests answering 304")
        pstats.Stats(conditional).sort_stats(args.sort).print_stats(20)
        changed = cProfile.Profile()
        for _ in range(10):
            change_one_tour()
            changed.runcall(lambda: client.get(path))
        print("--- profile of 10 feed requests answering 200, each the first after one tour changed")
        pstats.Stats(changed).sort_stats(args.sort).print_stats(25)
        return

    def after_a_change(clock) -> float:
        change_one_tour()
        started = clock()
        assert client.get(path).status_code == 200
        return clock() - started

    def cold(clock) -> float:
        change_one_tour()
        ical._vevent_text.cache_clear()
        app.extensions.pop("tourplanner_feed_event_cache", None)
        started = clock()
        assert client.get(path).status_code == 200
        return clock() - started

    first = client.get(path)
    assert first.status_code == 200, first.status_code
    etag = first.headers["ETag"]
    assert client.get(path, headers={"If-None-Match": etag}).status_code == 304
    # The feed stamp's triggers came with create_all (feed_stamp.install_on): a change moves the ETag.
    change_one_tour()
    assert client.get(path, headers={"If-None-Match": etag}).status_code == 200, "the feed stamp did not move"
    events = first.get_data(as_text=True).count("BEGIN:VEVENT")
    with open("/proc/loadavg") as loadavg:
        load = " ".join(loadavg.read().split()[:3])
    print(f"events in the feed: {events}; load average (1, 5, 15 min) at the start: {load}")
    for clock_name, clock in (("wall", time.perf_counter), ("CPU", time.process_time)):
        # The current ETag (the previous clock's rounds changed tours): the 304s are 304s.
        etag = client.get(path).headers["ETag"]
        assert client.get(path, headers={"If-None-Match": etag}).status_code == 304
        healthz = [timed(lambda: client.get("/healthz"), 50, clock)]
        full, conditional = [], []
        for _ in range(args.rounds):
            healthz.append(timed(lambda: client.get("/healthz"), 50, clock))
            full.append(timed(lambda: client.get(path), 30, clock))
            conditional.append(timed(lambda etag=etag: client.get(path, headers={"If-None-Match": etag}), 30, clock))
        changed = statistics.median(after_a_change(clock) for _ in range(9))
        renders = statistics.median(cold(clock) for _ in range(3))
        health = statistics.median(healthz)
        print(f"{clock_name} time — GET /healthz median: {health * 1000:.2f} ms")
        for label, value, target in (
            ("200, unchanged feed", statistics.median(full), ""),
            ("304, If-None-Match", statistics.median(conditional), " (target <= 3x)"),
            ("200, first after one tour changed", changed, " (target <= 10x)"),
            ("200, first after a change, no event text kept (cold)", renders, ""),
        ):
            print(f"  GET feed ({label}) median: {value * 1000:.2f} ms  = {value / health:.1f}x healthz{target}")
    with open("/proc/loadavg") as loadavg:
        print("load average (1, 5, 15 min) at the end:", " ".join(loadavg.read().split()[:3]))


if __name__ == "__main__":
    main()
