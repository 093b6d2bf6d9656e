"""Personal calendar feeds: a secret URL per user serving their tours, visits and assignments."""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache

from flask import current_app
from sqlalchemy import Row, String, bindparam, cast, func, or_, select, true, union
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


class EventCache:
    """Each person's rendered events of each tour, by (user id, tour id), with the stamp they were rendered at.

    The stamp is what determines those events (the tour's revision and last update, the
    person's sent states of it, the person's address and role): the same premise as the
    feed's validators. After one tour changes, a feed renders that tour's events only and
    assembles the others' kept text. One entry per person and tour, the least recently
    used out first beyond the bound in bytes.
    """

    def __init__(self, max_bytes: int = CACHE_BYTES) -> None:
        self.max_bytes = max_bytes
        self._entries: OrderedDict[tuple[int, int], tuple[object, tuple[ical.RenderedEvent, ...], int]] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()

    def get_many(
        self, user_id: int, person: object, stamps: dict[int, object]
    ) -> tuple[list[ical.RenderedEvent], dict[int, object]]:
        """The person's kept events of the tours whose stamp is unchanged, and the tours to render, with their stamp."""
        kept: list[ical.RenderedEvent] = []
        stale: dict[int, object] = {}
        with self._lock:
            entries = self._entries
            for tour_id, stamp in stamps.items():
                found = entries.get((user_id, tour_id))
                if found is None or found[0] != (person, stamp):
                    stale[tour_id] = stamp
                    continue
                entries.move_to_end((user_id, tour_id))
                kept += found[1]
        return kept, stale

    def put(
        self, user_id: int, person: object, tour_id: int, stamp: object, events: tuple[ical.RenderedEvent, ...]
    ) -> None:
        """Keep the person's events of the tour at `stamp`, in place of any older ones."""
        size = sum(len(event.text) for event in events) + 200
        if size > self.max_bytes:
            return
        with self._lock:
            old = self._entries.pop((user_id, tour_id), None)
            if old is not None:
                self._size -= old[2]
            self._entries[(user_id, tour_id)] = ((person, stamp), events, size)
            self._size += size
            while self._size > self.max_bytes:
                _, dropped = self._entries.popitem(last=False)
                self._size -= dropped[2]


def cached_feed(user: User, etag: str, last_modified: datetime | None = None) -> Feed:
    """The user's feed at validator `etag`: rendered once per process, then served as kept.

    With `last_modified`, the validators were just derived by the caller, and are not derived again.
    """
    cache: FeedCache = current_app.extensions.setdefault("tourplanner_feed_cache", FeedCache())
    found = cache.get(user.id, etag)
    if found is not None:
        return found
    rendered = build_feed(user, (etag, last_modified) if last_modified is not None else None)
    cache.put(user.id, rendered)
    return rendered


