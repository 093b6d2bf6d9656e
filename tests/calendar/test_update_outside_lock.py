"""A tour's invitations are built while only reading: a concurrent write is not held up by the building, and
a change committed meanwhile is what people are sent (the update is computed again), never what it replaced.

Real SQLite (its writer lock) or the PostgreSQL of TOURPLANNER_TEST_DATABASE_URL (the tour's row lock)."""

from __future__ import annotations

import threading
import time

from sqlalchemy import update

from tests.calendar.conftest import settle_calendars
from tourplanner.accounts.enums import Role
from tourplanner.calendar import invitations
from tourplanner.calendar.updates import send_due_updates
from tourplanner.db import utcnow
from tourplanner.mail.models import OutboxMail
from tourplanner.tours.enums import TourStatus
from tourplanner.tours.models import Tour
from tourplanner.tours.notices import plan_changed

#: How long the building waits for the concurrent write before going on without it.
PATIENCE_SECONDS = 3.0


def _during_first_build(monkeypatch, write) -> dict[str, float | None]:
    """Run `write` in another thread (its own connection) while the first tour's events are built; the
    building waits for it at most PATIENCE_SECONDS. Returns how long it took, None if it was not done then."""
    seen: dict[str, float | None] = {}
    build = invitations.tour_events

    def building(tour):
        if not seen:
            started = time.monotonic()
            thread = threading.Thread(target=write)
            thread.start()
            thread.join(PATIENCE_SECONDS)
            seen["write"] = None if thread.is_alive() else time.monotonic() - started
            seen["thread"] = thread  # type: ignore[assignment]
        return build(tour)

    monkeypatch.setattr(invitations, "tour_events", building)
    return seen


def _in_own_connection(engine, statement) -> None:
    with engine.connect() as connection:
        connection.execute(statement)
        connection.commit()


def test_a_concurrent_write_to_the_tour_is_not_held_up_while_its_invitations_are_built(
    app, db, make_tour, make_user, book, monkeypatch
):
    """While a booking's invitations are built, another connection renames the tour and commits at once:
    no write lock (SQLite) nor row lock (PostgreSQL) is held during the building."""
    tour = make_tour(published=True)
    settle_calendars()
    engine = db.engine
    seen = _during_first_build(
        monkeypatch,
        lambda: _in_own_connection(engine, update(Tour).where(Tour.id == tour.id).values(title="ZI Tour renommé")),
    )
    book(tour, make_user(Role.PRESCRIBER), seats=1)  # marks the tour, commits, sends the due updates
    seen["thread"].join(30)  # type: ignore[union-attr]
    assert seen["write"] is not None, "the concurrent write waited for the building"
    assert db.session.query(OutboxMail).filter(OutboxMail.ics_method == "REQUEST").count() == 1


def test_a_change_committed_while_the_invitations_are_built_is_sent_instead_of_them(
    app, db, make_tour, make_user, book, monkeypatch
):
    """A second booking marks the tour; while its invitation is built, the tour is cancelled (a new
    revision, due at once): the run computes the update again and sends the first booker the
    cancellation, once, and nothing stale (no invitation to the second booker)."""
    tour = make_tour(published=True)
    first, second = make_user(Role.PRESCRIBER), make_user(Role.PRESCRIBER)
    book(tour, first, seats=1)
    assert [m.recipient for m in db.session.query(OutboxMail)] == [first.email]
    engine = db.engine
    cancel = (
        update(Tour)
        .where(Tour.id == tour.id)
        .values(
            status=TourStatus.CANCELLED,
            cancellation_reason="Grève des transports",
            revision=Tour.revision + 1,
            notify_after_at=utcnow(),
            notify_first_at=utcnow(),
        )
    )
    seen = _during_first_build(monkeypatch, lambda: _in_own_connection(engine, cancel))

    from tourplanner.bookings.enums import BookingStatus
    from tourplanner.bookings.models import Booking

    db.session.add(
        Booking(
            tour=tour,
            prescriber=second,
            seats=1,
            status=BookingStatus.CONFIRMED,
            bus=tour.buses[0],
            confirmed_at=utcnow(),
        )
    )
    plan_changed(tour)
    db.session.commit()
    assert send_due_updates() == 1
    assert seen["write"] is not None
    mails = [(m.recipient, m.ics_method) for m in db.session.query(OutboxMail).order_by(OutboxMail.id)]
    assert mails == [(first.email, "REQUEST"), (first.email, "CANCEL")]
    assert "Grève des transports" in db.session.query(OutboxMail).order_by(OutboxMail.id.desc()).first().body_text
    assert send_due_updates() == 0
