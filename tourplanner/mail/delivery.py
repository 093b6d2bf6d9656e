"""Sending the outbox right after the request that filled it, without making the user wait."""

from __future__ import annotations

import logging
import threading
import time

from flask import Flask, Response, g
from sqlalchemy import or_, select

from tourplanner.extensions import db
from tourplanner.mail.models import OutboxMail
from tourplanner.mail.operations import deliver_pending

log = logging.getLogger(__name__)

#: How queued mail leaves after a request: "thread" (default), "sync" (tests) or "off" (scheduler only).
DELIVERY_MODES = ("thread", "sync", "off")


def init_app(app: Flask) -> None:
    """Install the hook that delivers the mails a request queued, once its transaction is committed."""
    mode = app.config.get("MAIL_DELIVERY", "thread")
    if mode not in DELIVERY_MODES:
        raise ValueError(f"MAIL_DELIVERY must be one of {', '.join(DELIVERY_MODES)}, not {mode!r}")

    @app.after_request
    def deliver_queued_mail(response: Response) -> Response:
        # The view has committed (or rolled back) by now: what it queued is in the outbox.
        if g.pop("outbox_touched", False) and app.config.get("SMTP_HOST"):
            start_delivery(app)
        return response


def start_delivery(app: Flask) -> threading.Thread | None:
    """Deliver what is due in the outbox, in a thread or at once per MAIL_DELIVERY."""
    mode = app.config.get("MAIL_DELIVERY", "thread")
    if mode == "off":
        return None
    if mode == "sync":
        deliver_in_own_context(app)
        return None
    threads = _threads_of(app)
    if threads.stopped.is_set():
        return None
    thread = threading.Thread(target=deliver_in_own_context, args=(app,), name="outbox-delivery", daemon=True)
    with threads.lock:
        threads.running = [t for t in threads.running if t.is_alive()] + [thread]
    thread.start()
    return thread


def deliver_in_own_context(app: Flask) -> int:
    """Deliver the outbox within a fresh app context (its own database session); never raises.

    When mail is left waiting (the server could not be reached), this process keeps
    retrying every `RETRY_SECONDS` in one background thread until the outbox is empty, so
    that mail leaves within a minute of the server's return even where no scheduler runs.
    """
    with app.app_context():
        try:
            return deliver_and_keep_trying(app)
        except Exception:
            log.exception("Delivering the outbox failed; the scheduler will retry")
            return 0
        finally:
            db.session.remove()


def deliver_and_keep_trying(app: Flask) -> int:
    """Deliver what is due, in the caller's app context; returns how many left. When mail is left waiting (the
    server away or refusing), this process's retry loop starts (thread mode), whoever delivered: a request's
    thread or the calendar update's."""
    sent = deliver_pending()
    if app.config.get("MAIL_DELIVERY", "thread") == "thread" and _waiting_mail():
        _start_retry_loop(app)
    return sent


#: How often a web process retries while its mail waits (the scheduler's job also does).
RETRY_SECONDS = 20
#: How often a sleeping retry loop looks whether it must stop (a plain sleep: no timed wait, see stop_delivery).
STOP_POLL_SECONDS = 0.05
_THREADS_KEY = "outbox_delivery_threads"


class _Threads:
    """This app's delivery threads: the short ones after requests and the one retry loop, and their stop."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.running: list[threading.Thread] = []
        self.retry: threading.Thread | None = None
        self.stopped = threading.Event()


def _threads_of(app: Flask) -> _Threads:
    return app.extensions.setdefault(_THREADS_KEY, _Threads())


def stop_delivery(app: Flask, timeout: float = 30.0) -> None:
    """Stop this app's delivery threads for good and wait for them to end (before its engine is disposed).

    A sleeping retry loop ends within `STOP_POLL_SECONDS`; a delivery under way finishes its mail
    first. What is left in the outbox, the scheduler's job sends.
    """
    threads: _Threads | None = app.extensions.get(_THREADS_KEY)
    if threads is None:
        return
    threads.stopped.set()
    with threads.lock:
        waiting = [t for t in [*threads.running, threads.retry] if t is not None]
    for thread in waiting:
        if thread is not threading.current_thread():
            thread.join(timeout)
            if thread.is_alive():
                log.warning("The outbox thread %s did not stop within %s s", thread.name, timeout)


def _waiting_mail() -> bool:
    """Whether unsent mail that should have left waits in the outbox: tried, or kept back by an unreachable server
    (which leaves its attempts as they were, but says why in last_error)."""
    waiting = db.session.scalar(
        select(OutboxMail.id)
        .where(
            OutboxMail.sent_at.is_(None),
            OutboxMail.superseded_at.is_(None),
            or_(OutboxMail.attempts > 0, OutboxMail.last_error.is_not(None)),
        )
        .limit(1)
    )
    db.session.commit()
    return waiting is not None


def _start_retry_loop(app: Flask) -> None:
    threads = _threads_of(app)
    with threads.lock:
        if threads.stopped.is_set() or (threads.retry is not None and threads.retry.is_alive()):
            return
        threads.retry = threading.Thread(target=_retry_loop, args=(app, threads), name="outbox-retry", daemon=True)
        threads.retry.start()


def _retry_loop(app: Flask, threads: _Threads) -> None:
    while _sleep_unless_stopped(threads.stopped, RETRY_SECONDS):
        with app.app_context():
            try:
                deliver_pending()
                if not _waiting_mail():
                    return
            except Exception:
                log.exception("Retrying the outbox failed")
            finally:
                db.session.remove()


def _sleep_unless_stopped(stopped: threading.Event, seconds: float) -> bool:
    """Sleep `seconds` in short plain sleeps; False as soon as `stopped` is set (then at once)."""
    deadline = time.monotonic() + seconds
    while not stopped.is_set():
        left = deadline - time.monotonic()
        if left <= 0:
            return True
        time.sleep(min(STOP_POLL_SECONDS, left))
    return False
