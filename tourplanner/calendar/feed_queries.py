"""The statements behind a feed: its validators, its tours' stamps, the person's sent states.

Each is built once per process, with bound parameters (see `params`), and reads from indexes
(see `calendar.models`): a feed is polled about hourly by every subscriber's calendar.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache

from sqlalchemy import String, bindparam, cast, exists, func, or_, select, union

from tourplanner.accounts.enums import Role
from tourplanner.accounts.models import User
from tourplanner.bookings.enums import BookingStatus
from tourplanner.bookings.models import Booking, Participant
from tourplanner.calendar.enums import EventStatus
from tourplanner.calendar.models import CalendarEventState, CalendarToken, FeedChange
from tourplanner.extensions import db
from tourplanner.sites.models import Site, Slot
from tourplanner.tours.enums import TourStatus
from tourplanner.tours.models import AmbassadorAssignment, Stop, Tour

#: How long a cancelled event stays in a feed (as STATUS:CANCELLED) before it disappears.
CANCELLED_KEPT = timedelta(days=30)
#: Events that ended longer ago than this are left out of feeds.
PAST_KEPT = timedelta(days=365)


@dataclass(frozen=True)
class Holder:
    """A feed holder's columns a feed is made of, read with its validators (no ORM object, no other statement)."""

    id: int
    name: str
    email: str
    role: Role
    organisation_id: int | None


def is_company(user: User | Holder) -> bool:
    """Whether the feed shows the visits of the user's company."""
    return user.role is Role.COMPANY and user.organisation_id is not None


def feed_day(now: datetime) -> datetime:
    """The start of `now`'s UTC day: a feed's time windows start there, so that its content is a function of
    its data and its day (the day is in its ETag), not of the moment it is read."""
    return now.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)


def _stamp():
    """The feed holder's stamp: the sum of their changes' weights (see `calendar.feed_stamp`), from its index."""
    return (
        select(func.coalesce(func.sum(FeedChange.weight), 0))
        .where(FeedChange.user_id == User.id)
        .scalar_subquery()
        .label("stamp")
    )


@lru_cache(maxsize=1)
def validators_statement():
    """By the digest of a feed URL's secret (`token_hash`): its active holder's columns, the token's creation and
    the holder's stamp; one statement through two unique indexes and the stamp's covering index."""
    return (
        select(User.id, User.name, User.email, User.role, User.organisation_id, CalendarToken.created_at, _stamp())
        .join(CalendarToken, CalendarToken.user_id == User.id)
        .where(
            CalendarToken.token_hash == bindparam("token_hash"),
            CalendarToken.revoked_at.is_(None),
            User.is_active.is_(True),
        )
    )


@lru_cache(maxsize=1)
def user_validators_statement():
    """The same columns as `validators_statement`, by the holder's id (`user_id`), with their current token."""
    created = (
        select(func.max(CalendarToken.created_at))
        .where(CalendarToken.user_id == User.id, CalendarToken.revoked_at.is_(None))
        .scalar_subquery()
    )
    return select(User.id, User.name, User.email, User.role, User.organisation_id, created, _stamp()).where(
        User.id == bindparam("user_id")
    )


@lru_cache(maxsize=2)
def _stamps_statement(company: bool):
    """The feed's tours and the person's sent states of each tour, as two texts side by side in one row.

    The tours: per tour its id, revision and last update; the sent states: per tour its id and
    the UID, SEQUENCE and last update of each state of it; as the database writes them (only
    compared, never converted). Two aggregates over index scans (the states grouped by tour in
    one pass of a covering index, see `calendar.models`) rather than a correlated aggregate of
    the states for each tour, which cost more than the rest of the statement for a thousand
    tours; and one string each whatever the number of rows: reading a thousand rows through the
    driver and the result machinery cost more than the statement. A tour cancelled longer than
    CANCELLED_KEPT ago is left out.
    """
    state = CalendarEventState
    tour_stamp = cast(Tour.id, String) + ":" + cast(Tour.revision, String) + "/" + cast(Tour.updated_at, String)
    tours = (
        select(func.aggregate_strings(tour_stamp, ";"))
        .where(_tour_ids_of(company).whereclause, _not_cancelled_long_ago())
        .scalar_subquery()
    )
    state_stamp = state.uid + "/" + cast(state.sequence, String) + "/" + cast(state.updated_at, String)
    by_tour = (
        select(state.tour_id, func.aggregate_strings(state_stamp, ",").label("states"))
        .where(state.recipient == bindparam("email"), state.tour_id.is_not(None))
        .group_by(state.tour_id)
        .subquery()
    )
    sent = select(
        func.aggregate_strings(cast(by_tour.c.tour_id, String) + ":" + by_tour.c.states, ";")
    ).scalar_subquery()
    return select(tours, sent)


