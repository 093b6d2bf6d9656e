"""Personal calendar feeds: a secret URL per user serving their tours, visits and assignments."""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache

from flask import current_app
from sqlalchemy import bindparam, func, or_, select, true
from sqlalchemy.orm import selectinload

from tourplanner.accounts.enums import Role
from tourplanner.accounts.models import User
from tourplanner.bookings.enums import BookingStatus
from tourplanner.bookings.models import Booking, Participant
from tourplanner.calendar import ical
from tourplanner.calendar.enums import Audience, EventStatus
from tourplanner.calendar.events import PersonalEvent, _TourData, organizer, tour_events, tour_url, visit_events
from tourplanner.calendar.models import CalendarEventState, CalendarToken
from tourplanner.db import utcnow
from tourplanner.extensions import db
from tourplanner.sites.models import Site, Slot
from tourplanner.tours.enums import TourStatus
from tourplanner.tours.models import AmbassadorAssignment, Stop, Tour

#: How long a cancelled event stays in a feed (as STATUS:CANCELLED) before it disappears.
CANCELLED_KEPT = timedelta(days=30)
#: How often calendar clients are asked to fetch the feed again.
REFRESH_INTERVAL = timedelta(hours=1)
#: Events that ended longer ago than this are left out of feeds.
PAST_KEPT = timedelta(days=365)


@dataclass(frozen=True)
class Feed:
    """A rendered feed with what HTTP caching needs."""

    body: bytes
    etag: str
    last_modified: datetime


#: Rendered feeds kept per process, by user and validator, at most this many bytes in all.
CACHE_BYTES = 64 * 1024 * 1024


class FeedCache:
    """Rendered feed bodies by (user id, ETag), least recently used out first, bounded in bytes.

    The ETag is derived from everything that changes a feed's content (see `feed_validators`):
    a client holding it is answered 304 without a render, so a client without it can be sent
    the body rendered for it. Kept in the process (one per app): each worker renders a feed once
    per change, and a deployment (new code) starts empty.
    """

    def __init__(self, max_bytes: int = CACHE_BYTES) -> None:
        self.max_bytes = max_bytes
        self._bodies: OrderedDict[tuple[int, str], Feed] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()

    def get(self, user_id: int, etag: str) -> Feed | None:
        """The feed rendered for this user at this ETag, if still kept."""
        with self._lock:
            found = self._bodies.get((user_id, etag))
            if found is not None:
                self._bodies.move_to_end((user_id, etag))
            return found

    def put(self, user_id: int, rendered: Feed) -> None:
        """Keep a rendered feed, dropping the user's older ones and the least recently used beyond the bound."""
        if len(rendered.body) > self.max_bytes:
            return
        with self._lock:
            for key in [key for key in self._bodies if key[0] == user_id]:
                self._size -= len(self._bodies.pop(key).body)
            self._bodies[(user_id, rendered.etag)] = rendered
            self._size += len(rendered.body)
            while self._size > self.max_bytes:
                _, dropped = self._bodies.popitem(last=False)
                self._size -= len(dropped.body)


def cached_feed(user: User, etag: str) -> Feed:
    """The user's feed at validator `etag`: rendered once per process, then served as kept."""
    cache: FeedCache = current_app.extensions.setdefault("tourplanner_feed_cache", FeedCache())
    found = cache.get(user.id, etag)
    if found is not None:
        return found
    rendered = build_feed(user)
    cache.put(user.id, rendered)
    return rendered


def build_feed(user: User) -> Feed:
    """The user's calendar: confirmed seats, ambassador assignments, their company's visits."""
    now = utcnow()
    # Validators first: should a change commit while the feed is read, the body is newer than
    # its ETag (and rendered again at the next one), never older.
    etag, last_modified = feed_validators(user, now)
    email = user.email.lower()
    states = {
        state.uid: state
        for state in db.session.scalars(select(CalendarEventState).where(CalendarEventState.recipient == email))
    }
    events: dict[str, ical.CalendarEvent] = {}
    tours = [
        tour
        for tour in _tours_of(user, now)
        if not (tour.status is TourStatus.CANCELLED and (tour.cancelled_at or now) < now - CANCELLED_KEPT)
    ]
    # All the tours' rows in a few queries, not a few per tour.
    loaded = _TourData.load_many(tours)
    for tour in tours:
        copies = tour_events(tour, recipients={email}, data=loaded[tour.id])
        # Only company contacts receive a company's visits.
        if tour.status is not TourStatus.DRAFT and user.role is Role.COMPANY:
            copies += visit_events(tour, data=loaded[tour.id])
        for copy in copies:
            if copy.recipient != email or copy.uid in events:
                continue
            if copy.audience is Audience.COMPANY and tour.status is TourStatus.DRAFT:
                continue
            events[copy.uid] = _live(copy, tour, states.get(copy.uid))
    for uid, state in states.items():
        if uid in events or state.status is not EventStatus.CANCELLED:
            continue
        if state.cancelled_at is None or state.cancelled_at < now - CANCELLED_KEPT:
            continue
        events[uid] = ical.CalendarEvent(
            uid=uid,
            summary=state.summary,
            start=state.start_at,
            end=state.end_at,
            stamp=state.updated_at,
            sequence=state.sequence,
            is_cancelled=True,
            location=state.location,
            url=tour_url(state.tour_id),
            description="Annulé.",
            last_modified=state.updated_at,
        )
    body = ical.feed(
        list(events.values()),
        organizer(),
        current_app.config["TIMEZONE"],
        f"tourplanner — {user.name}",
        REFRESH_INTERVAL,
    )
    return Feed(body=body, etag=etag, last_modified=last_modified)


