"""The outbox of mails waiting to be sent or already sent, and the rounds already queued."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tourplanner.db import Base, utcnow
from tourplanner.enums import enum_column
from tourplanner.mail.enums import MailRound


class OutboxMail(Base):
    """One mail to one recipient, kept until sent and afterwards as a record."""

    __tablename__ = "outbox_mails"

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient: Mapped[str] = mapped_column(String(254), index=True)
    subject: Mapped[str] = mapped_column(String(300))
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str | None] = mapped_column(Text)
    #: What replaces body_text once the mail has left, when the body holds a secret (a sign-in link).
    redacted_text: Mapped[str | None] = mapped_column(Text)
    #: An iCalendar object sent as a text/calendar part, with its iTIP method.
    ics: Mapped[str | None] = mapped_column(Text)
    ics_method: Mapped[str | None] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: Not before this time (retries back off).
    send_after_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    sent_at: Mapped[datetime | None] = mapped_column(index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(String(500))
    #: The calendar event the mail carries (its UID) and its SEQUENCE: a later mail of the
    #: same event to the same person supersedes this one if it has not left yet.
    event_uid: Mapped[str | None] = mapped_column(String(255), index=True)
    event_sequence: Mapped[int | None]
    #: Not sent because a later version of its event replaced it before it could leave.
    superseded_at: Mapped[datetime | None]


class TourMailRound(Base):
    """A round of mails already queued for a tour (its reminder, its follow-up): it never goes twice."""

    __tablename__ = "tour_mail_rounds"
    __table_args__ = (UniqueConstraint("tour_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    tour_id: Mapped[int] = mapped_column(ForeignKey("tours.id"), index=True)
    kind: Mapped[MailRound] = mapped_column(enum_column(MailRound))
    #: How many mails the round queued.
    mails: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
