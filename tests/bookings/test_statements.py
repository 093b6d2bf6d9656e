"""A lean booking: a handful of SQL statements, the same whatever the tour already holds,
and a transaction that writes the booking and what must be atomic with it, nothing else."""

from __future__ import annotations

import re
from typing import Any

import pytest
from sqlalchemy import select, text

from tests.sql_statements import sql_statements
from tourplanner.accounts.enums import Role
from tourplanner.audit.models import AuditEntry
from tourplanner.bookings.enums import BookingStatus
from tourplanner.bookings.models import Booking, Participant
from tourplanner.db import SQLITE_BUSY_TIMEOUT_MS, utcnow, write_columns
from tourplanner.tours.models import Tour

#: Statements of one POST /tours/{id}/bookings: the token's user; then under the tour's
#: lock the tour with its coaches, pickup points and quotas (one statement); the seats held
#: and the waiting list's size (one statement); the booking; its audit entry; the tour's
#: mark when a seat is confirmed. SQLite's write lock is taken without a statement (the
#: writers' file lock). (The waiting list itself is read only when someone waiting fits.)
MOST_STATEMENTS = {"sqlite": 5, "postgresql": 6}
#: Tables the booking's transaction may write: the booking and what must be atomic with it.
WRITTEN_TABLES = {"bookings", "participants", "audit_entries", "tours"}


@pytest.fixture
def config_overrides() -> dict[str, Any]:
    """No calendar reconciliation after the request: only the booking's own statements are counted."""
    return {"MAIL_DELIVERY": "off"}


def statements(db):
    """Collect the SQL statements sent to the database inside the block."""
    return sql_statements(db.engine)


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
    """Booking seats on a tour with room: at most 7 statements, writing only the booking's tables."""
    tour_id = make_tour(published=True, bus_seats=[20, 20]).id
    with statements(db) as sent:
        response = book(prescriber, tour_id, 3)
    assert response.status_code == 201 and response.get_json()["status"] == "confirmed"
    assert len(sent) <= MOST_STATEMENTS[db.engine.dialect.name], "\n".join(sent)
    assert written_tables(sent) <= WRITTEN_TABLES


def test_a_waitlisted_booking_writes_nothing_to_the_tour(make_tour, prescriber, book, db) -> None:
    """A booking that waits writes no tour row: the lock is no write (on SQLite neither a no-op UPDATE of the
    tour, which ran the tour's feed-stamp trigger, nor any statement), and no seat moved, so no mark."""
    tour = make_tour(published=True, bus_seats=[2])
    assert book(prescriber, tour.id, 2).get_json()["status"] == "confirmed"
    tour_id = tour.id
    with statements(db) as sent:
        response = book(prescriber, tour_id, 1)
    assert response.status_code == 201 and response.get_json()["status"] == "waitlisted"
    assert written_tables(sent) == {"bookings", "audit_entries"}, "\n".join(sent)
    assert len(sent) <= MOST_STATEMENTS[db.engine.dialect.name] - 1


def test_participants_cost_one_statement_for_all(make_tour, prescriber, book, db) -> None:
    """Naming the people a booking is for adds their rows in one statement, whatever their number."""
    counts = []
    for people in (1, 4):
        tour_id = make_tour(published=True, bus_seats=[20, 20]).id
        participants = [{"name": f"Personne {n}", "email": f"P{n}@Example.org"} for n in range(people)]
        with statements(db) as sent:
            response = book(prescriber, tour_id, people, participants=participants)
        assert response.status_code == 201, response.get_json()
        assert [p["email"] for p in response.get_json()["participants"]] == [f"p{n}@example.org" for n in range(people)]
        assert written_tables(sent) <= WRITTEN_TABLES
        counts.append(len(sent))
        rows = db.session.execute(
            select(Participant.name).where(Participant.booking_id == response.get_json()["id"]).order_by(Participant.id)
        )
        assert [name for (name,) in rows] == [p["name"] for p in participants]  # each id with its own row
    assert counts[0] == counts[1] <= MOST_STATEMENTS[db.engine.dialect.name] + 1


def test_the_booking_is_written_without_a_flush(app, make_tour, prescriber, book, db, monkeypatch) -> None:
    """The booking, its participants, its audit entry and the tour's mark go out as plain statements:
    the unit of work is never asked to write anything (a flush costs milliseconds of CPU)."""
    from sqlalchemy.orm import Session

    tour = make_tour(published=True, bus_seats=[20])
    tour_id, revision = tour.id, tour.revision
    flushes: list[int] = []
    original = Session._flush

    def counting_flush(self, objects=None) -> None:
        flushes.append(len(self.new) + len(self.dirty) + len(self.deleted))
        original(self, objects)

    monkeypatch.setattr(Session, "_flush", counting_flush)
    answer = book(prescriber, tour_id, 2, participants=[{"name": "Ada"}]).get_json()
    monkeypatch.undo()
    assert answer["status"] == "confirmed" and answer["participants"][0]["name"] == "Ada"
    assert flushes == [], flushes
    db.session.expire_all()
    assert db.session.get(Tour, tour_id).revision == revision + 1  # the calendar's mark was written
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "booking.create")).one()
    assert (entry.object_id, entry.details["seats"], entry.details["status"]) == (answer["id"], 2, "confirmed")


