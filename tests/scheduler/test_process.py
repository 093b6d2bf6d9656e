"""`tourplanner scheduler` as operators run it: a real process, a real SMTP server, SIGTERM to stop."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select

from tests.mail.smtp_sink import SmtpSink
from tourplanner.db import utcnow
from tourplanner.extensions import db
from tourplanner.jobs_models import SchedulerLease
from tourplanner.mail.operations import enqueue
from tourplanner.scheduler import LEASE_WAIT_SECONDS

#: Under libfaketime (CI's summer pass sets FAKETIME) a child process's timed waits run on a moved clock, and
#: the scheduler's shutdown on SIGTERM outlasts the test's 20 s; these tests pin the process's life, not
#: dates, and run in CI's SQLite and PostgreSQL passes.
needs_real_clock = pytest.mark.skipif(
    "FAKETIME" in os.environ, reason="timed waits of child processes under libfaketime"
)

TOURPLANNER = Path(sys.executable).with_name("tourplanner")
STARTED = "Scheduler started"
WAITING = "Un autre planificateur tourne déjà"


class SchedulerProcess:
    """One `tourplanner scheduler` process, its output kept in a file."""

    def __init__(self, env: dict[str, str], log_path: Path) -> None:
        self.log_path = log_path
        self._log = log_path.open("wb")
        command = str(TOURPLANNER) if TOURPLANNER.exists() else shutil.which("tourplanner") or "tourplanner"
        self.process = subprocess.Popen(
            [command, "scheduler"], env=env, stdout=self._log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL
        )

    def output(self) -> str:
        """What the process logged so far."""
        return self.log_path.read_text(errors="replace")

    def wait_for_output(self, text: str, timeout_s: float = 30) -> bool:
        """Wait until the process logged `text`."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if text in self.output():
                return True
            if self.process.poll() is not None:
                return text in self.output()
            time.sleep(0.1)
        return False

    def terminate(self, timeout_s: float = 20) -> int:
        """Send SIGTERM and wait for the exit status."""
        self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout_s)
        finally:
            self._log.close()

    def kill(self) -> None:
        """Make sure the process is gone (test clean-up)."""
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)
        self._log.close()


@pytest.fixture
def start_scheduler(database_url: str, mailbox: SmtpSink, tmp_path: Path) -> Iterator:
    """Start `tourplanner scheduler` processes on the test's database and SMTP server; killed at the end."""
    started: list[SchedulerProcess] = []
    env = {k: v for k, v in os.environ.items() if not k.startswith("TOURPLANNER_")}
    env.update(
        TOURPLANNER_DATABASE_URL=database_url,
        TOURPLANNER_SECRET_KEY="scheduler-test",
        TOURPLANNER_SMTP_HOST="127.0.0.1",
        TOURPLANNER_SMTP_PORT=str(mailbox.port),
        PYTHONUNBUFFERED="1",
    )

    def start() -> SchedulerProcess:
        process = SchedulerProcess(env, tmp_path / f"scheduler-{len(started) + 1}.log")
        started.append(process)
        return process

    yield start
    for process in started:
        process.kill()


def _wait_until(condition: Callable[[], bool], timeout_s: float = 30) -> bool:
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


def _queue_mail(recipient: str) -> None:
    enqueue(recipient, "Votre ZI Tour", "Bonjour, voici votre ZI Tour.")
    db.session.commit()


def _lease_is_free() -> bool:
    expires_at = db.session.scalar(select(SchedulerLease.expires_at))
    db.session.commit()
    return expires_at is None or expires_at <= utcnow()


@needs_real_clock
def test_the_scheduler_process_sends_queued_mail_and_stops_on_sigterm(
    app: Flask, mailbox: SmtpSink, start_scheduler
) -> None:
    """Started as a command, the scheduler delivers the outbox over SMTP, exits 0 on SIGTERM."""
    _queue_mail("conseillere@mission-locale.fr")
    scheduler = start_scheduler()
    received = mailbox.wait_for(1, timeout_s=40)
    assert [r.recipients for r in received] == [["conseillere@mission-locale.fr"]], scheduler.output()
    assert scheduler.terminate() == 0, scheduler.output()
    assert "Scheduler stopped" in scheduler.output()
    assert _lease_is_free()  # released on the way out: a successor need not wait


@needs_real_clock
def test_two_scheduler_processes_send_a_mail_once_and_the_second_takes_over(
    app: Flask, mailbox: SmtpSink, start_scheduler
) -> None:
    """Two processes started together: one runs the jobs (the mail leaves once), the other waits, then takes over."""
    _queue_mail("premier@mission-locale.fr")
    first, second = start_scheduler(), start_scheduler()
    # Two interpreters importing the app (OR-Tools included) at once: allow for a loaded CI machine.
    assert _wait_until(lambda: STARTED in first.output() + second.output(), timeout_s=90), (
        first.output() + second.output()
    )
    running, waiting = (first, second) if STARTED in first.output() else (second, first)
    assert waiting.wait_for_output(WAITING), waiting.output()
    assert len(mailbox.wait_for(1, timeout_s=40)) == 1
    time.sleep(1)  # time for a second sending, if any
    assert [r.recipients for r in mailbox.received] == [["premier@mission-locale.fr"]]
    assert STARTED not in waiting.output()

    assert running.terminate() == 0, running.output()
    _queue_mail("second@mission-locale.fr")
    assert waiting.wait_for_output(STARTED, timeout_s=LEASE_WAIT_SECONDS + 15), waiting.output()
    received = mailbox.wait_for(2, timeout_s=40)
    assert sorted(r.recipients[0] for r in received) == ["premier@mission-locale.fr", "second@mission-locale.fr"]
    assert waiting.terminate() == 0, waiting.output()