def build_feed(user: User, validators: tuple[str, datetime] | None = None) -> Feed:
    """The user's calendar: confirmed seats, ambassador assignments, their company's visits.

    Only the tours whose stamp moved since their events were last rendered for this person
    are read in full and rendered (see `EventCache`); the others' text is kept.
    """
    now = utcnow()
    # Validators first: should a change commit while the feed is read, the body is newer than
    # its ETag (and rendered again at the next one), never older.
    etag, last_modified = validators or feed_validators(user, now)
    email = user.email.lower()
    tzid = current_app.config["TIMEZONE"]
    who = organizer()
    cache: EventCache = current_app.extensions.setdefault("tourplanner_feed_event_cache", EventCache())
    person = (email, user.role.value, user.organisation_id)
    stamps = tour_stamps(user, now)
    rendered, stale = cache.get_many(user.id, person, stamps)
    # The sent states in full: of the tours to render, and the cancelled ones (shown from their snapshot).
    states_by_tour: dict[int, list[Row]] = {}
    for state in db.session.execute(_states_statement(), {"email": email, "tour_ids": list(stale)}):
        states_by_tour.setdefault(state.tour_id, []).append(state)
    if stale:
        for tour_id, events in _render_tours(user, list(stale), states_by_tour, who, tzid).items():
            cache.put(user.id, person, tour_id, stale[tour_id], events)
            rendered += events
    cancelled = [
        state for states in states_by_tour.values() for state in states if state.status is EventStatus.CANCELLED
    ]
    shown = {event.uid for event in rendered} if cancelled else set()
    for state in cancelled:
        if state.uid in shown:
            continue
        if state.cancelled_at is None or state.cancelled_at < now - CANCELLED_KEPT:
            continue
        event = ical.CalendarEvent(
            uid=state.uid,
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
        rendered.append(ical.render_event(event, who, tzid))
    body = ical.feed_of_rendered(rendered, tzid, f"tourplanner — {user.name}", REFRESH_INTERVAL)
    return Feed(body=body, etag=etag, last_modified=last_modified)


def _render_tours(
    user: User, tour_ids: list[int], states_by_tour: dict[int, list[Row]], who: ical.Person, tzid: str
) -> dict[int, tuple[ical.RenderedEvent, ...]]:
    """The person's events of these tours, read in full (a few queries whatever their number) and rendered."""
    email = user.email.lower()
    tours = list(
        db.session.scalars(
            select(Tour).where(Tour.id.in_(tour_ids)).order_by(Tour.id).options(selectinload(Tour.buses))
        )
    )
    loaded = _TourData.load_many(tours)
    result: dict[int, tuple[ical.RenderedEvent, ...]] = {}
    for tour in tours:
        states = {state.uid: state for state in states_by_tour.get(tour.id, [])}
        copies = tour_events(tour, recipients={email}, data=loaded[tour.id])
        # Only company contacts receive a company's visits.
        if tour.status is not TourStatus.DRAFT and user.role is Role.COMPANY:
            copies += visit_events(tour, data=loaded[tour.id])
        events: dict[str, ical.RenderedEvent] = {}
        for copy in copies:
            if copy.recipient != email or copy.uid in events:
                continue
            if copy.audience is Audience.COMPANY and tour.status is TourStatus.DRAFT:
                continue
            events[copy.uid] = ical.render_event(_live(copy, tour, states.get(copy.uid)), who, tzid)
        result[tour.id] = tuple(events.values())
    return result


def feed_validators(user: User, now: datetime | None = None) -> tuple[str, datetime]:
    """The feed's ETag and Last-Modified, from what changed rather than from the rendered bytes.

    Every change that concerns people marks its tour (`tours.notices.plan_changed` moves its
    `updated_at` and `revision`; any other change of the tour's row moves `updated_at`), and
    every mail sent moves the person's event states: so the latest of these and their counts,
    over the tours the feed shows or the person had an event of, move whenever the content
    may have. One aggregate statement over indexed lookups, no row loaded, nothing rendered:
    a feed that did not change answers 304 without being built.
    """
    now = now or utcnow()
    # On the connection: a Core statement needs none of the ORM session's machinery.
    row = (
        db.session.connection()
        .execute(
            _validators_statement(_is_company(user)),
            {**_params(user, now), "cancelled_since": now - CANCELLED_KEPT},
        )
        .one()
    )
    tours, states, token_created = row[0:4], row[4:8], row[8]
    config = current_app.config
    parts = [
        user.id,
        user.name,
        user.email.lower(),
        user.role.value,
        user.organisation_id,
        *tours,
        *states,
        token_created,
        # What the text is written with: another address or zone is another content.
        config["BASE_URL"],
        config["MAIL_FROM"],
        config["TIMEZONE"],
    ]
    etag = hashlib.sha256("|".join(str(part) for part in parts).encode()).hexdigest()[:32]
    moments = [moment for moment in (tours[1], states[1], token_created) if moment is not None]
    return etag, max(moments, default=now).replace(microsecond=0)


def _live(copy: PersonalEvent, tour: Tour, state: Row | None) -> ical.CalendarEvent:
    """A copy built from current data, numbered like the last invitation sent to that person."""
    is_cancelled = tour.status is TourStatus.CANCELLED
    sequence = state.sequence if state is not None else 0
    stamp = max(copy.changed_at, state.updated_at) if state is not None else copy.changed_at
    return copy.calendar_event(sequence, stamp, is_cancelled=is_cancelled, with_attendee=False)


def _is_company(user: User) -> bool:
    """Whether the feed shows the visits of the user's company."""
    return user.role is Role.COMPANY and user.organisation_id is not None


# The statements below are built once per process, with bound parameters (see `_params`).


@lru_cache(maxsize=2)
def _validators_statement(is_company: bool):
    """The aggregates behind a feed's validators, as one statement with bound parameters."""
    cancelled_since = bindparam("cancelled_since")
    recipient = CalendarEventState.recipient == bindparam("email")
    # The tours the feed shows live; a tour the person only has a sent state of (a cancelled
    # seat) is shown from that state's snapshot, which the states' aggregates cover.
    shown = _tour_ids_of(is_company).whereclause
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


@lru_cache(maxsize=2)
def _stamps_statement(is_company: bool):
    """The feed's tours, each as one text that says whether its events changed, all in one row.

    Per tour: its id, revision and last update, and the person's sent states of it (UID,
    SEQUENCE, last update), as the database writes them (only compared, never converted). One
    row, one string, whatever the number of tours: reading a thousand rows through the driver
    and the result machinery cost more than the statement. A tour cancelled longer than
    CANCELLED_KEPT ago is left out. Read from covering indexes (see `calendar.models`).
    """
    state = CalendarEventState
    sent = (
        select(
            func.aggregate_strings(
                state.uid + "/" + cast(state.sequence, String) + "/" + cast(state.updated_at, String), ","
            )
        )
        .where(state.recipient == bindparam("email"), state.tour_id == Tour.id)
        .scalar_subquery()
    )
    stamp = (
        cast(Tour.id, String)
        + ":"
        + cast(Tour.revision, String)
        + "/"
        + cast(Tour.updated_at, String)
        + "/"
        + func.coalesce(sent, "")
    )
    kept = or_(Tour.cancelled_at.is_(None), Tour.cancelled_at >= bindparam("cancelled_since"))
    return select(func.aggregate_strings(stamp, ";")).where(
        _tour_ids_of(is_company).whereclause, or_(Tour.status != TourStatus.CANCELLED, kept)
    )


def tour_stamps(user: User, now: datetime) -> dict[int, str]:
    """Each tour of the user's feed with the text that changes whenever its events for the user may have."""
    text = (
        db.session.connection()
        .execute(
            _stamps_statement(_is_company(user)),
            {**_params(user, now), "cancelled_since": now - CANCELLED_KEPT},
        )
        .scalar()
    )
    stamps: dict[int, str] = {}
    for item in text.split(";") if text else ():
        tour_id, stamp = item.split(":", 1)
        stamps[int(tour_id)] = stamp
    return stamps


@lru_cache(maxsize=1)
def _states_statement():
    """What the person was last sent of the events of some tours (`tour_ids`) and of every cancelled event, as
    columns: the SEQUENCE a live event is numbered with, the snapshot a cancelled one is shown from."""
    state = CalendarEventState
    return select(
        state.uid,
        state.tour_id,
        state.sequence,
        state.updated_at,
        state.status,
        state.cancelled_at,
        state.summary,
        state.start_at,
        state.end_at,
        state.location,
    ).where(
        state.recipient == bindparam("email"),
        or_(state.tour_id.in_(bindparam("tour_ids", expanding=True)), state.status == EventStatus.CANCELLED),
    )


def _params(user: User, now: datetime) -> dict[str, object]:
    """The values the statements' parameters take for this user."""
    return {
        "user_id": user.id,
        "email": user.email.lower(),
        "organisation_id": user.organisation_id,
        "since": now - PAST_KEPT,
    }


def _tour_ids_of(is_company: bool):
    """The ids of the tours the user has a seat on, rides as ambassador, or hosts a visit of, ending
    within PAST_KEPT; a subquery with bound parameters (see `_params`)."""
    user_id, email = bindparam("user_id"), bindparam("email")
    # A union of lookups, each through its own index, rather than one OR over a join (a pass over
    # every confirmed booking). Participants' addresses are stored lower-case (bookings.operations).
    booked = select(Booking.tour_id).where(Booking.prescriber_id == user_id, Booking.status == BookingStatus.CONFIRMED)
    named = (
        select(Booking.tour_id)
        .join(Participant, Participant.booking_id == Booking.id)
        .where(Participant.email == email, Booking.status == BookingStatus.CONFIRMED)
    )
    riding = select(AmbassadorAssignment.tour_id).where(AmbassadorAssignment.user_id == user_id)
    lookups = [booked, named, riding]
    if is_company:
        hosting = (
            select(Stop.tour_id)
            .join(Slot, Slot.id == Stop.slot_id)
            .join(Site, Site.id == Slot.site_id)
            .where(Site.organisation_id == bindparam("organisation_id"))
        )
        lookups.append(hosting)
    return select(Tour.id).where(Tour.id.in_(union(*lookups)), Tour.end_at >= bindparam("since"))
