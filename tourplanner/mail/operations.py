"""Putting mails in the outbox and delivering them over SMTP."""

from __future__ import annotations

import logging
import smtplib
from datetime import timedelta
from email.message import EmailMessage

from flask import current_app, g
from sqlalchemy import select

from tourplanner.db import utcnow
from tourplanner.extensions import db
from tourplanner.mail.models import OutboxMail

log = logging.getLogger(__name__)

#: Waits between delivery attempts of one mail; the last one repeats.
RETRY_DELAYS = [timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=30), timedelta(hours=2)]


def enqueue(
    recipient: str,
    subject: str,
    body_text: str,
    body_html: str | None = None,
    ics: str | None = None,
    ics_method: str | None = None,
) -> OutboxMail:
    """Put a mail in the outbox, in the caller's transaction; it leaves after the commit."""
    mail = OutboxMail(
        recipient=recipient,
        subject=subject,
        body_text=body_text,
        body_html=body_html,
        ics=ics,
        ics_method=ics_method,
    )
    db.session.add(mail)
    db.session.flush()
    if not current_app.config.get("SMTP_HOST"):
        log.info("Mail kept in the outbox (no SMTP server configured) to %s: %s\n%s", recipient, subject, body_text)
    g.outbox_touched = True
    return mail


def build_message(mail: OutboxMail, sender: str) -> EmailMessage:
    """The MIME message of an outbox mail: text, optional HTML, optional text/calendar part."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = mail.recipient
    message["Subject"] = mail.subject
    message.set_content(mail.body_text)
    if mail.body_html:
        message.add_alternative(mail.body_html, subtype="html")
    if mail.ics:
        message.add_alternative(
            mail.ics, subtype="calendar", params={"method": mail.ics_method or "PUBLISH"}
        )
    return message


def deliver_pending(limit: int = 100) -> int:
    """Send the outbox mails that are due; returns how many left. Commits each one."""
    config = current_app.config
    if not config.get("SMTP_HOST"):
        return 0
    now = utcnow()
    due = db.session.scalars(
        select(OutboxMail)
        .where(OutboxMail.sent_at.is_(None), OutboxMail.send_after_at <= now)
        .order_by(OutboxMail.id)
        .limit(limit)
    ).all()
    sent = 0
    for mail in due:
        # Claim the mail: only one sender (thread, worker or scheduler) wins it.
        claimed = db.session.execute(
            OutboxMail.__table__.update()
            .where(OutboxMail.id == mail.id, OutboxMail.sent_at.is_(None), OutboxMail.attempts == mail.attempts)
            .values(attempts=mail.attempts + 1, send_after_at=now + _retry_delay(mail.attempts))
        ).rowcount
        db.session.commit()
        if not claimed:
            continue
        db.session.refresh(mail)
        try:
            with smtplib.SMTP(config["SMTP_HOST"], int(config["SMTP_PORT"]), timeout=config["SMTP_TIMEOUT_SECONDS"]) as smtp:
                smtp.send_message(build_message(mail, config["MAIL_FROM"]))
        except (OSError, smtplib.SMTPException) as exc:
            mail.last_error = str(exc)[:500]
            log.warning("Mail %s to %s not sent (attempt %s): %s", mail.id, mail.recipient, mail.attempts, exc)
        else:
            mail.sent_at = utcnow()
            mail.last_error = None
            sent += 1
        db.session.commit()
    return sent


def _retry_delay(attempts: int) -> timedelta:
    return RETRY_DELAYS[min(attempts, len(RETRY_DELAYS) - 1)]
