"""Sending the outbox right after the request that filled it, without making the user wait."""

from __future__ import annotations

import logging
import threading

from flask import Flask, Response, g

from tourplanner.extensions import db
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
    """Deliver the outbox within a fresh app context (its own database session); never raises."""
    with app.app_context():
        try:
            return deliver_pending()
        except Exception:  # noqa: BLE001  (the scheduler retries; a request must not fail for it)
            log.exception("Delivering the outbox failed; the scheduler will retry")
            return 0
        finally:
            db.session.remove()
