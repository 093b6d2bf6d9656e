"""Personal calendar feeds: a secret URL per user serving their tours, visits and assignments."""

from __future__ import annotations

import bisect
import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache

from flask import current_app
from sqlalchemy import Row, bindparam, select
from sqlalchemy.orm import joinedload

from tourplanner.accounts.enums import Role
from tourplanner.accounts.models import User
from tourplanner.accounts.operations import digest
from tourplanner.calendar import ical
from tourplanner.calendar.enums import Audience, EventStatus
from tourplanner.calendar.events import PersonalEvent, organizer, tour_events, tour_url, visit_events
from tourplanner.calendar.feed_cache import EventCache, Feed, FeedCache
from tourplanner.calendar.feed_queries import (
    CANCELLED_KEPT,
    Holder,
    feed_changes,
    feed_day,
    shown_tours,
    states_statement,
    tour_stamps,
    user_validators_statement,
    validators_statement,
)
from tourplanner.calendar.tour_data import RowsPresent, TourData
from tourplanner.db import utcnow
from tourplanner.extensions import db
from tourplanner.tours.enums import TourStatus
from tourplanner.tours.models import Tour

#: How often calendar clients are asked to fetch the feed again.
REFRESH_INTERVAL = timedelta(hours=1)


def cached_feed(user: User | Holder, etag: str, last_modified: datetime | None = None) -> Feed:
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


def build_feed(user: User | Holder, validators: tuple[str, datetime] | None = None) -> Feed:
    """The user's calendar: confirmed seats, ambassador assignments, their company's visits.

    Only the tours changed since their events were last rendered for this person are read in
    full and rendered (see `EventCache`); the others' text is kept.
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
    day = feed_day(now)
    # The rows of changes before the data: a change committed after them is seen at the next request.
    changes = cache.changes(user.id, person, day, feed_changes(user))
    if changes.tagged is not None:
        # Every new row names its tour: only those tours are looked at.
        found = EventCache.by_rows(changes, shown_tours(user, now, changes.tagged) if changes.tagged else set())
    else:
        found = EventCache.compare(changes, *tour_stamps(user, now))
    stale = found.stale
    # The sent states in full: of the tours to render, and the cancelled ones (shown from their snapshot).
    states_by_tour: dict[int, list[Row]] = {}
    # On the connection: a Core statement needs none of the ORM session's machinery.
    given = {"email": email, "tour_ids": stale, "cancelled_since": day - CANCELLED_KEPT}
    for state in db.session.connection().execute(states_statement(), given):
        states_by_tour.setdefault(state.tour_id, []).append(state)
    fresh = _render_tours(user, stale, states_by_tour, who, tzid) if stale else {}
    kept = cache.put(user.id, person, day, changes, found, fresh)
    keys, texts, last_year = kept.keys, kept.texts, kept.last_year()
    cancelled = [
        state for states in states_by_tour.values() for state in states if state.status is EventStatus.CANCELLED
    ]
    added = []
    for state in cancelled:
        events = kept.tours.get(state.tour_id)
        if events is not None and any(event.uid == state.uid for event in events[0]):
            continue
        if state.cancelled_at is None or state.cancelled_at < day - CANCELLED_KEPT:
            continue  # (the statement reads only those since then, but of a tour read again, all)
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
        added.append(ical.render_event(event, who, tzid))
    if added:
        # The kept lists are the entry's: the cancelled events go into copies.
        keys, texts = list(keys), list(texts)
        for event in added:
            key = ical.feed_order(event)
            at = bisect.bisect_left(keys, key)
            keys.insert(at, key)
            texts.insert(at, event.text)
            last_year = max(last_year or event.end.year, event.end.year)
    years = (keys[0][0].year, last_year) if keys and last_year is not None else None
    body = ical.feed_of_texts(texts, years, tzid, f"tourplanner — {user.name}", REFRESH_INTERVAL)
    return Feed(body=body, etag=etag, last_modified=last_modified)


def _render_tours(
    user: User | Holder, tour_ids: list[int], states_by_tour: dict[int, list[Row]], who: ical.Person, tzid: str
) -> dict[int, tuple[ical.RenderedEvent, ...]]:
    """The person's events of these tours, read in full (a few queries whatever their number) and rendered."""
    email = user.email.lower()
    # The buses joined: one statement for the tours (most often the one that changed) and their buses.
    # With each tour, whether it has stops, ambassadors, agenda rows: the statements of those it has not are saved.
    rows = db.session.execute(_tours_statement(), {"ids": tour_ids}).unique().all()
    tours = [row[0] for row in rows]
    loaded = TourData.load_many(tours, RowsPresent.of(rows))
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


