"""The web process's calendar updates thread: it sleeps holding no database connection, and it ends
when its app is torn down, at once, however long it still had to wait (no thread outliving its engine)."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest

from tourplanner.accounts.enums import Role
from tourplanner.calendar import updates
from tourplanner.mail.models import OutboxMail
from tourplanner.tours.models import Tour


@pytest.fixture
def config_overrides() -> dict[str, Any]:
    """Calendars updated by the waiting thread, as in production, after a quiet minute."""
    return {"MAIL_DELIVERY": "thread", "NOTIFY_DELAY_SECONDS": 60, "NOTIFY_MAX_DELAY_SECONDS": 90}


def _wait_for(event: threading.Event, seconds: float) -> bool:
    """Poll with plain sleeps (a timed wait on a lock may never time out under libfaketime)."""
    deadline = time.monotonic() + seconds
    while not event.is_set() and time.monotonic() < deadline:
        time.sleep(0.02)
    return event.is_set()


def test_the_waiter_sleeps_without_a_connection_and_stops_at_once(app, db, api_as, make_tour, monkeypatch):
    """A booking marks the tour for 60 s later: the thread goes to sleep with no connection checked out of
    the pool; stopping it ends it within a second, leaving the mark to the scheduler, and no new one starts."""
    asleep = threading.Event()
    checked_out: list[int] = []
    sleep = updates._Waiter.sleep
    pool = db.engine.pool  # the thread sleeps outside any app context

    def observed_sleep(self: updates._Waiter, seconds: float) -> bool:
        if seconds > 0:
            checked_out.append(pool.checkedout())
            asleep.set()
        return sleep(self, seconds)

    monkeypatch.setattr(updates._Waiter, "sleep", observed_sleep)
    tour_id = make_tour(published=True).id
    api = api_as(Role.PRESCRIBER)
    db.session.commit()
    assert api.post(f"/tours/{tour_id}/bookings", json={"seats": 1}).status_code == 201
    db.session.commit()  # the request's session (the test's own) gives its connection back
    assert _wait_for(asleep, 20)
    assert checked_out == [0]
    thread = app.extensions["calendar_updates_waiter"].thread
    assert thread is not None and thread.is_alive()

    started = time.monotonic()
    updates.stop_waiter(app, timeout=10)
    assert not thread.is_alive()
    assert time.monotonic() - started < 2
    assert db.session.get(Tour, tour_id).notify_after_at is not None  # left to the scheduler's job
    assert db.session.query(OutboxMail).count() == 0

    updates._wake_waiter(app)  # a stopped app's waiter never starts again
    assert app.extensions["calendar_updates_waiter"].thread is None


def test_mail_the_calendar_update_could_not_send_is_retried_by_the_web_process(app, db, make_tour, book, make_user):
    """The calendar update's own delivery meets an SMTP server away: the invitations wait, and this process's
    retry thread starts (as after a request), so that they leave once the server is back even where no scheduler
    runs; stopping the app ends it."""
    from tests.mail.smtp_sink import free_port
    from tourplanner.mail.delivery import stop_delivery

    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=free_port())  # nobody listens
    tour = make_tour(published=True)
    book(tour, make_user(Role.PRESCRIBER))
    db.session.execute(db.update(Tour).where(Tour.id == tour.id).values(notify_after_at=Tour.created_at))
    db.session.commit()
    assert updates.run_in_own_context(app) >= 1
    waiting = db.session.query(OutboxMail).filter(OutboxMail.sent_at.is_(None)).all()
    assert waiting and waiting[0].last_error  # tried: the server was away
    retry = [t for t in threading.enumerate() if t.name == "outbox-retry" and t.is_alive()]
    assert len(retry) == 1
    stop_delivery(app)
    assert not retry[0].is_alive()
