"""Putting mails in the outbox and delivering them over SMTP."""

from __future__ import annotations

import logging
import smtplib
import socket
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime
from functools import lru_cache
from types import TracebackType
from typing import Any
from urllib.parse import urlsplit

from flask import current_app, g
from sqlalchemy import select, update

from tourplanner.db import utcnow
from tourplanner.extensions import db
from tourplanner.mail.models import OutboxMail

log = logging.getLogger(__name__)

#: Waits between delivery attempts of one mail; the last one repeats.
RETRY_DELAYS = [timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=30), timedelta(hours=2)]
#: When the server cannot be reached at all, the mails are due again this soon (no backoff):
#: whoever delivers next (the scheduler's job, a web process's retry) sends them once it is back.
CONNECTION_RETRY = timedelta(seconds=20)


def enqueue(
    recipient: str,
    subject: str,
    body_text: str,
    body_html: str | None = None,
    ics: str | None = None,
    ics_method: str | None = None,
    redacted_text: str | None = None,
    *,
    event_uid: str | None = None,
    event_sequence: int | None = None,
) -> OutboxMail:
    """Put a mail in the outbox, in the caller's transaction; it leaves after the commit.

    A body holding a secret (a sign-in link) comes with `redacted_text`, which replaces it
    once the mail has left (its HTML copy is then dropped): the outbox then keeps no usable
    secret. A mail carrying a calendar event names it (`event_uid`, `event_sequence`): for
    one recipient and one event, only the latest version still waiting is ever sent.
    """
    mail = OutboxMail(
        recipient=recipient,
        subject=subject,
        body_text=body_text,
        redacted_text=redacted_text,
        body_html=body_html,
        ics=ics,
        ics_method=ics_method,
        event_uid=event_uid,
        event_sequence=event_sequence,
    )
    db.session.add(mail)
    db.session.flush()
    if not current_app.config.get("SMTP_HOST"):
        log.info("Mail kept in the outbox (no SMTP server configured) to %s: %s\n%s", recipient, subject, body_text)
    # Read after the request: the mail leaves as soon as the caller has committed.
    g.outbox_touched = True
    return mail


def build_message(mail: OutboxMail, sender: str, domain: str | None = None) -> EmailMessage:
    """The MIME message of an outbox mail: multipart/alternative of text, HTML and text/calendar.

    The calendar part comes last, as the richest alternative, with its iTIP method in the
    Content-Type (`text/calendar; method=REQUEST`), as RFC 6047 asks.
    """
    message = EmailMessage()
    message["From"] = sender
    message["To"] = mail.recipient
    message["Subject"] = mail.subject
    message["Date"] = format_datetime(mail.created_at)
    # Stable per outbox row: a retry after an unclear failure is recognisable as the same mail.
    message["Message-ID"] = f"<outbox-{mail.id}.{int(mail.created_at.timestamp())}@{domain or _domain_of(sender)}>"
    message.set_content(mail.body_text)
    if mail.body_html:
        message.add_alternative(mail.body_html, subtype="html")
    if mail.ics:
        message.add_alternative(
            mail.ics, subtype="calendar", params={"method": mail.ics_method or "PUBLISH"}, cte="quoted-printable"
        )
    return message


def deliver_pending(limit: int = 100) -> int:
    """Send the outbox mails that are due; returns how many left. Commits each one.

    Safe with several senders at once (the thread after a request, another worker, the
    scheduler): a mail is claimed by one conditional UPDATE before it is sent, so only one
    of them sends it. For one recipient and one calendar event, only the latest waiting
    version leaves (the earlier ones are marked superseded, never sent), and a CANCEL of
    an event the person was never sent is not sent either. A server that cannot be reached
    leaves the mails for the next round, due again within `CONNECTION_RETRY` whatever
    their number of attempts: when it comes back, they leave at the next round.
    """
    config = current_app.config
    if not config.get("SMTP_HOST"):
        return 0
    due_ids = db.session.scalars(
        select(OutboxMail.id)
        .where(OutboxMail.sent_at.is_(None), OutboxMail.superseded_at.is_(None), OutboxMail.send_after_at <= utcnow())
        .order_by(OutboxMail.id)
        .limit(limit)
    ).all()
    db.session.commit()
    sent = 0
    domain = urlsplit(config["BASE_URL"]).hostname
    with SmtpLink(config) as link:
        for mail_id in due_ids:
            mail = _claim(mail_id)
            if mail is None:
                continue
            try:
                link.send(build_message(mail, config["MAIL_FROM"], domain))
            except (OSError, smtplib.SMTPException) as exc:
                mail.last_error = f"{type(exc).__name__}: {exc}"[:500]
                if link.is_broken:
                    # The server is away, not this mail's fault: try again soon, not after a backoff.
                    mail.attempts -= 1
                    mail.send_after_at = utcnow() + CONNECTION_RETRY
                db.session.commit()
                log.warning("Mail %s to %s not sent (attempt %s): %s", mail.id, mail.recipient, mail.attempts, exc)
                if link.is_broken:
                    break  # the others wait for the next round, unclaimed
                continue
            mail.sent_at = utcnow()
            mail.last_error = None
            if mail.redacted_text is not None:  # the secret has left: keep only the redacted copy, in text
                mail.body_text, mail.redacted_text, mail.body_html = mail.redacted_text, None, None
            db.session.commit()
            log.info("Mail %s sent to %s: %s", mail.id, mail.recipient, mail.subject)
            sent += 1
    return sent