@lru_cache(maxsize=1)
def _tours_statement():
    """Tours (`ids`) with their buses joined, and which kinds of rows each has (`RowsPresent`), built once."""
    ids = bindparam("ids", expanding=True)
    return (
        select(Tour, *RowsPresent.columns()).where(Tour.id.in_(ids)).order_by(Tour.id).options(joinedload(Tour.buses))
    )


@dataclass(frozen=True)
class Validators:
    """A feed's validators, and whose feed it is."""

    holder: Holder
    etag: str
    last_modified: datetime


def validators_for_secret(secret: str) -> Validators | None:
    """The validators of the feed whose URL carries `secret` (None: no such active feed), in one statement.

    The ETag is derived from the holder's feed stamp (moved by the database in the transaction
    of every change the feed shows, see `feed_stamp`), their own columns, the token and the day:
    a feed that did not change answers 304 without being read.
    """
    row = db.session.connection().execute(validators_statement(), {"token_hash": digest(secret)}).first()
    return None if row is None else _validators(row, utcnow())


def feed_validators(user: User | Holder, now: datetime | None = None) -> tuple[str, datetime]:
    """The user's feed's ETag and Last-Modified (as `validators_for_secret` derives them)."""
    row = db.session.connection().execute(user_validators_statement(), {"user_id": user.id}).one()
    found = _validators(row, now or utcnow())
    return found.etag, found.last_modified


def _validators(row: Row, now: datetime) -> Validators:
    """ETag and Last-Modified from the holder's columns, token and stamp, and the day of `now`."""
    user_id, name, email, role, organisation_id, token_created, stamp = row
    config = current_app.config
    parts = (
        user_id,
        name,
        email.lower(),
        role.value,
        organisation_id,
        stamp,
        token_created,
        # The content is a function of the data and the day (its windows start there: feed_queries.feed_day).
        feed_day(now).date(),
        # What the text is written with: another address or zone is another content.
        config["BASE_URL"],
        config["MAIL_FROM"],
        config["TIMEZONE"],
    )
    etag = hashlib.sha256("|".join(map(str, parts)).encode()).hexdigest()[:32]
    holder = Holder(user_id, name, email, role, organisation_id)
    return Validators(holder, etag, _last_modified(user_id, etag, now))


#: How many people's Last-Modified a process keeps (beyond, it starts again: later dates, never a 304 too many).
SEEN_KEPT = 100_000


def _last_modified(user_id: int, etag: str, now: datetime) -> datetime:
    """When this process first saw the feed at `etag`: no time is kept with the stamp (the database's clock is not
    the application's), and a change is always seen after it was committed.

    HTTP dates have whole seconds: a new ETag seen within the second of the previous one gets the next second, so
    that an If-Modified-Since of the previous one is not answered 304. (A process that never saw the previous one
    cannot tell: clients send If-None-Match, which is exact.)
    """
    seen: dict[int, tuple[str, datetime]] = current_app.extensions.setdefault("tourplanner_feed_seen", {})
    found = seen.get(user_id)
    if found is not None and found[0] == etag:
        return found[1]
    moment = now.replace(microsecond=0)
    if found is not None and found[1] >= moment:
        moment = found[1] + timedelta(seconds=1)
    if len(seen) >= SEEN_KEPT:
        seen.clear()
    seen[user_id] = (etag, moment)
    return moment


def _live(copy: PersonalEvent, tour: Tour, state: Row | None) -> ical.CalendarEvent:
    """A copy built from current data, numbered like the last invitation sent to that person."""
    is_cancelled = tour.status is TourStatus.CANCELLED
    sequence = state.sequence if state is not None else 0
    stamp = max(copy.changed_at, state.updated_at) if state is not None else copy.changed_at
    return copy.calendar_event(sequence, stamp, is_cancelled=is_cancelled, with_attendee=False)
