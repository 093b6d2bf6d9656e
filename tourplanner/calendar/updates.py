"""Bringing people's calendars up to date after changes, out of the request that made them.

Domain verbs mark a tour (`tourplanner.tours.notices.plan_changed`: `notify_after_at`,
pushed back by each further change of the same burst but never beyond a cap after its
first, `notify_first_at`). Once that time has come, `send_due_updates` reconciles each marked
tour — what each person should hold against what they were last sent — and queues the
difference in the outbox, one commit per tour. Two things run it:

- the web process, right after a request that marked a tour: in one thread per process
  (not one per request), which waits for the window to close (MAIL_DELIVERY "thread"), or at once ("sync", for tests);
- the scheduler's `send_calendar_updates` job, every few seconds, which also catches what
  a web process could not finish (a restart, a crash).

Each tour's update is computed while only reading — what each person should hold, the
invitations themselves — with no lock held, so bookings and edits go on meanwhile. Then one
short write transaction claims the tour (one conditional UPDATE of its mark, at the revision
the update was computed from), checks that the copies sent are still those it was computed
from, writes their new state and queues the mails. If the tour changed in between, the
update is computed again: nothing stale leaves. Concurrent runs are safe: only one of them
claims the tour, and so only one sends.
"""

from __future__ import annotations

import logging
import threading
import time
from datetime import datetime

from flask import Flask, Response, g
from sqlalchemy import ColumnElement, and_, select, update

from tourplanner.calendar.invitations import plan_update
from tourplanner.db import utcnow
from tourplanner.extensions import db
from tourplanner.mail.delivery import deliver_and_keep_trying
from tourplanner.tours.models import Tour

log = logging.getLogger(__name__)


def send_due_updates(now: datetime | None = None) -> int:
    """Reconcile the calendars of every tour whose update is due; returns the mails queued. Commits per tour."""
    now = now or utcnow()
    due = db.session.scalars(
        select(Tour.id)
        .where(Tour.notify_after_at.is_not(None), Tour.notify_after_at <= now)
        .order_by(Tour.notify_after_at, Tour.id)
    ).all()
    db.session.commit()
    queued = 0
    for tour_id in due:
        queued += _update_one(tour_id, now)
    return queued


#: How many times a tour's update is computed again when it changes while being computed, before the
#: scheduler's next run is left to send it.
MAX_ATTEMPTS = 5


def _update_one(tour_id: int, now: datetime) -> int:
    """Reconcile one due tour: compute while only reading, then claim and write in one short transaction."""
    for _ in range(MAX_ATTEMPTS):
        # Read and compute, holding no lock: concurrent bookings and edits go on meanwhile.
        try:
            if db.session.scalar(select(Tour.id).where(Tour.id == tour_id, _is_due(now))) is None:
                return 0  # not marked any more (another run sent it), or marked again for later
            plan = plan_update(db.session.get(Tour, tour_id, populate_existing=True))
        finally:
            # The read transaction ends before the write one starts (a SQLite reader cannot become
            # the writer once another has committed since it began).
            db.session.rollback()
        # The claim is the write transaction's first statement: it takes the write lock (SQLite)
        # or the row lock (PostgreSQL), so that a concurrent run waits, then finds nothing to claim.
        # It succeeds only at the revision the update was computed from: a change made meanwhile
        # makes it compute again, never send what the tour no longer holds.
        claimed = db.session.execute(
            update(Tour)
            .where(Tour.id == tour_id, _is_due(now), Tour.revision == plan.revision)
            .values(notify_after_at=None, notify_first_at=None)
            .execution_options(synchronize_session=False)
        ).rowcount
        if not claimed:
            db.session.rollback()
            continue
        try:
            queued = plan.apply()
            if queued is None:  # copies sent meanwhile, outside the marks: compute again
                db.session.rollback()
                continue
            db.session.commit()
        except Exception:
            db.session.rollback()
            raise
        return queued
    log.warning("Tour %s kept changing while its calendar update was computed; the scheduler will retry", tour_id)
    return 0


def _is_due(now: datetime) -> ColumnElement[bool]:
    return and_(Tour.notify_after_at.is_not(None), Tour.notify_after_at <= now)


def next_due_at() -> datetime | None:
    """When the next marked tour's update is due, if any."""
    moment = db.session.scalar(
        select(Tour.notify_after_at).where(Tour.notify_after_at.is_not(None)).order_by(Tour.notify_after_at).limit(1)
    )
    db.session.commit()
    return moment


def init_app(app: Flask) -> None:
    """After a request that marked a tour, bring calendars up to date once the window closes."""

    @app.after_request
    def update_marked_calendars(response: Response) -> Response:
        # Registered after the mail hook, so it runs before it: what it queues leaves too.
        if g.pop("calendar_touched", False):
            mode = app.config.get("MAIL_DELIVERY", "thread")
            if mode == "sync":
                run_in_own_context(app)
            elif mode == "thread":
                _wake_waiter(app)
        return response