def _supersede_earlier(mail: OutboxMail, now: datetime) -> bool:
    """Mark the earlier waiting versions of the mail's event to its recipient as superseded.

    Returns False when this mail itself is not to be sent: a later version waits, or it is
    a CANCEL of an event the person was never sent (nothing to withdraw from their calendar).
    """
    if mail.event_uid is None:
        return True
    same_event = (OutboxMail.event_uid == mail.event_uid, OutboxMail.recipient == mail.recipient)
    later = db.session.scalar(
        select(OutboxMail.id)
        .where(*same_event, OutboxMail.id > mail.id, OutboxMail.sent_at.is_(None), OutboxMail.superseded_at.is_(None))
        .limit(1)
    )
    if later is not None:
        mail.superseded_at = now
        return False
    db.session.execute(
        update(OutboxMail)
        .where(*same_event, OutboxMail.id < mail.id, OutboxMail.sent_at.is_(None), OutboxMail.superseded_at.is_(None))
        .values(superseded_at=now)
        .execution_options(synchronize_session=False)
    )
    if mail.ics_method == "CANCEL":
        ever_sent = db.session.scalar(
            select(OutboxMail.id).where(*same_event, OutboxMail.id < mail.id, OutboxMail.sent_at.is_not(None)).limit(1)
        )
        if ever_sent is None:
            mail.superseded_at = now
            return False
    return True


def _claim(mail_id: int) -> OutboxMail | None:
    """Take a due mail for this sender, committing the claim; None when another sender has it or it is superseded."""
    now = utcnow()
    mail = db.session.get(OutboxMail, mail_id, populate_existing=True)
    if mail is None or mail.sent_at is not None or mail.superseded_at is not None:
        db.session.commit()
        return None
    attempts = mail.attempts
    claimed = db.session.execute(
        update(OutboxMail)
        .where(
            OutboxMail.id == mail_id,
            OutboxMail.sent_at.is_(None),
            OutboxMail.superseded_at.is_(None),
            OutboxMail.attempts == attempts,
            OutboxMail.send_after_at <= now,
        )
        .values(attempts=attempts + 1, send_after_at=now + _retry_delay(attempts))
        .execution_options(synchronize_session=False)
    ).rowcount
    if not claimed:
        db.session.commit()
        return None
    db.session.refresh(mail)
    keep = _supersede_earlier(mail, now)
    db.session.commit()
    return mail if keep else None


class SmtpLink:
    """One SMTP connection for a round of deliveries, opened at the first mail."""

    def __init__(self, config: Any) -> None:
        self.host = config["SMTP_HOST"]
        self.port = int(config.get("SMTP_PORT") or 25)
        self.timeout = float(config.get("SMTP_TIMEOUT_SECONDS") or 10)
        self.username = config.get("SMTP_USERNAME")
        self.password = config.get("SMTP_PASSWORD")
        self.starttls = str(config.get("SMTP_STARTTLS", "")).lower() in ("1", "true", "yes")
        self.local_hostname = config.get("SMTP_LOCAL_HOSTNAME") or local_hostname()
        self.smtp: smtplib.SMTP | None = None
        #: Set when the connection failed: further mails of this round would fail too.
        self.is_broken = False

    def __enter__(self) -> SmtpLink:
        return self

    def __exit__(self, *exc: type[BaseException] | BaseException | TracebackType | None) -> None:
        if self.smtp is not None:
            try:
                self.smtp.quit()
            except (OSError, smtplib.SMTPException):
                self.smtp.close()
            self.smtp = None

    def send(self, message: EmailMessage) -> None:
        """Send one message; raises OSError or SMTPException when it did not leave."""
        try:
            if self.smtp is None:
                self.smtp = smtplib.SMTP(self.host, self.port, local_hostname=self.local_hostname, timeout=self.timeout)
                if self.starttls:
                    self.smtp.starttls()
                if self.username:
                    self.smtp.login(self.username, self.password or "")
            self.smtp.send_message(message)
        except smtplib.SMTPRecipientsRefused:
            raise  # this recipient only: the connection still serves the others
        except (OSError, smtplib.SMTPException):
            self.is_broken = True
            if self.smtp is not None:
                self.smtp.close()
                self.smtp = None
            raise


@lru_cache(maxsize=1)
def local_hostname() -> str:
    """This machine's name for EHLO, looked up once per process (a DNS query can take a while)."""
    return socket.getfqdn()


def _retry_delay(attempts: int) -> timedelta:
    return RETRY_DELAYS[min(attempts, len(RETRY_DELAYS) - 1)]


def _domain_of(address: str) -> str:
    return address.rpartition("@")[2] or "localhost"
