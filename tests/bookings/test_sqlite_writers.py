"""SQLite's writers queue on an OS file lock beside the database, held for exactly their write
transaction, so that a waiting writer wakes when the one before commits (not after a busy sleep)."""

from __future__ import annotations

import fcntl
import os
import threading
import time

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

from tourplanner.bookings.locking import take_sqlite_write_lock
from tourplanner.db import SQLITE_WRITER_LOCK_SUFFIX, take_sqlite_writer_lock


@pytest.fixture
def lock_path(db) -> str:
    """The writer lock file of the test's SQLite database."""
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite's writer lock")
    return str(db.engine.url.database) + SQLITE_WRITER_LOCK_SUFFIX


def is_locked(path: str) -> bool:
    """Whether another file description holds the lock now."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    else:
        fcntl.flock(fd, fcntl.LOCK_UN)
        return False
    finally:
        os.close(fd)


def test_the_writer_lock_is_held_from_the_first_write_to_the_commit(db, lock_path) -> None:
    """A read takes no lock; the first UPDATE takes it; the commit releases it; so does a rollback."""
    with db.engine.connect() as conn:
        conn.execute(text("SELECT count(*) FROM tours")).scalar()
        assert not is_locked(lock_path)
        conn.execute(text("UPDATE tours SET id = id WHERE id = 0"))
        assert is_locked(lock_path)
        conn.execute(text("SELECT count(*) FROM tours")).scalar()
        assert is_locked(lock_path)
        conn.commit()
        assert not is_locked(lock_path)
        conn.execute(text("DELETE FROM tours WHERE id = 0"))
        assert is_locked(lock_path)
        conn.rollback()
        assert not is_locked(lock_path)


@pytest.mark.skipif(
    "FAKETIME" in os.environ, reason="under libfaketime (CI's summer pass) a timed wait never times out"
)
def test_a_second_writer_waits_for_the_first_and_goes_on_at_its_commit(db, lock_path) -> None:
    """Two connections: the second's write waits while the first's transaction is open, then runs."""
    done = threading.Event()
    engine = db.engine

    def second_writer() -> None:
        with engine.connect() as other:
            other.execute(text("UPDATE tours SET id = id WHERE id = 0"))
            other.commit()
        done.set()

    with db.engine.connect() as first:
        first.execute(text("UPDATE tours SET id = id WHERE id = 0"))
        thread = threading.Thread(target=second_writer)
        thread.start()
        assert not done.wait(0.3), "the second writer did not wait for the first"
        with db.engine.connect() as reader:  # readers never wait
            assert reader.execute(text("SELECT count(*) FROM tours")).scalar() == 0
        started = time.monotonic()
        first.commit()
    assert done.wait(10)
    thread.join()
    assert time.monotonic() - started < 10
    assert not is_locked(lock_path)


def test_a_lock_taken_before_reading_is_held_through_the_reads_until_the_commit(db, lock_path) -> None:
    """The booking's lock (`take_sqlite_writer_lock`) sends no statement and is held through reads that open
    no SQLite transaction — until the commit or rollback, not just the first statement."""
    with db.engine.connect() as conn:
        assert take_sqlite_writer_lock(conn)
        assert is_locked(lock_path)
        for _ in range(2):
            conn.execute(text("SELECT count(*) FROM tours")).scalar()
            assert is_locked(lock_path), "released after a read: another writer could change what was read"
        conn.execute(text("UPDATE tours SET id = id WHERE id = 0"))
        conn.commit()
        assert not is_locked(lock_path)
        assert take_sqlite_writer_lock(conn)
        conn.execute(text("SELECT count(*) FROM tours")).scalar()
        conn.rollback()
        assert not is_locked(lock_path)


@pytest.mark.skipif(
    "FAKETIME" in os.environ, reason="under libfaketime (CI's summer pass) a timed wait never times out"
)
def test_a_writer_waits_for_a_lock_taken_before_reading(db, lock_path) -> None:
    """A transaction that took the lock and has only read yet: another writer waits until it ends."""
    done = threading.Event()
    engine = db.engine

    def other_writer() -> None:
        with engine.connect() as other:
            other.execute(text("UPDATE tours SET id = id WHERE id = 0"))
            other.commit()
        done.set()

    with engine.connect() as first:
        assert take_sqlite_writer_lock(first)
        first.execute(text("SELECT count(*) FROM tours")).scalar()
        thread = threading.Thread(target=other_writer)
        thread.start()
        assert not done.wait(0.3), "the other writer did not wait for the lock"
        first.commit()
    assert done.wait(10)
    thread.join()


def test_without_the_file_lock_sqlite_s_own_write_lock_is_taken(tmp_path) -> None:
    """A SQLite database without the writers' file lock: `take_sqlite_write_lock` takes SQLite's own write
    lock (another connection cannot write), by an UPDATE that changes no row."""
    engine = create_engine(f"sqlite:///{tmp_path / 'plain.sqlite'}", connect_args={"timeout": 0})
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE tours (id INTEGER PRIMARY KEY)"))
        conn.execute(text("INSERT INTO tours (id) VALUES (1)"))
    with engine.connect() as first, engine.connect() as second:
        assert not take_sqlite_writer_lock(first)
        take_sqlite_write_lock(first)
        with pytest.raises(OperationalError, match="locked"):
            second.execute(text("UPDATE tours SET id = 2 WHERE id = 1"))
        second.rollback()
        first.rollback()
        assert second.execute(text("UPDATE tours SET id = 2 WHERE id = 1")).rowcount == 1
        second.commit()
    engine.dispose()


def test_a_booking_s_answer_is_built_after_the_writer_lock_is_released(
    db, lock_path, make_tour, prescriber, book, monkeypatch
) -> None:
    """The writer's turn ends at the commit: the answer of a new booking is built after it, lock released."""
    from routes.api import bookings as api_bookings

    seen: list[bool] = []
    original = api_bookings.new_booking_json

    def watching(*args, **kwargs):
        seen.append(is_locked(lock_path))
        return original(*args, **kwargs)

    monkeypatch.setattr(api_bookings, "new_booking_json", watching)
    response = book(prescriber, make_tour(published=True, bus_seats=[20]).id, 2)
    assert response.status_code == 201 and response.get_json()["status"] == "confirmed"
    assert seen == [False]
