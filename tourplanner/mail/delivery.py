"""Sending the outbox right after the request that filled it, without making the user wait."""

from __future__ import annotations

import logging
import threading
import time

from flask import Flask, Response, g
from sqlalchemy import select

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
    thread = threading.Thread(target=deliver_in_own_context, args=(app,), name="outbox-delivery", daemon=True)
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
            sent = deliver_pending()
            if app.config.get("MAIL_DELIVERY", "thread") == "thread" and _waiting_mail():
                _start_retry_loop(app)
            return sent
        except Exception:
            log.exception("Delivering the outbox failed; the scheduler will retry")
            return 0
        finally:
            db.session.remove()


#: How often a web process retries while its mail waits (the scheduler's job also does).
RETRY_SECONDS = 20
_retry_lock = threading.Lock()
_retrying = False


def _waiting_mail() -> bool:
    """Whether unsent mail that should have left waits in the outbox."""
    waiting = db.session.scalar(
        select(OutboxMail.id)
        .where(OutboxMail.sent_at.is_(None), OutboxMail.superseded_at.is_(None), OutboxMail.attempts > 0)
        .limit(1)
    )
    db.session.commit()
    return waiting is not None


def _start_retry_loop(app: Flask) -> None:
    global _retrying
    with _retry_lock:
        if _retrying:
            return
        _retrying = True
    threading.Thread(target=_retry_loop, args=(app,), name="outbox-retry", daemon=True).start()


def _retry_loop(app: Flask) -> None:
    global _retrying
    try:
        while True:
            time.sleep(RETRY_SECONDS)
            with app.app_context():
                try:
                    deliver_pending()
                    if not _waiting_mail():
                        return
                except Exception:
                    log.exception("Retrying the outbox failed")
                finally:
                    db.session.remove()
    finally:
        with _retry_lock:
            _retrying = False
