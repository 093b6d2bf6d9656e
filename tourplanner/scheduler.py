"""The scheduler process: `tourplanner scheduler` wires the job bodies of tourplanner.jobs to triggers.

One process per deployment runs the jobs (one scheduler inside each web worker would run
every job several times). Two guards keep it so when a second process is started by
mistake: a lease row in the database, which only one process holds at a time and renews
while it runs (the other waits), and each job body's own idempotency (the outbox claims a
mail before sending it, a mail round is marked once per tour).

The jobs live in APScheduler's in-memory job store: the code is their only definition, so a
restart schedules exactly what JOBS says, and each job catches up by running once at start.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from types import FrameType

from apscheduler.jobstores.memory import MemoryJobStore
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.interval import IntervalTrigger
from flask import Flask, current_app
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from tourplanner import jobs
from tourplanner.db import utcnow
from tourplanner.extensions import db
from tourplanner.jobs_models import SchedulerLease

log = logging.getLogger(__name__)

#: The lease row the scheduler processes compete for.
LEASE_NAME = "scheduler"
#: A lease not renewed for this long is free for another process.
LEASE_SECONDS = 90
#: The holder renews its lease this often (well within LEASE_SECONDS).
LEASE_RENEW_SECONDS = 30
#: A waiting process tries to take the lease this often.
LEASE_WAIT_SECONDS = 5
#: Id of the lease renewal job.
RENEW_JOB_ID = "renew_scheduler_lease"


@dataclass(frozen=True)
class ScheduledJob:
    """A job body of tourplanner.jobs and how often it runs."""

    #: The body: a plain function that queries, calls the domain and commits.
    body: Callable[[], object]
    interval_seconds: int


#: Every scheduled job, by its stable id.
JOBS: dict[str, ScheduledJob] = {
    "send_calendar_updates": ScheduledJob(jobs.send_calendar_updates, 10),
    "deliver_outbox": ScheduledJob(jobs.deliver_outbox, 20),
    # A backstop: each web worker handles its sign-in requests right after answering.
    "send_login_links": ScheduledJob(jobs.send_login_links, 60),
    "close_bookings_at_deadline": ScheduledJob(jobs.close_bookings_at_deadline, 60),
    "go_no_go": ScheduledJob(jobs.go_no_go, 10 * 60),
    "send_reminders": ScheduledJob(jobs.send_reminders, 15 * 60),
    "send_follow_ups": ScheduledJob(jobs.send_follow_ups, 15 * 60),
    "extend_slot_series": ScheduledJob(jobs.extend_slot_series, 6 * 3600),
    "send_passeports": ScheduledJob(jobs.send_passeports, 15 * 60),
    "send_perception_questionnaires": ScheduledJob(jobs.send_perception_questionnaires, 5 * 60),
    "ask_outcomes": ScheduledJob(jobs.ask_outcomes, 3600),
    "anonymise_personal_data": ScheduledJob(jobs.anonymise_personal_data, 24 * 3600),
    "compact_feed_stamps": ScheduledJob(jobs.compact_feed_stamps, 10 * 60),
}


@dataclass(frozen=True)
class _Runtime:
    """What the jobs of this process need: its application and its lease holder name."""

    app: Flask
    holder: str


# A job is `run_job` and the job's id; the running job finds its application here.
_runtime: _Runtime | None = None


def new_holder() -> str:
    """A name for this process as a lease holder: host, pid and a random part."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


# --- The lease -----------------------------------------------------------------------------
# These commit: the lease is the scheduler process's own state, outside any user's action.


