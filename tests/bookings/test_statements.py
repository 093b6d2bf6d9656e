"""A lean booking: a handful of SQL statements, the same whatever the tour already holds,
and a transaction that writes the booking and what must be atomic with it, nothing else."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import event, text

from tourplanner.accounts.enums import Role
from tourplanner.bookings.enums import BookingStatus
from tourplanner.bookings.models import Booking
from tourplanner.db import SQLITE_BUSY_TIMEOUT_MS, utcnow

#: Statements of one POST /tours/{id}/bookings: the token's user, the tour, then under the
#: tour's lock the tour and its buses, pickup points, quotas, seats held, the waiting list
#: (only when a bus has room) or the waiting position, the booking (with its participants),
#: its audit entry and the tour's mark. SQLite takes its write lock with one statement more.
MOST_STATEMENTS = {"sqlite": 11, "postgresql": 10}
#: Tables the booking's transaction may write: the booking and what must be atomic with it.
WRITTEN_TABLES = {"bookings", "participants", "audit_entries", "tours"}


@pytest.fixture
def config_overrides() -> dict[str, Any]:
    """No calendar reconciliation after the request: only the booking's own statements are counted."""
    return {"MAIL_DELIVERY": "off"}


@contextmanager
def statements(db) -> Iterator[list[str]]:
    """Collect the SQL statements sent to the database inside the block."""
    sent: list[str] = []

    def collect(conn, cursor, statement, parameters, context, executemany) -> None:
        sent.append(statement)

    event.listen(db.engine, "before_cursor_execute", collect)
    try:
        yield sent
    finally:
        event.remove(db.engine, "before_cursor_execute", collect)


def written_tables(sent: list[str]) -> set[str]:
    """The tables the statements insert into, update or delete from (the lock's no-op UPDATE included)."""
    pattern = re.compile(r"^\s*(?:INSERT INTO|UPDATE|DELETE FROM)\s+\"?(\w+)", re.IGNORECASE)
    return {match.group(1) for statement in sent if (match := pattern.match(statement))}


def add_waiting(db, tour, make_user, count: int) -> None:
    """Put `count` one-seat bookings of other prescribers on the tour's waiting list."""
    for _ in range(count):
        db.session.add(
            Booking(
                tour=tour,
                prescriber=make_user(Role.PRESCRIBER),
                seats=1,
                status=BookingStatus.WAITLISTED,
                created_at=utcnow(),
            )
        )
    db.session.commit()


def test_a_confirmed_booking_takes_a_handful_of_statements(make_tour, prescriber, book, db) -> None:
    """Booking seats on a tour with room: at most 11 statements, writing only the booking's tables."""
    tour = make_tour(published=True, bus_seats=[20, 20])
    with statements(db) as sent:
        response = book(prescriber, tour.id, 3)
    assert response.status_code == 201 and response.get_json()["status"] == "confirmed"
    assert len(sent) <= MOST_STATEMENTS[db.engine.dialect.name], "\n".join(sent)
    assert written_tables(sent) <= WRITTEN_TABLES


def test_participants_cost_at_most_one_statement_each(make_tour, prescriber, book, db) -> None:
    """Naming the people a booking is for adds their rows, nothing else."""
    tour = make_tour(published=True, bus_seats=[20, 20])
    participants = [{"name": f"Personne {n}"} for n in range(3)]
    with statements(db) as sent:
        response = book(prescriber, tour.id, 3, participants=participants)
    assert response.status_code == 201 and len(response.get_json()["participants"]) == 3
    assert len(sent) <= MOST_STATEMENTS[db.engine.dialect.name] + len(participants), "\n".join(sent)
    assert written_tables(sent) <= WRITTEN_TABLES


def test_the_statements_do_not_grow_with_the_waiting_list(make_tour, make_user, prescriber, book, db) -> None:
    """On a full tour, a booking costs the same statements with 2 or 40 bookings waiting."""
    tour = make_tour(published=True, bus_seats=[2])
    assert book(prescriber, tour.id, 2).get_json()["status"] == "confirmed"
    counts = []
    for waiting in (2, 38):
        add_waiting(db, tour, make_user, waiting)
        with statements(db) as sent:
            response = book(prescriber, tour.id, 1)
        assert response.status_code == 201 and response.get_json()["status"] == "waitlisted"
        assert written_tables(sent) <= WRITTEN_TABLES
        counts.append(len(sent))
    assert counts[0] == counts[1] <= MOST_STATEMENTS[db.engine.dialect.name]
    assert response.get_json()["waiting_position"] == 2 + 1 + 38 + 1


def test_a_booking_reads_only_the_waiting_bookings_that_could_move(make_tour, make_user, prescriber, book, db) -> None:
    """With one seat free, the waiting bookings of 2 seats are not even read; a 1-seat booking takes the seat."""
    tour = make_tour(published=True, bus_seats=[3])
    assert book(prescriber, tour.id, 2).get_json()["status"] == "confirmed"
    other = make_user(Role.PRESCRIBER)
    for _ in range(5):
        db.session.add(
            Booking(tour=tour, prescriber=other, seats=2, status=BookingStatus.WAITLISTED, created_at=utcnow())
        )
    db.session.commit()
    with statements(db) as sent:
        answer = book(prescriber, tour.id, 1).get_json()
    assert answer["status"] == "confirmed"
    waiting_reads = [s for s in sent if s.lstrip().upper().startswith("SELECT BOOKINGS.ID") and "seats <=" in s]
    assert len(waiting_reads) == 1, "\n".join(sent)


def test_sqlite_runs_in_wal_mode_with_normal_sync_and_a_busy_timeout(db) -> None:
    """Every SQLite connection: journal WAL, synchronous NORMAL (1), busy timeout of 30 s."""
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite settings")
    with db.engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA synchronous")).scalar() == 1
        assert conn.execute(text("PRAGMA busy_timeout")).scalar() == SQLITE_BUSY_TIMEOUT_MS