def feed_validators(user: User, now: datetime | None = None) -> tuple[str, datetime]:
    """The feed's ETag and Last-Modified, from what changed rather than from the rendered bytes.

    Every change that concerns people marks its tour (`tours.notices.plan_changed` moves its
    `updated_at`), and every mail sent moves the person's event states: so the latest of
    these and their counts, over the tours the feed shows or the person had an event of,
    move whenever the content may have. A few aggregate queries: a feed that did not change
    answers 304 without being built.
    """
    now = now or utcnow()
    row = db.session.execute(
        _validators_statement(user.role is Role.COMPANY and user.organisation_id is not None),
        {**_params(user, now), "cancelled_since": now - CANCELLED_KEPT},
    ).one()
    tours, states, token_created = row[0:4], row[4:8], row[8]
    parts = [
        user.id,
        user.name,
        user.email.lower(),
        user.role.value,
        user.organisation_id,
        *tours,
        *states,
        token_created,
    ]
    etag = hashlib.sha256("|".join(str(part) for part in parts).encode()).hexdigest()[:32]
    moments = [moment for moment in (tours[1], states[1], token_created) if moment is not None]
    return etag, max(moments, default=now).replace(microsecond=0)


def _live(copy: PersonalEvent, tour: Tour, state: CalendarEventState | None) -> ical.CalendarEvent:
    """A copy built from current data, numbered like the last invitation sent to that person."""
    is_cancelled = tour.status is TourStatus.CANCELLED
    sequence = state.sequence if state is not None else 0
    stamp = max(copy.changed_at, state.updated_at) if state is not None else copy.changed_at
    event = copy.calendar_event(sequence, stamp, is_cancelled=is_cancelled, with_attendee=False)
    return event


@lru_cache(maxsize=2)
def _validators_statement(is_company: bool):
    """The aggregates behind a feed's validators, as one statement with bound parameters."""
    cancelled_since = bindparam("cancelled_since")
    recipient = CalendarEventState.recipient == bindparam("email")
    shown = or_(Tour.id.in_(_tour_ids_of(is_company)), Tour.id.in_(select(CalendarEventState.tour_id).where(recipient)))
    tours = [
        func.count(Tour.id),
        func.max(Tour.updated_at),
        func.coalesce(func.sum(Tour.revision), 0),
        func.count(Tour.cancelled_at).filter(Tour.cancelled_at >= cancelled_since),
    ]
    states = [
        func.count(CalendarEventState.id),
        func.max(CalendarEventState.updated_at),
        func.coalesce(func.sum(CalendarEventState.sequence), 0),
        func.count(CalendarEventState.cancelled_at).filter(CalendarEventState.cancelled_at >= cancelled_since),
    ]
    # One-row subqueries side by side: each aggregate pass is made once.
    tour_row = select(*tours).where(shown).subquery()
    state_row = select(*states).where(recipient).subquery()
    token_row = (
        select(func.max(CalendarToken.created_at)).where(CalendarToken.user_id == bindparam("user_id")).subquery()
    )
    return (
        select(*tour_row.c, *state_row.c, *token_row.c)
        .select_from(tour_row)
        .join(state_row, true())
        .join(token_row, true())
    )


def _params(user: User, now: datetime) -> dict[str, object]:
    """The values `_tour_ids_of`'s parameters take for this user."""
    return {
        "user_id": user.id,
        "email": user.email.lower(),
        "organisation_id": user.organisation_id,
        "since": now - PAST_KEPT,
    }


def _tours_of(user: User, now: datetime) -> list[Tour]:
    """The tours the user has a seat on, rides as ambassador, or hosts a visit of."""
    is_company = user.role is Role.COMPANY and user.organisation_id is not None
    return list(
        db.session.scalars(
            select(Tour)
            .where(Tour.id.in_(_tour_ids_of(is_company)))
            .order_by(Tour.start_at, Tour.id)
            .options(selectinload(Tour.buses)),
            _params(user, now),
        )
    )


def _tour_ids_of(is_company: bool):
    """The ids of the tours `_tours_of` gives, as a subquery with bound parameters (see `_params`)."""
    user_id, email = bindparam("user_id"), bindparam("email")
    # Two lookups rather than one OR over a join: each uses its own index, not a pass over
    # every confirmed booking.
    booked = select(Booking.tour_id).where(Booking.prescriber_id == user_id, Booking.status == BookingStatus.CONFIRMED)
    named = (
        select(Booking.tour_id)
        .join(Participant, Participant.booking_id == Booking.id)
        .where(func.lower(Participant.email) == email, Booking.status == BookingStatus.CONFIRMED)
    )
    riding = select(AmbassadorAssignment.tour_id).where(AmbassadorAssignment.user_id == user_id)
    conditions = [Tour.id.in_(booked), Tour.id.in_(named), Tour.id.in_(riding)]
    if is_company:
        hosting = (
            select(Stop.tour_id)
            .join(Slot, Slot.id == Stop.slot_id)
            .join(Site, Site.id == Slot.site_id)
            .where(Site.organisation_id == bindparam("organisation_id"))
        )
        conditions.append(Tour.id.in_(hosting))
    return select(Tour.id).where(or_(*conditions), Tour.end_at >= bindparam("since"))