def acquire_lease(holder: str, now: datetime | None = None, seconds: int = LEASE_SECONDS) -> bool:
    """Take the scheduler lease for `holder` if it is free or expired; True when taken."""
    now = now or utcnow()
    taken = db.session.execute(
        update(SchedulerLease)
        .where(SchedulerLease.name == LEASE_NAME, SchedulerLease.expires_at <= now)
        .values(holder=holder, acquired_at=now, expires_at=now + timedelta(seconds=seconds))
        .execution_options(synchronize_session=False)
    ).rowcount
    if taken:
        db.session.commit()
        return True
    if db.session.get(SchedulerLease, LEASE_NAME) is not None:
        db.session.commit()
        return False
    db.session.add(
        SchedulerLease(name=LEASE_NAME, holder=holder, acquired_at=now, expires_at=now + timedelta(seconds=seconds))
    )
    try:
        db.session.commit()
    except IntegrityError:  # another process created the row first: it holds the lease
        db.session.rollback()
        return False
    return True


def renew_lease(holder: str, now: datetime | None = None, seconds: int = LEASE_SECONDS) -> bool:
    """Push the lease's expiry further while `holder` still holds it; False when it was lost."""
    now = now or utcnow()
    renewed = db.session.execute(
        update(SchedulerLease)
        .where(SchedulerLease.name == LEASE_NAME, SchedulerLease.holder == holder)
        .values(expires_at=now + timedelta(seconds=seconds))
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.commit()
    return bool(renewed)


def holds_lease(holder: str, now: datetime | None = None) -> bool:
    """Whether `holder` holds an unexpired lease right now."""
    now = now or utcnow()
    held = db.session.scalar(
        select(SchedulerLease.name).where(
            SchedulerLease.name == LEASE_NAME, SchedulerLease.holder == holder, SchedulerLease.expires_at > now
        )
    )
    db.session.commit()
    return held is not None


def release_lease(holder: str) -> None:
    """Give the lease up at once (on a clean stop), so that a waiting process takes over."""
    db.session.execute(
        update(SchedulerLease)
        .where(SchedulerLease.name == LEASE_NAME, SchedulerLease.holder == holder)
        .values(expires_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


# --- The jobs ------------------------------------------------------------------------------


def run_job(job_id: str) -> None:
    """Run one scheduled job inside the application context, if this process still holds the lease."""
    runtime = _runtime
    if runtime is None:
        raise RuntimeError("run_job runs inside a scheduler built by build_scheduler()")
    with runtime.app.app_context():
        try:
            if not holds_lease(runtime.holder):
                log.warning("Job %s skipped: this process no longer holds the scheduler lease", job_id)
                return
            result = JOBS[job_id].body()
            log.debug("Job %s done: %s", job_id, result)
        finally:
            db.session.remove()


def _renew_lease_or_stop(on_lease_lost: Callable[[], None]) -> None:
    """Renew this process's lease; call `on_lease_lost` when another process has taken it."""
    runtime = _runtime
    assert runtime is not None
    with runtime.app.app_context():
        try:
            renewed = renew_lease(runtime.holder)
        finally:
            db.session.remove()
    if not renewed:
        log.error("The scheduler lease was taken by another process: this one stops running the jobs")
        on_lease_lost()


def build_scheduler(
    app: Flask, holder: str | None = None, on_lease_lost: Callable[[], None] | None = None
) -> BlockingScheduler:
    """A scheduler with every job of JOBS registered, not started yet.

    Each job runs once at start (catching up after a stop), then at its interval; late runs
    are merged into one (coalesce) and never overlap (max_instances=1).
    """
    global _runtime
    _runtime = _Runtime(app, holder or new_holder())
    scheduler = BlockingScheduler(jobstores={"default": MemoryJobStore()}, timezone=app.config["TIMEZONE"])
    now = datetime.now(scheduler.timezone)
    for job_id, job in JOBS.items():
        scheduler.add_job(
            run_job,
            IntervalTrigger(seconds=job.interval_seconds, timezone=scheduler.timezone),
            args=[job_id],
            id=job_id,
            name=job_id,
            next_run_time=now,
            coalesce=True,
            max_instances=1,
            # A run more than one interval late is dropped: the next one does the same work.
            misfire_grace_time=job.interval_seconds,
        )
    scheduler.add_job(
        _renew_lease_or_stop,
        IntervalTrigger(seconds=LEASE_RENEW_SECONDS, timezone=scheduler.timezone),
        args=[on_lease_lost or partial(scheduler.shutdown, wait=False)],
        id=RENEW_JOB_ID,
        coalesce=True,
        max_instances=1,
        misfire_grace_time=LEASE_RENEW_SECONDS,
    )
    return scheduler


class _Stopper:
    """Stops one scheduler from another thread (a signal handler, the lease renewal) after its running jobs."""

    def __init__(self, start_timeout_s: float = 10) -> None:
        self.scheduler: BlockingScheduler | None = None
        #: Set once the scheduler is shut down and its running jobs have finished.
        self.done = threading.Event()
        self._start_timeout_s = start_timeout_s
        self._lock = threading.Lock()
        self._requested = False

    @property
    def requested(self) -> bool:
        """Whether a stop was asked for."""
        return self._requested

    def stop_soon(self) -> None:
        """Ask for the stop; returns at once, the shutdown happens in its own thread."""
        with self._lock:
            if self._requested:
                return
            self._requested = True
        threading.Thread(target=self._stop, name="scheduler-stop", daemon=True).start()

    def _stop(self) -> None:
        try:
            deadline = time.monotonic() + self._start_timeout_s
            # A stop asked just before start(): wait until the scheduler runs, then shut it down.
            while (self.scheduler is None or not self.scheduler.running) and time.monotonic() < deadline:
                time.sleep(0.05)
            if self.scheduler is not None and self.scheduler.running:
                self.scheduler.shutdown(wait=True)
        finally:
            self.done.set()


# --- The process ---------------------------------------------------------------------------


def _sleep_unless(stopping: threading.Event, seconds: float) -> None:
    """Sleep `seconds`, in short steps, ending early once `stopping` is set."""
    deadline = time.monotonic() + seconds
    while not stopping.is_set() and time.monotonic() < deadline:
        time.sleep(min(0.2, max(0.0, deadline - time.monotonic())))


def run_scheduler(app: Flask | None = None) -> None:
    """Run the jobs in this process until SIGTERM or SIGINT; waits while another process runs them."""
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    holder = new_holder()
    stopping = threading.Event()
    stopper: _Stopper | None = None

    def on_signal(signum: int, frame: FrameType | None) -> None:
        log.info("Signal %s received: the scheduler stops after the running jobs", signal.Signals(signum).name)
        stopping.set()
        if stopper is not None:
            stopper.stop_soon()

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        said_waiting = False
        while not stopping.is_set():
            with app.app_context():
                try:
                    acquired = acquire_lease(holder)
                finally:
                    db.session.remove()
            if not acquired:
                if not said_waiting:
                    log.warning("Un autre planificateur tourne déjà : celui-ci attend qu'il s'arrête")
                    said_waiting = True
                # A plain sleep (a signal cuts it short through stopping): Event.wait(timeout) times out on
                # the monotonic clock through sem_clockwait, which libfaketime (CI's summer pass) leaves
                # unfaked, so under a moved clock a waiting process would never try again.
                _sleep_unless(stopping, LEASE_WAIT_SECONDS)
                continue
            said_waiting = False
            stopper = _Stopper()
            stopper.scheduler = build_scheduler(app, holder, on_lease_lost=stopper.stop_soon)
            if not stopping.is_set():
                log.info("Scheduler started (%s): %s", holder, ", ".join(JOBS))
                stopper.scheduler.start()  # blocks until shut down: on a signal, or when the lease is lost
                if stopper.requested:
                    stopper.done.wait()  # the jobs still running finish before the lease is released
            stopper = None
            with app.app_context():
                try:
                    release_lease(holder)
                finally:
                    db.session.remove()
        log.info("Scheduler stopped")
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
