"""The bilan over five years of activity: its time on a real server, as a ratio to GET /healthz.

    python bench/bilan.py                                   # SQLite (a temporary file)
    python bench/bilan.py --postgresql postgresql+psycopg://user@host:port/db --reset
    python bench/bilan.py --participants 100000 --tours 5000 --companies 1000 --repeat 5

Generates five years of activity ending today — tours (a few cancelled), buses, visits
at company sites across four territories, bookings with attendance taken on most past tours,
participants, outcomes, perception answers and the interest voiced at company visits'
debriefings — with bulk inserts, then starts gunicorn
and times GET /api/v1/bilan over the five years, over one year, and over one year for one
territory and kind, each against GET /healthz on the same server (median of --repeat runs), with
the machine's load average (1 min) when each was measured.
The bilan is aggregate SQL only: no participant row is loaded into Python.

With --reset the PostgreSQL database's public schema is DROPPED and recreated first — point
it at a scratch database only.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import statistics
import sys
import tempfile
import time
import urllib.request
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.bookings import start_server  # noqa: E402

TERRITORIES = ["Lyon Est", "Vallée du Gier", "Roannais", "Nord-Isère"]
KINDS = ["zi_tour", "company_visit", "immersion"]
CHUNK = 5000


def generate(url: str, reset: bool, participants: int, tours: int, companies: int, seed: int = 7) -> str:
    """Create the schema and five years of activity; returns an organiser's API token."""
    from flask_migrate import upgrade
    from sqlalchemy import text

    from tourplanner import create_app
    from tourplanner.accounts.enums import Role
    from tourplanner.accounts.operations import create_api_token, create_user
    from tourplanner.company_visits.models import ParticipantInterest
    from tourplanner.extensions import db
    from tourplanner.impact.models import Outcome, PerceptionAnswer
    from tourplanner.models import (
        Booking,
        Bus,
        IndustrialZone,
        Organisation,
        Participant,
        Site,
        Slot,
        Stop,
        Tour,
        User,
    )

    rng = random.Random(seed)
    interest_rng = random.Random(seed + 1)  # its own stream: the rest of the data stays as it was
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "SMTP_HOST": None})
    with app.app_context():
        if reset and url.startswith("postgresql"):
            with db.engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
        upgrade()
        organiser = create_user("bench-bilan@example.fr", "Bench", Role.ORGANISER, "Bench organisateur", None)
        token = create_api_token(organiser)
        db.session.commit()
        now = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
        started = time.perf_counter()

        def insert(model, rows: list[dict]) -> None:
            for start in range(0, len(rows), CHUNK):
                db.session.execute(model.__table__.insert(), rows[start : start + CHUNK])

        def next_id(model) -> int:
            return (db.session.scalar(text(f"SELECT MAX(id) FROM {model.__tablename__}")) or 0) + 1

        zone0 = next_id(IndustrialZone)
        insert(
            IndustrialZone,
            [
                {"id": zone0 + i, "name": f"ZI bench {t}", "city": t, "territory": t, "lat": 45.5, "lon": 4.8}
                for i, t in enumerate(TERRITORIES)
            ],
        )
        org0 = next_id(Organisation)
        kinds = ["france_travail", "mission_locale", "cap_emploi", "siae"]
        prescriber_orgs = max(10, participants // 2000)
        insert(
            Organisation,
            [
                {"id": org0 + i, "name": f"Bench entreprise {i}", "kind": "company", "created_at": now}
                for i in range(companies)
            ]
            + [
                {"id": org0 + companies + i, "name": f"Bench agence {i}", "kind": kinds[i % 4], "created_at": now}
                for i in range(prescriber_orgs)
            ],
        )
        user0 = next_id(User)
        prescribers = max(20, participants // 50)
        insert(
            User,
            [
                {
                    "id": user0 + i,
                    "email": f"bench-p{i}@example.fr",
                    "name": f"Prescripteur {i}",
                    "role": "prescriber",
                    "organisation_id": org0 + companies + i % prescriber_orgs,
                    "is_active": True,
                    "created_at": now,
                }
                for i in range(prescribers)
            ]
            + [
                {
                    "id": user0 + prescribers + i,
                    "email": f"bench-c{i}@example.fr",
                    "name": f"Contact {i}",
                    "role": "company",
                    "organisation_id": org0 + i,
                    "is_active": True,
                    "created_at": now,
                }
                for i in range(companies)
            ],
        )
        site0 = next_id(Site)
        insert(
            Site,
            [
                {
                    "id": site0 + i,
                    "organisation_id": org0 + i,
                    "zone_id": zone0 + i % len(TERRITORIES),
                    "name": f"Usine {i}",
                    "address": "1 rue de l'Industrie",
                    "lat": 45.5,
                    "lon": 4.8,
                    "has_bus_parking": True,
                    "is_accessible": False,
                    "created_at": now,
                }
                for i in range(companies)
            ],
        )
        tour0, bus0, slot0, stop0 = next_id(Tour), next_id(Bus), next_id(Slot), next_id(Stop)
        tour_rows, bus_rows, slot_rows, stop_rows, past = [], [], [], [], []
        for i in range(tours):
            start = now - timedelta(days=rng.randrange(5 * 365), hours=rng.randrange(3))
            start = start.replace(hour=7)
            status = "cancelled" if rng.random() < 0.05 else ("done" if start < now else "published")
            tour_rows.append(
                {
                    "id": tour0 + i,
                    "kind": rng.choice(KINDS),
                    "title": f"Tour {i}",
                    "status": status,
                    "start_at": start,
                    "end_at": start + timedelta(hours=8),
                    "meeting_point_name": "Gare",
                    "meeting_lat": 45.5,
                    "meeting_lon": 4.8,
                    "booking_deadline_at": start - timedelta(days=3),
                    "created_at": now,
                    "updated_at": now,
                    "needs_reoptimisation": False,
                    # The organiser's own territory: the bilan counts only the tours they manage.
                    "organisation_id": organiser.organisation_id,
                }
            )
            bus_rows.append({"id": bus0 + i, "tour_id": tour0 + i, "position": 0, "seats": 50})
            territory = rng.randrange(len(TERRITORIES))
            for position in range(3):
                company = rng.randrange(territory, companies, len(TERRITORIES))
                n = len(slot_rows)
                slot_rows.append(
                    {
                        "id": slot0 + n,
                        "site_id": site0 + company,
                        "start_at": start,
                        "end_at": start + timedelta(hours=3),
                        "visit_minutes": 60,
                        "max_visitors": 50,
                        "status": "offered",
                        "created_at": now,
                    }
                )
                visit = start + timedelta(hours=1 + 2 * position)
                stop_rows.append(
                    {
                        "id": stop0 + n,
                        "tour_id": tour0 + i,
                        "bus_id": bus0 + i,
                        "slot_id": slot0 + n,
                        "position": position,
                        "arrival_at": visit,
                        "start_at": visit,
                        "end_at": visit + timedelta(hours=1),
                        "departure_at": visit + timedelta(hours=1),
                        "is_locked": False,
                        "is_time_locked": False,
                        "company_response": "declined" if rng.random() < 0.03 else "confirmed",
                    }
                )
            past.append(status == "done")
        insert(Tour, tour_rows)
        insert(Bus, bus_rows)
        insert(Slot, slot_rows)
        insert(Stop, stop_rows)
        booking0, participant0 = next_id(Booking), next_id(Participant)
        booking_rows, participant_rows, outcome_rows, answer_rows, interest_rows = [], [], [], [], []
        answered: set[tuple[int, int]] = set()
        while len(participant_rows) < participants:
            i = rng.randrange(tours)
            seats = rng.randint(1, 6)
            prescriber = rng.randrange(prescribers)
            b = len(booking_rows)
            status = "confirmed" if rng.random() < 0.9 else rng.choice(["waitlisted", "cancelled"])
            booking_rows.append(
                {
                    "id": booking0 + b,
                    "tour_id": tour0 + i,
                    "prescriber_id": user0 + prescriber,
                    "organisation_id": org0 + companies + prescriber % prescriber_orgs,
                    "seats": seats,
                    "status": status,
                    "bus_id": bus0 + i if status == "confirmed" else None,
                    "created_at": now,
                }
            )
            taken = past[i] and i % 10 != 0
            for _ in range(seats):
                p = len(participant_rows)
                attendance = ("present" if rng.random() < 0.85 else "absent") if taken else None
                participant_rows.append(
                    {
                        "id": participant0 + p,
                        "booking_id": booking0 + b,
                        "name": f"Personne {p}",
                        "email": None,
                        "has_reduced_mobility": False,
                        "attendance": attendance,
                    }
                )
                if taken and tour_rows[i]["kind"] == "company_visit" and interest_rng.random() < 0.7:
                    interest_rows.append(
                        {
                            "participant_id": participant0 + p,
                            "interest": interest_rng.choice(["yes", "maybe", "no"]),
                            "recorded_at": now,
                            "recorded_by_id": organiser.id,
                        }
                    )
                if past[i] and rng.random() < 0.25:
                    kind = rng.choice(["recruitment", "training", "internship", "searching"])
                    outcome_rows.append(
                        {
                            "participant_id": participant0 + p,
                            "kind": kind,
                            "contract": "cdi" if kind == "recruitment" else None,
                            "occurred_on": date.today() - timedelta(days=rng.randrange(5 * 365)),
                            "created_at": now,
                        }
                    )
            if past[i] and (i, prescriber) not in answered and rng.random() < 0.6:
                answered.add((i, prescriber))
                before = rng.randint(1, 5)
                for moment, score in (
                    ("before", before),
                    ("after", max(1, min(5, before + rng.choice([-1, 0, 1, 1])))),
                ):
                    answer_rows.append(
                        {
                            "tour_id": tour0 + i,
                            "user_id": user0 + prescriber,
                            "respondent": "prescriber",
                            "moment": moment,
                            "score": score,
                            "scores": {},
                            "answered_at": now,
                        }
                    )
        insert(Booking, booking_rows)
        insert(Participant, participant_rows)
        insert(Outcome, outcome_rows)
        insert(PerceptionAnswer, answer_rows)
        insert(ParticipantInterest, interest_rows)
        db.session.commit()
        if url.startswith("postgresql"):
            with db.engine.connect() as conn:
                conn.execution_options(isolation_level="AUTOCOMMIT").execute(text("ANALYZE"))
        else:
            db.session.execute(text("ANALYZE"))
            db.session.commit()
        print(
            f"  generated {len(tour_rows)} tours, {companies} companies, {len(booking_rows)} bookings, "
            f"{len(participant_rows)} participants, {len(outcome_rows)} outcomes, {len(answer_rows)} answers, "
            f"{len(interest_rows)} debriefing interests "
            f"in {time.perf_counter() - started:.1f} s"
        )
        db.engine.dispose()
    return token


def timed(request: urllib.request.Request) -> float:
    """Seconds to get the whole answer."""
    started = time.perf_counter()
    with urllib.request.urlopen(request, timeout=300) as response:
        response.read()
        assert response.status == 200, response.status
    return time.perf_counter() - started


def bench(name: str, url: str, args: argparse.Namespace) -> list[tuple[str, str, float, float, float]]:
    """Generate, serve, and time the bilan against /healthz."""
    token = generate(url, args.reset, args.participants, args.tours, args.companies)
    process, base = start_server(url, args.workers, Path(tempfile.gettempdir()) / f"bench-bilan-{name}.log")
    today = date.today()
    queries = {
        "5 years": f"from={today - timedelta(days=5 * 365 + 2)}&to={today}",
        "1 year": f"from={today - timedelta(days=365)}&to={today}",
        "1 year, 1 territory, 1 kind": (
            f"from={today - timedelta(days=365)}&to={today}&territory=Lyon%20Est&kind=zi_tour"
        ),
    }
    results = []
    try:
        health = urllib.request.Request(f"{base}/healthz")
        for _ in range(20):
            timed(health)
        healthz = statistics.median(timed(health) for _ in range(args.repeat * 10))
        for label, query in queries.items():
            request = urllib.request.Request(
                f"{base}/api/v1/bilan?{query}", headers={"Authorization": f"Bearer {token}"}
            )
            timed(request)  # warm-up
            seconds = statistics.median(timed(request) for _ in range(args.repeat))
            results.append((name, label, seconds, healthz, os.getloadavg()[0]))
        with urllib.request.urlopen(
            urllib.request.Request(
                f"{base}/api/v1/bilan?{queries['5 years']}", headers={"Authorization": f"Bearer {token}"}
            )
        ) as response:
            body = response.read().decode()
            print("  5 years:", body[:300], "…")
            if json.loads(body)["actions"] == 0:  # an empty bilan would time nothing worth timing
                raise SystemExit("the bilan counted no action: the generated tours are not the organiser's")
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=30)
    return results


def main() -> None:
    """Run on SQLite, and on PostgreSQL when a URL is given; print the table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--participants", type=int, default=100_000)
    parser.add_argument("--tours", type=int, default=5_000)
    parser.add_argument("--companies", type=int, default=1_000)
    parser.add_argument("--repeat", type=int, default=5, help="timed runs per query (median; default 5)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes (default 2)")
    parser.add_argument("--postgresql", metavar="URL", help="also measure on this PostgreSQL database")
    parser.add_argument("--reset", action="store_true", help="drop and recreate the PostgreSQL schema first")
    args = parser.parse_args()

    results = []
    with tempfile.TemporaryDirectory() as folder:
        print("SQLite…")
        results += bench("sqlite", f"sqlite:///{folder}/bench.sqlite", args)
    if args.postgresql:
        print("PostgreSQL…")
        results += bench("postgresql", args.postgresql, args)
    print(
        f"\n{args.participants} participants, {args.tours} tours, {args.companies} companies over five years; "
        f"median of {args.repeat} runs\n"
    )
    header = (
        f"{'database':<12}{'GET /api/v1/bilan':<30}{'bilan ms':>10}{'healthz ms':>12}{'ratio':>9}{'load 1 min':>12}"
    )
    print(header)
    print("-" * len(header))
    for name, label, seconds, healthz, load in results:
        print(
            f"{name:<12}{label:<30}{seconds * 1000:>10.1f}{healthz * 1000:>12.2f}{seconds / healthz:>9.0f}{load:>12.1f}"
        )


if __name__ == "__main__":
    main()