def test_write_columns_writes_a_row_and_leaves_nothing_to_flush(make_tour, db) -> None:
    """write_columns: the changed columns in one UPDATE; a column updated on write is read again."""
    tour = make_tour(published=True)
    tour.title = "Nouveau titre"
    tour.revision = 41
    with statements(db) as sent:
        write_columns(db.session, tour)
    assert len(sent) == 1 and sent[0].lstrip().upper().startswith("UPDATE TOURS"), sent
    assert not db.session.dirty
    stamped = db.session.execute(select(Tour.updated_at).where(Tour.id == tour.id)).scalar_one()
    assert tour.updated_at == stamped  # `onupdate` column: read back, not the stale value
    db.session.rollback()
    tour.buses = []  # a relationship: not a column write
    with pytest.raises(ValueError, match="buses"):
        write_columns(db.session, tour)
    db.session.rollback()


def test_the_statements_do_not_grow_with_the_waiting_list(make_tour, make_user, prescriber, book, db) -> None:
    """On a full tour, a booking costs the same statements with 2 or 40 bookings waiting."""
    tour = make_tour(published=True, bus_seats=[2])
    assert book(prescriber, tour.id, 2).get_json()["status"] == "confirmed"
    counts = []
    for waiting in (2, 38):
        add_waiting(db, tour, make_user, waiting)
        tour_id = tour.id
        with statements(db) as sent:
            response = book(prescriber, tour_id, 1)
        assert response.status_code == 201 and response.get_json()["status"] == "waitlisted"
        assert written_tables(sent) <= WRITTEN_TABLES
        counts.append(len(sent))
    assert counts[0] == counts[1] <= MOST_STATEMENTS[db.engine.dialect.name]
    assert response.get_json()["waiting_position"] == 2 + 1 + 38 + 1


def test_a_booking_reads_only_the_waiting_bookings_that_could_move(make_tour, make_user, prescriber, book, db) -> None:
    """With one seat free, waiting bookings of 2 seats are not even read; of 1 and 2, only the 1-seat one is."""
    tour = make_tour(published=True, bus_seats=[3])
    assert book(prescriber, tour.id, 2).get_json()["status"] == "confirmed"
    other = make_user(Role.PRESCRIBER)
    for _ in range(5):
        db.session.add(
            Booking(tour=tour, prescriber=other, seats=2, status=BookingStatus.WAITLISTED, created_at=utcnow())
        )
    db.session.commit()
    tour_id = tour.id
    with statements(db) as sent:
        answer = book(prescriber, tour_id, 1).get_json()
    assert answer["status"] == "confirmed"
    assert not [s for s in sent if s.lstrip().upper().startswith("SELECT BOOKINGS.ID")], "\n".join(sent)

    # A 1-seat booking waits (added behind the organiser's back): a freed seat goes to it, read alone.
    db.session.execute(text("UPDATE bookings SET status = 'cancelled' WHERE id = :id"), {"id": answer["id"]})
    db.session.add(Booking(tour=tour, prescriber=other, seats=1, status=BookingStatus.WAITLISTED, created_at=utcnow()))
    db.session.commit()
    with statements(db) as sent:
        answer = book(prescriber, tour_id, 1).get_json()
    waiting_reads = [s for s in sent if s.lstrip().upper().startswith("SELECT BOOKINGS.ID") and "seats <=" in s]
    assert len(waiting_reads) == 1, "\n".join(sent)
    assert answer["status"] == "waitlisted" and answer["waiting_position"] == 5 + 1


def test_sqlite_runs_in_wal_mode_with_normal_sync_and_a_busy_timeout(db) -> None:
    """Every SQLite connection: journal WAL, synchronous NORMAL (1), busy timeout of 30 s."""
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite settings")
    with db.engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA synchronous")).scalar() == 1
        assert conn.execute(text("PRAGMA busy_timeout")).scalar() == SQLITE_BUSY_TIMEOUT_MS


def test_on_sqlite_the_seats_come_with_the_tour_as_seat_state_reads_them(
    make_tour, make_user, prescriber, book, db
) -> None:
    """SQLite reads the tour and its seats in one statement under the write lock: per bus the seats free, and the
    waiting list's size and smallest booking, the same as `seat_state`'s own statement; buses without bookings
    all free."""
    from tourplanner.bookings.locking import lock_tour_for_booking, seat_state

    if db.engine.dialect.name != "sqlite":
        pytest.skip("the seats come in a statement of their own after PostgreSQL's row lock")
    tour = make_tour(published=True, bus_seats=[3, 4, 5])
    assert book(prescriber, tour.id, 3).get_json()["bus"] == 0
    assert book(prescriber, tour.id, 2).get_json()["bus"] == 1
    add_waiting(db, tour, make_user, 2)
    db.session.add(Booking(tour=tour, prescriber=prescriber_user(db), seats=5, status=BookingStatus.WAITLISTED))
    db.session.commit()
    tour_id = tour.id
    connection = db.session.connection()
    with statements(db) as sent:
        read = lock_tour_for_booking(connection, tour_id)
    assert len(sent) == 1, sent
    assert read.seats == seat_state(read, connection)
    assert (read.seats.free, read.seats.waiting, read.seats.smallest_waiting) == (
        {bus.id: free for bus, free in zip(read.buses, [0, 2, 5], strict=True)},
        3,
        1,
    )
    db.session.rollback()


def prescriber_user(db):
    """The first prescriber in the database (the `prescriber` fixture's user)."""
    from tourplanner.accounts.models import User

    return db.session.scalars(select(User).where(User.role == Role.PRESCRIBER).order_by(User.id)).first()