class _Waiter:
    """The one thread per process that waits for marked tours to come due (not one per request).

    It sleeps outside any app context, holding no database connection, and wakes at once
    when `stop_waiter` is called (the app or its engine is going away)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.thread: threading.Thread | None = None
        #: A tour was marked since the waiter last looked: it must look again before it ends.
        self.again = False
        #: Set for good by `stop_waiter`: the thread ends at its next look, no new one starts.
        self.stopped = threading.Event()

    def sleep(self, seconds: float) -> bool:
        """Sleep `seconds` unless stopped first; whether to go on (not stopped).

        Short plain sleeps rather than `Event.wait(timeout)`: under libfaketime (CI's summer
        pass) a timed wait on a lock may never time out, while `time.sleep` keeps time.
        """
        deadline = time.monotonic() + seconds
        while not self.stopped.is_set():
            left = deadline - time.monotonic()
            if left <= 0:
                return True
            time.sleep(min(left, STOP_POLL_SECONDS))
        return False


#: How soon a sleeping waiter notices `stop_waiter`.
STOP_POLL_SECONDS = 0.05
#: The longest the waiter sleeps before looking at the marks again.
MAX_SLEEP_SECONDS = 300.0
_WAITER_KEY = "calendar_updates_waiter"


def _wake_waiter(app: Flask) -> None:
    """Have this process's waiter look at the marks: start it unless it is already waiting."""
    waiter: _Waiter = app.extensions.setdefault(_WAITER_KEY, _Waiter())
    with waiter.lock:
        if waiter.stopped.is_set():
            return
        waiter.again = True
        if waiter.thread is not None and waiter.thread.is_alive():
            return
        waiter.thread = threading.Thread(target=_wait_until_quiet, args=(app, waiter), name="calendar-updates")
        waiter.thread.daemon = True
        waiter.thread.start()


def stop_waiter(app: Flask, timeout: float = 30.0) -> None:
    """Stop this app's waiting thread for good and wait for it to end (before the engine is disposed).

    A sleeping waiter ends within `STOP_POLL_SECONDS`; one reconciling a tour finishes that
    tour first. What it leaves marked, the scheduler's job sends.
    """
    waiter: _Waiter | None = app.extensions.get(_WAITER_KEY)
    if waiter is None:
        return
    waiter.stopped.set()
    with waiter.lock:
        thread = waiter.thread
    if thread is not None and thread is not threading.current_thread():
        thread.join(timeout)
        if thread.is_alive():
            log.warning("The calendar updates thread did not stop within %s s", timeout)


def _wait_until_quiet(app: Flask, waiter: _Waiter) -> None:
    """Reconcile marked tours as they come due, until no request has marked one since the last look."""
    try:
        while True:
            with waiter.lock:
                if not waiter.again or waiter.stopped.is_set():
                    waiter.thread = None  # under the lock: a request marking a tour now starts a new one
                    return
                waiter.again = False
            if not waiter.sleep(_seconds_until_due(app)):
                return
            run_in_own_context(app)
            if _later_due(app):  # marked in the same burst but due after what was just sent
                with waiter.lock:
                    waiter.again = True
    finally:
        with waiter.lock:
            if waiter.thread is threading.current_thread():
                waiter.thread = None


def _seconds_until_due(app: Flask) -> float:
    """How long until the next marked tour is due (a little after, at most `MAX_SLEEP_SECONDS`); 0 if none.

    Reads in its own app context and gives its connection back before the caller sleeps."""
    with app.app_context():
        try:
            due = next_due_at()
        except Exception:
            log.exception("Reading the next calendar update failed; the scheduler will retry")
            db.session.rollback()
            return 0.0
        finally:
            db.session.remove()
    if due is None:
        return 0.0
    return max(0.0, min((due - utcnow()).total_seconds(), MAX_SLEEP_SECONDS)) + 0.2


def _later_due(app: Flask) -> bool:
    """Whether a marked tour is due in the future (one already past due failed: the scheduler retries it)."""
    with app.app_context():
        try:
            due = next_due_at()
            return due is not None and due > utcnow()
        except Exception:
            log.exception("Reading the next calendar update failed; the scheduler will retry")
            return False
        finally:
            db.session.remove()


def run_in_own_context(app: Flask) -> int:
    """Reconcile the marked tours that are due and deliver, in a fresh app context; never raises."""
    with app.app_context():
        try:
            queued = send_due_updates()
            if queued and app.config.get("SMTP_HOST"):
                # As after a request: mail the server did not take is retried by this process (not only the
                # scheduler, which a single-process deployment does not run).
                deliver_and_keep_trying(app)
            return queued
        except Exception:
            log.exception("Updating calendars failed; the scheduler will retry")
            db.session.rollback()
            return 0
        finally:
            db.session.remove()