def tour_stamps(user: User | Holder, now: datetime) -> tuple[str | None, str | None]:
    """What changes whenever the events of a tour of the user's feed may have, as two texts (see `feed_cache`):
    each tour's id, revision and last update ("id:revision/updated", joined by ";"); and the person's sent
    states of each tour ("id:" then the states' UIDs, SEQUENCEs and last updates, joined by ";").

    (Should the database list a tour's states in another order from one statement to the next,
    the tour's events are only rendered again: to the same text.)
    """
    tours, sent = (
        db.session.connection()
        .execute(
            _stamps_statement(is_company(user)),
            params(user, now),
        )
        .one()
    )
    return tours, sent


@lru_cache(maxsize=1)
def changes_statement():
    """The person's rows of changes (`user_id`): each row's id and the tour it concerns (None: not one tour's)."""
    return select(FeedChange.id, FeedChange.tour_id).where(FeedChange.user_id == bindparam("user_id"))


def feed_changes(user: User | Holder) -> list[tuple[int, int | None]]:
    """The person's rows of changes, as (id, tour id) pairs: a feed renders again the tours of the rows it has not
    seen (see `feed_cache.EventCache`)."""
    return db.session.connection().execute(changes_statement(), {"user_id": user.id}).all()


@lru_cache(maxsize=2)
def _members_statement(company: bool):
    """Of some tours (`tour_ids`), those the feed shows: the same tours as `_stamps_statement`'s, found for each
    tour by indexed lookups of its bookings, participants, ambassadors and visits (not the person's every tour)."""
    user_id, email = bindparam("user_id"), bindparam("email")
    confirmed = Booking.status == BookingStatus.CONFIRMED
    lookups = [
        exists().where(Booking.tour_id == Tour.id, Booking.prescriber_id == user_id, confirmed),
        exists().where(
            Booking.tour_id == Tour.id, Participant.booking_id == Booking.id, Participant.email == email, confirmed
        ),
        exists().where(AmbassadorAssignment.tour_id == Tour.id, AmbassadorAssignment.user_id == user_id),
    ]
    if company:
        lookups.append(
            exists().where(
                Stop.tour_id == Tour.id,
                Slot.id == Stop.slot_id,
                Site.id == Slot.site_id,
                Site.organisation_id == bindparam("organisation_id"),
            )
        )
    return select(Tour.id).where(
        Tour.id.in_(bindparam("tour_ids", expanding=True)),
        Tour.end_at >= bindparam("since"),
        _not_cancelled_long_ago(),
        or_(*lookups),
    )


def shown_tours(user: User | Holder, now: datetime, tour_ids: frozenset[int] | set[int]) -> set[int]:
    """Of these tours, those the user's feed shows (as `tour_stamps` lists them)."""
    found = db.session.connection().execute(
        _members_statement(is_company(user)), {**params(user, now), "tour_ids": sorted(tour_ids)}
    )
    return set(found.scalars())


@lru_cache(maxsize=1)
def states_statement():
    """What the person (`email`) was last sent of the events of some tours (`tour_ids`) and of every event cancelled
    since `cancelled_since`, as columns: the SEQUENCE a live event is numbered with, the snapshot a cancelled one is
    shown from. Two lookups (the sent states' covering index by address and tour, then the person's cancelled ones)
    rather than one OR, which read every state of the person."""
    state = CalendarEventState
    columns = (
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
    )
    email, tour_ids = bindparam("email"), bindparam("tour_ids", expanding=True)
    of_tours = select(*columns).where(state.recipient == email, state.tour_id.in_(tour_ids))
    cancelled = select(*columns).where(
        state.recipient == email,
        state.status == EventStatus.CANCELLED,
        state.cancelled_at >= bindparam("cancelled_since"),
    )
    # UNION: a cancelled state of a tour read again comes once. (Not a NOT IN of the same expanding parameter:
    # SQLAlchemy 2.1 renders an empty list used twice without the parentheses that keep its OR inside.)
    return union(of_tours, cancelled)


def params(user: User | Holder, now: datetime) -> dict[str, object]:
    """The values the statements' parameters take for this user."""
    return {
        "user_id": user.id,
        "email": user.email.lower(),
        "organisation_id": user.organisation_id,
        "since": feed_day(now) - PAST_KEPT,
        "cancelled_since": feed_day(now) - CANCELLED_KEPT,
    }


def _not_cancelled_long_ago():
    """A tour not cancelled, or cancelled within CANCELLED_KEPT (`cancelled_since`)."""
    kept = or_(Tour.cancelled_at.is_(None), Tour.cancelled_at >= bindparam("cancelled_since"))
    return or_(Tour.status != TourStatus.CANCELLED, kept)


def _tour_ids_of(company: bool):
    """The ids of the tours the user has a seat on, rides as ambassador, or hosts a visit of, ending
    within PAST_KEPT; a subquery with bound parameters (see `params`)."""
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
    if company:
        hosting = (
            select(Stop.tour_id)
            .join(Slot, Slot.id == Stop.slot_id)
            .join(Site, Site.id == Slot.site_id)
            .where(Site.organisation_id == bindparam("organisation_id"))
        )
        lookups.append(hosting)
    return select(Tour.id).where(Tour.id.in_(union(*lookups)), Tour.end_at >= bindparam("since"))
