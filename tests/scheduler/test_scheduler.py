"""The scheduler's wiring: every job on its trigger, kept in memory, one lease holder."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

from apscheduler.triggers.interval import IntervalTrigger
from flask import Flask, current_app, g
from flask_migrate import check
from sqlalchemy import inspect, select

from tourplanner import jobs
from tourplanner.db import utcnow
from tourplanner.extensions import db
from tourplanner.jobs_models import SchedulerLease
from tourplanner.mail.models import OutboxMail
from tourplanner.scheduler import (
    JOBS,
    LEASE_RENEW_SECONDS,
    LEASE_SECONDS,
    RENEW_JOB_ID,
    ScheduledJob,
    acquire_lease,
    build_scheduler,
    holds_lease,
    release_lease,
    renew_lease,
    run_job,
)

#: The jobs the scheduler must run, with their intervals in seconds.
EXPECTED = {
    "send_calendar_updates": 10,
    "deliver_outbox": 20,
    "send_login_links": 60,
    "close_bookings_at_deadline": 60,
    "go_no_go": 10 * 60,
    "send_reminders": 15 * 60,
    "send_follow_ups": 15 * 60,
    "extend_slot_series": 6 * 3600,
    "send_passeports": 15 * 60,
    "send_perception_questionnaires": 5 * 60,
    "ask_outcomes": 3600,
    "anonymise_personal_data": 24 * 3600,
    "compact_feed_stamps": 10 * 60,
}


def test_every_job_is_registered_with_its_trigger(app: Flask) -> None:
    """Each job body of tourplanner.jobs is scheduled on its interval, coalesced, never overlapping, beside the lease's
    renewal."""
    scheduler = build_scheduler(app)
    stored = {job.id: job for job in scheduler.get_jobs()}
    assert set(stored) == set(EXPECTED) | {RENEW_JOB_ID}
    for job_id, seconds in EXPECTED.items():
        job = stored[job_id]
        assert isinstance(job.trigger, IntervalTrigger)
        assert job.trigger.interval == timedelta(seconds=seconds)
        assert job.func is run_job and tuple(job.args) == (job_id,)
        assert JOBS[job_id].body is getattr(jobs, job_id)
        assert job.coalesce is True and job.max_instances == 1
        assert job.misfire_grace_time == seconds
    renewal = stored[RENEW_JOB_ID]
    assert renewal.trigger.interval == timedelta(seconds=LEASE_RENEW_SECONDS)


def _start_in_thread(app: Flask) -> tuple:
    """Start a built scheduler, paused, in a thread; returns (scheduler, thread) once it runs."""
    scheduler = build_scheduler(app)
    thread = threading.Thread(target=scheduler.start, kwargs={"paused": True}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not scheduler.running and time.monotonic() < deadline:
        time.sleep(0.02)
    assert scheduler.running
    return scheduler, thread


def test_a_restart_schedules_exactly_the_jobs_of_the_code_and_writes_no_table(app: Flask) -> None:
    """Jobs live in memory: each start registers JOBS afresh (no job left from an earlier run), the schema is
    untouched."""
    tables = set(inspect(db.engine).get_table_names())
    for _ in range(2):
        scheduler, thread = _start_in_thread(app)
        try:
            assert {job.id for job in scheduler.get_jobs()} == set(EXPECTED) | {RENEW_JOB_ID}
        finally:
            scheduler.shutdown()
            thread.join(10)
        assert not thread.is_alive()
    assert set(inspect(db.engine).get_table_names()) == tables
    check()  # exits with status 1 when the schema and the migrations disagree


def test_a_second_holder_gets_the_lease_only_after_it_expires(app: Flask) -> None:
    """While the lease is valid (and renewed) another process is refused; once expired it takes it over."""
    now = utcnow()
    assert acquire_lease("first", now)
    assert not acquire_lease("second", now + timedelta(seconds=LEASE_SECONDS - 1))
    assert renew_lease("first", now + timedelta(seconds=30))
    assert not acquire_lease("second", now + timedelta(seconds=LEASE_SECONDS + 1))  # the renewal holds it
    later = now + timedelta(seconds=30 + LEASE_SECONDS)
    assert acquire_lease("second", later)
    assert holds_lease("second", later) and not holds_lease("first", later)
    assert not renew_lease("first", later)  # lost: the first process must stop
    assert db.session.scalar(select(SchedulerLease.holder)) == "second"


def test_a_released_lease_is_free_at_once(app: Flask) -> None:
    """On a clean stop the holder releases the lease, so a waiting process needs not wait for its expiry."""
    assert acquire_lease("first")
    assert not acquire_lease("second")
    release_lease("first")
    assert acquire_lease("second")


def test_a_job_runs_in_the_app_context_only_while_the_lease_is_held(app: Flask, monkeypatch) -> None:
    """run_job runs the body in an app context of its own (its session closed after), and skips it without the lease."""
    seen = []
    g.in_test_context = True  # g belongs to one app context: the job's own context does not have it

    def probe() -> None:
        session = db.session()
        session.scalar(select(OutboxMail.id))  # opens a transaction the wrapper must close
        seen.append((current_app._get_current_object(), session, g.get("in_test_context", False)))

    monkeypatch.setitem(JOBS, "probe", ScheduledJob(probe, 30))
    build_scheduler(app, holder="this-process")
    run_job("probe")
    assert seen == []
    assert acquire_lease("this-process")
    run_job("probe")
    [(job_app, session, in_test_context)] = seen
    assert job_app is app and not in_test_context
    assert not session.in_transaction()
