"""Secret tokens of the personal calendar feeds, and what each person was last sent."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tourplanner.accounts.models import User
from tourplanner.bookings.models import Booking, Participant
from tourplanner.calendar.enums import Audience, EventStatus
from tourplanner.db import Base, utcnow
from tourplanner.enums import enum_column


class CalendarToken(Base):
    """One version of a user's feed URL; renewing revokes it and starts the next version.

    The secret in the URL is derived from the application's secret key, the user and the
    version (tourplanner.calendar.tokens), so it can be shown again on every visit while
    only its SHA-256 digest is stored, like an API token's.
    """

    __tablename__ = "calendar_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    #: SHA-256 hex digest of the secret in the feed URL.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    #: The user's feed version this row is for: 1 at first, one more at each renewal.
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None]

    user: Mapped[User] = relationship()


class CalendarEventState(Base):
    """One person's copy of one event (a tour, a company's visit) as last sent to them.

    It keeps the event's SEQUENCE for that person, so that every change of time or place
    and the cancellation reach their calendar as newer versions of the same UID, and a
    snapshot of what they were told, so that a CANCEL can be built when the source is gone.
    """

    __tablename__ = "calendar_event_states"
    __table_args__ = (UniqueConstraint("uid", "recipient"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The iCalendar UID, stable for the event's whole life (tour-12@host, visit-12-34@host).
    uid: Mapped[str] = mapped_column(String(255))
    #: The person's address, lower-case.
    # Looked up through ix_calendar_event_states_feed (below), whose first column it is.
    recipient: Mapped[str] = mapped_column(String(254))
    recipient_name: Mapped[str | None] = mapped_column(String(200))
    audience: Mapped[Audience] = mapped_column(enum_column(Audience))
    tour_id: Mapped[int] = mapped_column(ForeignKey("tours.id"), index=True)
    #: The iCalendar SEQUENCE last sent to this person, raised on every change they were sent.
    sequence: Mapped[int] = mapped_column(default=0)
    #: A digest of the times and place last sent: a different one means an update is due.
    fingerprint: Mapped[str] = mapped_column(String(64))
    status: Mapped[EventStatus] = mapped_column(enum_column(EventStatus), default=EventStatus.CONFIRMED)
    summary: Mapped[str] = mapped_column(String(300))
    start_at: Mapped[datetime]
    end_at: Mapped[datetime]
    location: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    cancelled_at: Mapped[datetime | None] = mapped_column(index=True)


# A feed finds the bookings that name its holder as a participant by address (stored lower-case):
# through this index, not a pass over every confirmed booking (declared here, beside the feeds that need it).
Index("ix_participants_email", Participant.email)

# A feed's validators and per-tour stamps are aggregates over a person's rows: these indexes hold
# every column those statements read of bookings and sent states, so that those are answered from
# the index alone, without a lookup of each row in its table. (A covering index of tours was tried:
# SQLite looks tours up by their integer key whatever, and gained nothing.)
Index("ix_bookings_feed", Booking.prescriber_id, Booking.status, Booking.tour_id)
Index(
    "ix_calendar_event_states_feed",
    CalendarEventState.recipient,
    CalendarEventState.tour_id,
    CalendarEventState.uid,
    CalendarEventState.updated_at,
    CalendarEventState.sequence,
    CalendarEventState.cancelled_at,
)


class FeedChange(Base):
    """One change of what a person's calendar feed shows, appended by database triggers.

    A person's feed stamp is the sum of their rows' weights: every committed change adds to it,
    so it never comes back to a value a client holds (see `calendar.feed_stamp`). Rows are only
    appended, so writers never wait on each other; compaction folds a person's rows into one
    with the same sum.
    """

    __tablename__ = "feed_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    #: What this row adds to the person's stamp (1 per change; the sum of the rows folded by compaction).
    weight: Mapped[int]
    #: The tour the change concerns (no foreign key: a deleted tour's rows say it left); None when the change is
    #: not one tour's (a slot, a site, a person, a token, folded rows): the feed then compares every tour's stamp.
    tour_id: Mapped[int | None]


# The stamp is a sum over a person's rows, answered from this index alone.
Index("ix_feed_changes_user", FeedChange.user_id, FeedChange.weight)
